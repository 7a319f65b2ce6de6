// The sandbox without a browser: its page API against the real bot (startApp, HTTP mode), real
// Redis under a prefix of its own, and the fake Slack the e2e suites use.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  answersPing,
  ensureRedis,
  HOW_TO_GET_REDIS,
  RedisUnavailableError,
} from "../../sandbox/redis-launch";
import { type Sandbox, startSandbox } from "../../sandbox/server";
import { blockActionsPayload } from "../../sandbox/slack-payloads";
import { loadConfig } from "../../src/config/load";
import { createLogger } from "../../src/platform/log";
import { eventually, ORG_DIR, REDIS_URL } from "../support/harness";
import { freePort } from "../support/ports";

type Json = Record<string, unknown>;
interface Msg {
  ts: string;
  at: string;
  text: string;
  blocks: Json[] | null;
  replies: Msg[];
}
interface Conv {
  id: string;
  kind: string;
  name: string | null;
  members: string[] | null;
  messages: Msg[];
  ephemerals: { ts: string; text: string }[];
}
interface State {
  conversations: Conv[];
  modals: { id: string; view: Json }[];
  home: { id: string; view: Json } | null;
  homeEphemerals: { ts: string; text: string }[];
  oncall: { user: string | null }[];
}

const ONCALL = "U02AAA"; // on call on 2026-11-25 in the fixture org
const OUTSIDER = "U02BBB"; // Search, not in the rotation: may not act on a Playback alert

let sb: Sandbox;

async function get<T = Json>(path: string): Promise<T> {
  const res = await fetch(`${sb.botUrl}${path}`);
  expect(res.status, `${path}: ${res.status}`).toBe(200);
  return (await res.json()) as T;
}

async function post(path: string, body: unknown = {}): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${sb.botUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

const state = (as: string) => get<State>(`/sandbox/api/state?as=${as}`);
const channel = (s: State, id: string) => s.conversations.find((c) => c.id === id);

function actionsOf(m: Msg): { blockIndex: number; elements: Json[] } {
  const blockIndex = (m.blocks ?? []).findIndex((b) => b.type === "actions");
  return { blockIndex, elements: ((m.blocks ?? [])[blockIndex]?.elements as Json[]) ?? [] };
}

function press(as: string, m: Msg, channelId: string, actionId: string) {
  const { blockIndex, elements } = actionsOf(m);
  const element = elements.findIndex((e) => e.action_id === actionId);
  expect(element, `${actionId} on the page`).toBeGreaterThanOrEqual(0);
  return post("/sandbox/api/action", {
    as,
    surface: { kind: "message", channel: channelId, ts: m.ts },
    blockIndex,
    element,
    actionId,
  });
}

/** Alertmanager groups by alertname and job here, so each test names its own alert to get its own page. */
async function firePage(labels: Record<string, string>): Promise<Msg> {
  const res = await post("/sandbox/api/fire", {
    labels,
    annotations: { summary: "sandbox test" },
    status: "firing",
  });
  expect(res.json).toMatchObject({ status: 200, notice: null });
  return eventually(async () =>
    channel(await state(ONCALL), "C0ONCALL")?.messages.find((m) =>
      (m.blocks ?? []).some((b) => JSON.stringify(b).includes(labels.instance ?? "")),
    ),
  );
}

beforeAll(async () => {
  const config = loadConfig(ORG_DIR);
  sb = await startSandbox({
    config,
    redisUrl: REDIS_URL,
    redisPrefix: `test-sandbox-${randomBytes(5).toString("hex")}:`,
    port: 0,
    log: createLogger("silent"),
    logLevel: "silent",
    // These tests fire alerts one after another into one channel; folding them into a storm digest
    // is tested under Slack's limits in sandbox-limits.test.ts.
    env: { STORM_THRESHOLD: "1000" },
  });
  sb.clock.set(new Date("2026-11-25T10:00:00Z"));
});

afterAll(async () => {
  await sb?.close();
});

describe("the page and its files", () => {
  it("serves the page, its script and style, with nothing from other hosts", async () => {
    for (const [path, type] of [
      ["/sandbox", "text/html"],
      ["/sandbox/app.js", "text/javascript"],
      ["/sandbox/blocks.js", "text/javascript"],
      ["/sandbox/app.css", "text/css"],
      ["/sandbox/vendor/preact.js", "text/javascript"],
      ["/sandbox/vendor/preact-hooks.js", "text/javascript"],
      ["/sandbox/vendor/htm.js", "text/javascript"],
    ] as const) {
      const res = await fetch(`${sb.botUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain(type);
      const text = await res.text();
      // No CDN, no web fonts: every URL in the page is its own (or a data: URL).
      expect(text.match(/(?:src|href)=["']https?:\/\/[^"']+/g) ?? []).toEqual([]);
      expect(text).not.toMatch(/@import|fonts\.googleapis|unpkg|jsdelivr|cdnjs/);
    }
    expect(sb.pageUrl).toMatch(/^http:\/\/localhost:\d+\/sandbox$/);
  });

  it("names each module of the import map, served as an ES module", async () => {
    const page = await (await fetch(`${sb.botUrl}/sandbox`)).text();
    const map = JSON.parse(/<script type="importmap">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? "{}") as {
      imports: Record<string, string>;
    };
    expect(Object.keys(map.imports)).toEqual(["preact", "preact/hooks", "htm"]);
    for (const url of Object.values(map.imports)) {
      const text = await (await fetch(`${sb.botUrl}${url}`)).text();
      expect(text, url).toMatch(/\bexport\b/);
    }
  });

  it("serves Slack's emoji shortcodes from the emoji data package", async () => {
    const table = await get<Record<string, string>>("/sandbox/emoji.json");
    expect(table).toMatchObject({ red_circle: "🔴", white_check_mark: "✅", rotating_light: "🚨" });
    // Far more than a hand-kept table: every shortcode Slack knows, flags and skin tones included.
    expect(Object.keys(table).length).toBeGreaterThan(1500);
    expect(table.flag_de ?? table["flag-de"]).toBe("🇩🇪");
  });

  it("serves runbooks for the page's links and nothing outside runbooks/ and schedules/", async () => {
    const ok = await fetch(`${sb.botUrl}/sandbox/files/runbooks/HighErrorRate.md`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe(readFileSync(join(ORG_DIR, "runbooks/HighErrorRate.md"), "utf8"));
    for (const bad of [
      "/sandbox/files/runbooks/..%2F..%2F..%2Fpackage.json",
      "/sandbox/files/..%2Fpackage.json",
      // A broken %-escape is a missing file, not a crash.
      "/sandbox/files/runbooks/%E0%A4%A.md",
    ]) {
      expect((await fetch(`${sb.botUrl}${bad}`)).status).toBe(404);
    }
  });

  it("describes the workspace from the config: users with names and roles, channels, examples", async () => {
    const meta = await get<{
      users: { id: string; name: string; teams: string[]; participantOf: string[]; adminOf: string[] }[];
      examples: { id: string; labels: Record<string, string> }[];
      commands: { command: string }[];
      oncall: { user: string | null }[];
    }>("/sandbox/api/meta");
    const ids = meta.users.map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining(["U01AAA", "U02AAA", "U03AAA", "U0ADMIN"]));
    expect(ids).not.toContain("U0ONCALLBOT");
    expect(new Set(meta.users.map((u) => u.name)).size).toBe(meta.users.length);
    expect(meta.users.find((u) => u.id === "U0ADMIN")).toMatchObject({ adminOf: ["Merged on-call"] });
    expect(meta.users.find((u) => u.id === "U01AAA")).toMatchObject({
      teams: ["Playback"],
      participantOf: ["Merged on-call"],
    });
    expect(meta.oncall).toEqual([expect.objectContaining({ user: ONCALL })]);
    expect(meta.commands.map((c) => c.command)).toEqual(["/oncall", "/incident"]);
    expect(meta.examples.some((e) => e.labels.job === "stream-api")).toBe(true);

    const s = await state(ONCALL);
    expect(s.conversations.filter((c) => c.kind === "channel").map((c) => c.id)).toEqual(
      expect.arrayContaining(["C0ONCALL", "C0PLAYBACK", "C0SEARCH", "C0PAYMENTS"]),
    );
    expect(channel(s, "C0ONCALL")?.name).toBe("oncall");
  });

  it("says what each channel is for: the rotation's pages, a team's hand-offs, the review", async () => {
    const config = loadConfig(ORG_DIR);
    const meta = await get<{ channels: { id: string; purpose: string }[] }>("/sandbox/api/meta");
    const purpose = (id: string | undefined) => meta.channels.find((c) => c.id === id)?.purpose;
    expect(purpose("C0ONCALL")).toContain("Pages of the rotation");
    const review = config.review?.channel;
    expect(review, "the fixture org has a review channel").toBeTruthy();
    expect(purpose(review)).toMatch(/review/i);
    expect(purpose(review)).not.toContain("Hand-offs");
    const team = config.teams[0];
    expect(purpose(team?.channel)).toBe(`Hand-offs, escalations and pages for ${team?.name}`);
  });

  it("gives the webhook token and a curl that pages with it, as pasted into a shell", async () => {
    const meta = await get<{ webhook: { token: string; curl: string } }>("/sandbox/api/meta");
    expect(meta.webhook.token).toBe(sb.settings.alertWebhookToken);
    const origin = new URL(sb.pageUrl).origin;
    expect(meta.webhook.curl).toContain(`${origin}/webhooks/generic`);
    const { stdout } = await promisify(execFile)("sh", [
      "-c",
      `${meta.webhook.curl} --silent --show-error --write-out ' HTTP %{http_code}'`,
    ]);
    expect(stdout).toMatch(/HTTP 200$/);
    await eventually(async () =>
      channel(await state(ONCALL), "C0ONCALL")?.messages.find((m) =>
        JSON.stringify(m.blocks).includes("api-1"),
      ),
    );
  });

  it("refuses to act as someone the config does not know", async () => {
    expect((await fetch(`${sb.botUrl}/sandbox/api/state?as=U0NOBODY`)).status).toBe(400);
    const res = await post("/sandbox/api/command", {
      as: "U0NOBODY",
      channel: "C0ONCALL",
      text: "/oncall who",
    });
    expect(res.status).toBe(400);
    expect(res.json.error).toContain("Act as");
  });
});

describe("alerts, buttons and commands", () => {
  it("fires an alert through the webhook: the page appears, mentioning the on-call engineer", async () => {
    const page = await firePage({ alertname: "HighErrorRate", job: "stream-api", instance: "fire-1:8080" });
    expect(JSON.stringify(page.blocks)).toContain(`<@${ONCALL}>`);
    expect(actionsOf(page).elements.map((e) => e.action_id)).toContain("alert.ack");

    await post("/sandbox/api/fire", {
      labels: { alertname: "HighErrorRate", job: "stream-api", instance: "fire-1:8080" },
      status: "resolved",
    });
    await eventually(async () => {
      const now = channel(await state(ONCALL), "C0ONCALL")?.messages.find((m) => m.ts === page.ts);
      return now && JSON.stringify(now.blocks).includes("resolved");
    });
  });

  it("refuses a fire without an alertname and reports what the webhook says", async () => {
    const res = await post("/sandbox/api/fire", { labels: { job: "x" }, status: "firing" });
    expect(res.status).toBe(400);
    expect(res.json.error).toContain("alertname");
  });

  it("sends a signed block_actions: the on-call engineer's Acknowledge rewrites the page in place", async () => {
    const page = await firePage({ alertname: "SandboxAck1", job: "stream-api", instance: "ack-1:8080" });
    const before = sb.slack.callsTo("chat.update").length;
    const res = await press(ONCALL, page, "C0ONCALL", "alert.ack");
    expect(res.json).toMatchObject({ status: 200, notice: null });
    const after = await eventually(async () => {
      const m = channel(await state(ONCALL), "C0ONCALL")?.messages.find((x) => x.ts === page.ts);
      return m && !actionsOf(m).elements.some((e) => e.action_id === "alert.ack") ? m : undefined;
    });
    expect(JSON.stringify(after.blocks)).toContain("acknowledged");
    expect(sb.slack.callsTo("chat.update").length).toBeGreaterThan(before);
  });

  it("shows a refusal to someone not allowed, and to nobody else", async () => {
    const page = await firePage({
      alertname: "SandboxRefuse1",
      job: "stream-api",
      instance: "refuse-1:8080",
    });
    const res = await press(OUTSIDER, page, "C0ONCALL", "alert.resolve");
    expect(res.json).toMatchObject({ status: 200 });
    const refusal = await eventually(async () =>
      channel(await state(OUTSIDER), "C0ONCALL")?.ephemerals.find((e) =>
        /may act on this alert/.test(e.text),
      ),
    );
    expect(refusal.text).toContain("Merged on-call");
    const seenByOncall = channel(await state(ONCALL), "C0ONCALL")?.ephemerals ?? [];
    expect(seenByOncall.map((e) => e.ts)).not.toContain(refusal.ts);
    const unchanged = channel(await state(ONCALL), "C0ONCALL")?.messages.find((m) => m.ts === page.ts);
    expect(actionsOf(unchanged as Msg).elements.map((e) => e.action_id)).toContain("alert.resolve");
  });

  it("says so when a pressed element is no longer where the page saw it", async () => {
    const page = await firePage({ alertname: "SandboxStale1", job: "stream-api", instance: "stale-1:8080" });
    const res = await post("/sandbox/api/action", {
      as: ONCALL,
      surface: { kind: "message", channel: "C0ONCALL", ts: page.ts },
      blockIndex: actionsOf(page).blockIndex,
      element: 0,
      actionId: "alert.something-else",
    });
    expect(res.status).toBe(409);
  });

  it("opens a modal from a button, and submits it as view_submission", async () => {
    const page = await firePage({ alertname: "SandboxModal1", job: "stream-api", instance: "modal-1:8080" });
    await press(ONCALL, page, "C0ONCALL", "alert.escalate");
    const modal = await eventually(async () => (await state(ONCALL)).modals[0]);
    const blocks = modal.view.blocks as Json[];
    const values: Record<string, Record<string, Json>> = {};
    for (const [i, b] of blocks.entries()) {
      if (b.type !== "input") continue;
      const el = b.element as Json;
      const blockId = typeof b.block_id === "string" ? b.block_id : `sandbox-block-${i}`;
      // What a visitor does in the dialog: the first option of a select, words in a text field.
      const first = (el.options as Json[] | undefined)?.[0];
      values[blockId] = {
        [String(el.action_id)]:
          el.type === "static_select"
            ? { type: el.type, selected_option: first }
            : { type: el.type, value: "Runbook step 2 did not help" },
      };
    }
    const res = await post("/sandbox/api/view-submit", { as: ONCALL, viewId: modal.id, values });
    expect(res.json).toMatchObject({ status: 200, closed: true });
    expect((await state(ONCALL)).modals).toEqual([]);
    await eventually(async () => {
      const m = channel(await state(ONCALL), "C0ONCALL")?.messages.find((x) => x.ts === page.ts);
      return m && JSON.stringify(m.blocks).includes("escalated");
    });
  });

  it("closes a modal without submitting it", async () => {
    const page = await firePage({ alertname: "SandboxModal2", job: "stream-api", instance: "modal-2:8080" });
    await press(ONCALL, page, "C0ONCALL", "alert.escalate");
    const modal = await eventually(async () => (await state(ONCALL)).modals.at(-1));
    expect((await post("/sandbox/api/view-close", { as: ONCALL, viewId: modal.id })).json).toMatchObject({
      closed: true,
    });
    expect((await state(ONCALL)).modals.map((m) => m.id)).not.toContain(modal.id);
  });

  it("sends slash commands signed; the answer is ephemeral to whoever typed it", async () => {
    const res = await post("/sandbox/api/command", {
      as: "U01AAA",
      channel: "C0PLAYBACK",
      text: "/oncall help",
    });
    expect(res.json).toMatchObject({ status: 200, notice: null });
    const help = await eventually(async () =>
      channel(await state("U01AAA"), "C0PLAYBACK")?.ephemerals.find((e) => e.text.includes("/oncall")),
    );
    expect(help.text).toContain("help");
    expect(channel(await state(ONCALL), "C0PLAYBACK")?.ephemerals ?? []).toEqual([]);

    const unknown = await post("/sandbox/api/command", {
      as: "U01AAA",
      channel: "C0PLAYBACK",
      text: "/weather",
    });
    expect(unknown.json.notice).toContain("not a command of this app");
    const noSlash = await post("/sandbox/api/command", {
      as: "U01AAA",
      channel: "C0PLAYBACK",
      text: "hello",
    });
    expect(noSlash.status).toBe(400);
  });

  it("answers a command typed on the Home tab there, from the app's DM with the user", async () => {
    const res = await post("/sandbox/api/command", { as: "U01AAA", channel: "home", text: "/oncall help" });
    expect(res.json).toMatchObject({ status: 200, notice: null });
    const answer = await eventually(async () =>
      (await state("U01AAA")).homeEphemerals.find((e) => e.text.includes("/oncall")),
    );
    expect(answer.text).toContain("help");
    expect((await state(ONCALL)).homeEphemerals).toEqual([]);
  });

  it("sends app_home_opened for the Home tab and shows what the bot publishes", async () => {
    const res = await post("/sandbox/api/home-open", { as: "U01AAA" });
    expect(res.json).toMatchObject({ status: 200 });
    const home = await eventually(async () => (await state("U01AAA")).home);
    expect(Array.isArray(home.view.blocks)).toBe(true);
    expect((await state("U01BBB")).home).toBeNull();
  });

  it("fires a storm of twenty alerts at once, each paging", async () => {
    const before = sb.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "C0ONCALL").length;
    const res = await post("/sandbox/api/storm");
    expect(res.json).toMatchObject({ fired: 20, notice: null });
    // Storms never fold here (see beforeAll); paced at Slack's 1 post a second after a burst of 4.
    await eventually(
      () =>
        sb.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "C0ONCALL").length >=
        before + 20,
      30_000,
    );
  }, 40_000);

  it("streams a change event when the fake Slack changes", async () => {
    const controller = new AbortController();
    const res = await fetch(`${sb.botUrl}/sandbox/api/events`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect(text).toContain("event: change");
    await post("/sandbox/api/command", { as: "U01AAA", channel: "C0PLAYBACK", text: "/oncall who" });
    // The first event arrives on connect; the command's ephemeral must cause another.
    while ((text.match(/event: change/g)?.length ?? 0) < 2) {
      text += decoder.decode((await reader.read()).value);
    }
    controller.abort();
    expect(text).toMatch(/event: change\ndata: \d+\n\n[\s\S]*event: change\ndata: \d+\n\n/);
  });

  it("keeps a message's time on the bot's clock when the clock moves later", async () => {
    sb.clock.set(new Date("2026-11-25T10:00:00Z"));
    const page = await firePage({ alertname: "SandboxClock1", job: "stream-api", instance: "clock-1:8080" });
    expect(Math.abs(Date.parse(page.at) - Date.parse("2026-11-25T10:00:00Z"))).toBeLessThan(60_000);
    try {
      sb.clock.set(new Date("2026-11-26T22:00:00Z"));
      const later = channel(await state(ONCALL), "C0ONCALL")?.messages.find((m) => m.ts === page.ts);
      expect(later?.at).toBe(page.at);
    } finally {
      sb.clock.set(new Date("2026-11-25T10:00:00Z"));
    }
  });

  it("shifts the bot's clock and goes back to real time", async () => {
    const at = "2026-11-28T12:00:00.000Z";
    const res = await post("/sandbox/api/clock", { at });
    expect(Math.abs(Date.parse(String(res.json.now)) - Date.parse(at))).toBeLessThan(5_000);
    expect(res.json.shifted).toBe(true);
    expect((await post("/sandbox/api/clock", { at: null })).json.shifted).toBe(false);
    sb.clock.set(new Date("2026-11-25T10:00:00Z"));
  });
});

describe("block_actions from a modal or the Home tab", () => {
  it("uses a view container and carries the view's state", () => {
    const payload = blockActionsPayload({
      actionId: "pick",
      blockId: "b1",
      userId: "U01AAA",
      view: { id: "V1", type: "modal", callback_id: "cb", blocks: [] },
      stateValues: { b1: { pick: { type: "static_select", selected_option: null } } },
      action: {
        type: "static_select",
        selected_option: { value: "x", text: { type: "plain_text", text: "X" } },
      },
    });
    expect(payload).toMatchObject({
      type: "block_actions",
      container: { type: "view", view_id: "V1" },
      view: { id: "V1", callback_id: "cb", state: { values: { b1: { pick: { type: "static_select" } } } } },
      actions: [
        { type: "static_select", action_id: "pick", block_id: "b1", selected_option: { value: "x" } },
      ],
    });
    expect(payload).not.toHaveProperty("response_url");
    expect(payload).not.toHaveProperty("message");
  });
});

describe("Redis for the sandbox", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), "sandbox-redis-"));
    dirs.push(d);
    return d;
  };

  it("uses REDIS_URL when it is set, without probing or starting anything", async () => {
    const handle = await ensureRedis({ url: "redis://example:6390", dataDir: tempDir(), path: "" });
    expect(handle).toMatchObject({ url: "redis://example:6390", source: "REDIS_URL" });
  });

  it("uses the Redis that answers on the probed address", async () => {
    const url = new URL(REDIS_URL);
    const handle = await ensureRedis({
      dataDir: tempDir(),
      probe: { host: url.hostname, port: Number(url.port || 6379) },
      path: "",
    });
    expect(handle.source).toBe("running");
  });

  it("starts redis-server from PATH with its files under the data dir, and stops it", async () => {
    const dataDir = tempDir();
    const handle = await ensureRedis({ dataDir, probe: { host: "127.0.0.1", port: await freePort() } });
    try {
      expect(handle.source).toBe("started");
      const port = Number(new URL(handle.url).port);
      expect(await answersPing("127.0.0.1", port)).toBe(true);
      expect(readFileSync(join(dataDir, "redis", "redis.log"), "utf8")).toContain(
        "Ready to accept connections",
      );
      await handle.stop();
      expect(await answersPing("127.0.0.1", port)).toBe(false);
    } finally {
      await handle.stop();
    }
  });

  it("says in one line how to get Redis when there is none", async () => {
    const attempt = ensureRedis({
      dataDir: tempDir(),
      probe: { host: "127.0.0.1", port: await freePort() },
      path: "",
    });
    await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(HOW_TO_GET_REDIS);
    expect(HOW_TO_GET_REDIS).not.toContain("\n");
  });
});
