// Remediation end to end: alerts in through the webhook, runs through the real `remediate` queue and
// worker on real Redis, handlers against a local HTTP server and real scripts, outcomes in the
// (fake) Slack thread and DMs.

import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import type { Settings } from "../../src/config/env";
import type { Alert, AlertEvent } from "../../src/core/alert";
import { isAlive } from "../handlers/helpers";
import { eventually, type Harness, startHarness } from "../support/harness";
import { settled } from "../support/settled";
import { blockActionsBody, viewSubmissionBody } from "../support/slack-requests";

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "org-remediation");
const CHANNEL = "C0ONCALL";
const ONCALL = "U02AAA";

// ---------------------------------------------------------------------------------------------
// A local endpoint for http-request

interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the endpoint answers to its n-th request (0-based); "hang" never answers. */
type Answer = (n: number, req: Received) => number | "hang" | Promise<number | "hang">;

interface Endpoint {
  readonly port: number;
  readonly received: Received[];
  close(): Promise<void>;
}

async function startEndpoint(answer: Answer): Promise<Endpoint> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", async () => {
      const r = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      const n = received.push(r) - 1;
      const status = await answer(n, r);
      if (status === "hang") return;
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(status >= 400 ? `upstream says ${status}` : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A config dir per test, with the runbooks that name a remediation written in

const cleanups: (() => Promise<void> | void)[] = [];
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

function configDir(runbooks: Record<string, string>, scripts: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "oncall-remediation-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(FIXTURE, dir, { recursive: true });
  for (const [alert, remediation] of Object.entries(runbooks)) {
    writeFileSync(
      join(dir, "runbooks", `${alert}.md`),
      `---\nalert: ${alert}\nremediation: ${remediation}\n---\n## Context\nstream-api.\n\n## Meaning\n${alert} fires.\n`,
    );
  }
  for (const [name, text] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

async function start(dir: string, settings: Partial<Settings> = {}): Promise<Harness> {
  h = await startHarness({ configDir: dir, settings });
  return h;
}

/**
 * A bot whose CacheStale runbook flushes a local endpoint (answering 204) by http-request, run
 * automatically or by hand; the endpoint closes after the test.
 */
async function withFlushEndpoint(auto: boolean): Promise<{ ep: Endpoint; hh: Harness }> {
  const ep = await startEndpoint(() => 204);
  cleanups.push(() => ep.close());
  const url = `http://127.0.0.1:${ep.port}/flush`;
  const hh = await start(
    configDir({ CacheStale: `{ handler: http-request, params: { url: "${url}" }, auto: ${auto} }` }),
  );
  return { ep, hh };
}

// ---------------------------------------------------------------------------------------------
// Alerts in

interface InstanceInput {
  readonly fp: string;
  readonly labels?: Record<string, string>;
  readonly status?: "firing" | "resolved";
}

function amPayload(name: string, instances: readonly InstanceInput[]) {
  const alerts = instances.map((i) => ({
    status: i.status ?? "firing",
    labels: { alertname: name, job: "stream-api", ...i.labels },
    annotations: { summary: `${name} on ${i.fp}` },
    startsAt: "2026-11-25T09:58:00Z",
    endsAt: i.status === "resolved" ? "2026-11-25T10:02:00Z" : "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example:9090/graph",
    fingerprint: i.fp,
  }));
  return {
    receiver: "shared-oncall",
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    alerts,
    groupLabels: { alertname: name },
    commonLabels: { alertname: name, job: "stream-api" },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example:9093",
    version: "4",
    groupKey: `{}:{alertname="${name}"}`,
    truncatedAlerts: 0,
  };
}

async function fire(hh: Harness, name: string, instances: readonly InstanceInput[] = [{ fp: "0a0a0a0a" }]) {
  const res = await hh.webhook("/webhooks/alertmanager", amPayload(name, instances));
  expect(res.status).toBe(200);
  return ((await res.json()) as { status: string; alert: { id: string } }).alert.id;
}

async function resolveAll(hh: Harness, name: string, fps: readonly string[] = ["0a0a0a0a"]) {
  await fire(
    hh,
    name,
    fps.map((fp) => ({ fp, status: "resolved" as const })),
  );
}

async function alertOf(hh: Harness, id: string): Promise<Alert> {
  const a = await hh.app.alerts.get(id);
  if (!a) throw new Error(`alert ${id} is not stored`);
  return a;
}

async function timeline(hh: Harness, id: string): Promise<string[]> {
  return (await hh.app.alerts.events(id))
    .filter((e: AlertEvent) => e.type === "remediation")
    .map((e) => e.text);
}

async function thread(hh: Harness, id: string): Promise<string[]> {
  const d = await hh.app.delivery.get(id);
  return d.ts && d.channel ? hh.slack.thread(d.channel, d.ts).map((m) => m.text) : [];
}

/** Waits until the thread holds a line matching each pattern, in that order. */
async function threadShows(hh: Harness, id: string, ...patterns: (string | RegExp)[]): Promise<string[]> {
  return eventually(
    async () => {
      const lines = await thread(hh, id);
      let from = 0;
      for (const p of patterns) {
        const at = lines.findIndex(
          (l, i) => i >= from && (typeof p === "string" ? l.includes(p) : p.test(l)),
        );
        if (at < 0) return false;
        from = at + 1;
      }
      return lines;
    },
    15_000,
    `thread lines ${patterns.map(String).join(" | ")}`,
  );
}

async function runsFinished(hh: Harness, id: string): Promise<Alert> {
  return eventually(async () => {
    const a = await alertOf(hh, id);
    return a.state !== "remediating" && !a.remediating ? a : false;
  });
}

function dmTexts(hh: Harness, user: string): string[] {
  return hh.slack.messages(hh.slack.dmChannel(user)).map((m) => m.text);
}

// ---------------------------------------------------------------------------------------------

describe("http-request remediation", () => {
  it("runs on the first firing, shows remediating while in flight, and reports success in the thread", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const ep = await startEndpoint(async () => {
      await held;
      return 204;
    });
    cleanups.push(() => ep.close());
    const hh = await start(
      configDir({
        CacheStale: `{ handler: http-request, params: { url: "http://127.0.0.1:${ep.port}/flush?service={{labels.job}}" }, auto: true }`,
      }),
    );
    const id = await fire(hh, "CacheStale");

    await eventually(() => ep.received.length === 1, 8_000, "the request");
    const page = await eventually(async () => {
      const d = await hh.app.delivery.get(id);
      const m = d.ts ? hh.slack.message(CHANNEL, d.ts) : undefined;
      return m?.text.startsWith("🛠️") ? m : false;
    });
    expect(JSON.stringify(page.blocks)).toContain("remediating since");
    expect((await alertOf(hh, id)).state).toBe("remediating");

    release();
    await threadShows(
      hh,
      id,
      "🛠 Running http-request (attempt 1 of 3)…",
      /^✅ http-request: POST http:\/\/127\.0\.0\.1:\d+\/flush\?… → 204 in \d+ ms$/,
    );
    const after = await runsFinished(hh, id);
    expect(after.state).toBe("firing");
    await eventually(async () =>
      hh.slack.message(CHANNEL, (await hh.app.delivery.get(id)).ts!)?.text.startsWith("🔴"),
    );
    expect(ep.received[0]).toMatchObject({ method: "POST", path: "/flush?service=stream-api" });
    expect(ep.received[0]?.headers["idempotency-key"]).toBe(`rem-${id}-auto-group`);
    expect(await timeline(hh, id)).toHaveLength(2);
  });

  it("retries a 500 with backoff and succeeds on the second attempt", async () => {
    const ep = await startEndpoint((n) => (n === 0 ? 500 : 200));
    cleanups.push(() => ep.close());
    const hh = await start(
      configDir({
        CacheStale: `{ handler: http-request, params: { url: "http://127.0.0.1:${ep.port}/flush" }, auto: true }`,
      }),
    );
    const id = await fire(hh, "CacheStale");
    const lines = await threadShows(
      hh,
      id,
      "🛠 Running http-request (attempt 1 of 3)…",
      /^❌ http-request attempt 1 of 3 failed: POST .* → 500 in \d+ ms: upstream says 500; retrying in 1s$/,
      "🛠 Running http-request (attempt 2 of 3)…",
      /^✅ http-request: POST .* → 200/,
    );
    expect(lines.filter((l) => l.startsWith("🛠"))).toHaveLength(2);
    expect(ep.received).toHaveLength(2);
    // A retry is the same remediation: the receiver can dedupe it by its key.
    expect(ep.received[1]?.headers["idempotency-key"]).toBe(ep.received[0]?.headers["idempotency-key"]);
    expect((await runsFinished(hh, id)).state).toBe("firing");
    expect(dmTexts(hh, ONCALL).some((t) => t.includes("Automation failed"))).toBe(false);
  });

  it("aborts at the runbook's timeout and, on the final attempt, pages the on-call engineer", async () => {
    const ep = await startEndpoint(() => "hang");
    cleanups.push(() => ep.close());
    const hh = await start(
      configDir({
        CacheStale: `{ handler: http-request, params: { url: "http://127.0.0.1:${ep.port}/flush" }, auto: true, retries: 0, timeout: 1s }`,
      }),
    );
    const started = Date.now();
    const id = await fire(hh, "CacheStale");
    await threadShows(
      hh,
      id,
      "🛠 Running http-request (attempt 1 of 1)…",
      `❌ http-request failed (tried once): http-request aborted: timed out\n🚨 Automation failed; paging <@${ONCALL}> to take over.`,
    );
    expect(Date.now() - started).toBeLessThan(8_000);
    const dm = await eventually(() => dmTexts(hh, ONCALL).find((t) => t.includes("Automation failed")));
    expect(dm).toContain("Automation failed for CacheStale: the runbook's http-request remediation ran once");
    expect(dm).toContain("timed out");
    expect(dm).toContain(`<#${CHANNEL}>`);
    expect((await runsFinished(hh, id)).state).toBe("firing");
  });
});

describe("the DM after a failed remediation", () => {
  it("waits out Slack's Retry-After, like every other queue, and is sent once", async () => {
    let answer: (status: number) => void = () => {};
    const upstream = new Promise<number>((r) => {
      answer = r;
    });
    const ep = await startEndpoint(() => upstream);
    cleanups.push(() => ep.close());
    const hh = await start(
      configDir({
        CacheStale: `{ handler: http-request, params: { url: "http://127.0.0.1:${ep.port}/flush" }, auto: true, retries: 0 }`,
      }),
    );
    const id = await fire(hh, "CacheStale");
    // The on-call DM copy of the page is out; the next DM opened is the one about the failure.
    await eventually(() => dmTexts(hh, ONCALL).length === 1, 8_000, "the on-call DM");
    await eventually(() => ep.received.length === 1, 8_000, "the remediation request");
    // Longer than the job's own first backoff (1 s): only honouring Retry-After waits this long.
    const toOncall = (args: Readonly<Record<string, unknown>>) => args.channel === ONCALL;
    hh.slack.failNext("chat.postMessage", { status: 429, retryAfterSec: 3 }, 1, toOncall);
    answer(500);
    const dm = await eventually(
      () => dmTexts(hh, ONCALL).find((t) => t.includes("Automation failed")),
      10_000,
      "the failure DM",
    );
    expect(dm).toContain("CacheStale");
    // Posted to the user id: no conversations.open for it.
    expect(hh.slack.callsTo("conversations.open")).toHaveLength(0);
    const dmPosts = hh.slack.callsTo("chat.postMessage").filter((c) => toOncall(c.args));
    const limited = dmPosts.find((c) => c.status === 429);
    expect(limited).toBeDefined();
    const sent = dmPosts.filter((c) => c.status === 200 && c.at > limited!.at);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.at.getTime() - limited!.at.getTime()).toBeGreaterThanOrEqual(2_900);
    await runsFinished(hh, id);
    await settled(hh);
    expect(dmTexts(hh, ONCALL).filter((t) => t.includes("Automation failed"))).toHaveLength(1);
  });
});

describe("command remediation", () => {
  it("passes each firing instance's labels as env and argv, keeps shell metacharacters inert, and runs each new instance once", async () => {
    const dir = configDir(
      {},
      {
        "restart.sh": `#!/bin/sh\nprintf '%s\\n' "$ALERT_POD" > "$OUT/env-$ALERT_FINGERPRINT"\nprintf '%s\\n' "$1" > "$OUT/arg-$ALERT_FINGERPRINT"\necho "restarted $ALERT_POD"\n`,
      },
    );
    writeFileSync(
      join(dir, "runbooks", "PodCrashLooping.md"),
      `---\nalert: PodCrashLooping\nremediation: { handler: command, params: { executable: "${join(dir, "restart.sh")}", args: ["{{labels.pod}}"], env: { OUT: "${dir}" } }, auto: true, per_instance: true }\n---\n## Context\nx\n\n## Meaning\ny\n`,
    );
    const hh = await start(dir);
    const evil = `$(touch ${dir}/pwned); \`touch ${dir}/pwned2\` && rm -rf ${dir} ; echo "x" | tee ${dir}/pwned3`;
    const first = [
      { fp: "00000000000000a1", labels: { pod: "stream-api-7f9c" } },
      { fp: "00000000000000a2", labels: { pod: evil } },
    ];
    const id = await fire(hh, "PodCrashLooping", first);
    await threadShows(hh, id, "✅ command on stream-api-7f9c: restarted stream-api-7f9c");
    await eventually(async () => (await timeline(hh, id)).filter((t) => t.startsWith("✅")).length === 2);
    expect(readFileSync(join(dir, "env-00000000000000a1"), "utf8")).toBe("stream-api-7f9c\n");
    expect(readFileSync(join(dir, "env-00000000000000a2"), "utf8")).toBe(`${evil}\n`);
    expect(readFileSync(join(dir, "arg-00000000000000a2"), "utf8")).toBe(`${evil}\n`);
    for (const f of ["pwned", "pwned2", "pwned3"]) expect(existsSync(join(dir, f))).toBe(false);

    // The same notification again changes nothing; a third instance joining runs once, for it alone.
    await fire(hh, "PodCrashLooping", first);
    await fire(hh, "PodCrashLooping", [
      ...first,
      { fp: "00000000000000a3", labels: { pod: "stream-api-0d4e" } },
    ]);
    await fire(hh, "PodCrashLooping", [
      ...first,
      { fp: "00000000000000a3", labels: { pod: "stream-api-0d4e" } },
    ]);
    await threadShows(hh, id, "✅ command on stream-api-0d4e: restarted stream-api-0d4e");
    await settled(hh);
    await runsFinished(hh, id);
    const runs = (await timeline(hh, id)).filter((t) => t.startsWith("🛠"));
    expect(runs).toHaveLength(3);
  });

  it("retries a non-zero exit, then reports the exit code and pages the on-call engineer", async () => {
    const dir = configDir({}, { "fail.sh": `#!/bin/sh\necho "cache node unreachable" >&2\nexit 3\n` });
    writeFileSync(
      join(dir, "runbooks", "CacheStale.md"),
      `---\nalert: CacheStale\nremediation: { handler: command, params: { executable: "${join(dir, "fail.sh")}" }, auto: true, retries: 1 }\n---\n## Context\nx\n\n## Meaning\ny\n`,
    );
    const hh = await start(dir);
    const id = await fire(hh, "CacheStale");
    await threadShows(
      hh,
      id,
      "🛠 Running command (attempt 1 of 2)…",
      /^❌ command attempt 1 of 2 failed: .*fail\.sh exited with code 3: cache node unreachable; retrying in 1s$/,
      "🛠 Running command (attempt 2 of 2)…",
      /^❌ command failed \(tried 2 times\): .*fail\.sh exited with code 3: cache node unreachable\n🚨 Automation failed; paging <@U02AAA> to take over\.$/,
    );
    const dm = await eventually(() => dmTexts(hh, ONCALL).find((t) => t.includes("Automation failed")));
    expect(dm).toContain("command remediation ran 2 times");
    expect(dm).toContain("exited with code 3");
  });

  it("kills the script and what it started when the timeout passes", async () => {
    const dir = configDir(
      {},
      { "hang.sh": `#!/bin/sh\necho $$ > "$OUT/pid"\nsleep 30 &\necho $! > "$OUT/child"\nwait\n` },
    );
    writeFileSync(
      join(dir, "runbooks", "CacheStale.md"),
      `---\nalert: CacheStale\nremediation: { handler: command, params: { executable: "${join(dir, "hang.sh")}", env: { OUT: "${dir}" } }, auto: true, retries: 0, timeout: 1s }\n---\n## Context\nx\n\n## Meaning\ny\n`,
    );
    const hh = await start(dir);
    const id = await fire(hh, "CacheStale");
    await threadShows(hh, id, "❌ command failed (tried once): command aborted: timed out");
    const pid = Number(readFileSync(join(dir, "pid"), "utf8"));
    const child = Number(readFileSync(join(dir, "child"), "utf8"));
    await eventually(() => !isAlive(pid) && !isAlive(child), 5_000, "the script and its sleep to be gone");
    await eventually(() => dmTexts(hh, ONCALL).some((t) => t.includes("Automation failed")));
  });
});

describe("stopping the bot", () => {
  it("aborts a running handler, hands the run back without spending an attempt, and runs it again after the restart", async () => {
    // At-least-once in action: the script runs twice, so it must be idempotent (a marker per ALERT_RUN_ID).
    const dir = configDir(
      {},
      {
        "slow.sh": `#!/bin/sh\nif [ -f "$OUT/$ALERT_RUN_ID" ]; then echo "second delivery: done"; exit 0; fi\ntouch "$OUT/$ALERT_RUN_ID"\nexec sleep 30\n`,
      },
    );
    writeFileSync(
      join(dir, "runbooks", "CacheStale.md"),
      `---\nalert: CacheStale\nremediation: { handler: command, params: { executable: "${join(dir, "slow.sh")}", env: { OUT: "${dir}" } }, auto: true }\n---\n## Context\nx\n\n## Meaning\ny\n`,
    );
    const hh = await start(dir);
    const id = await fire(hh, "CacheStale");
    await eventually(() => existsSync(join(dir, `rem-${id}-auto-group`)), 8_000, "the first run to start");
    const stopping = Date.now();
    await hh.restart();
    expect(Date.now() - stopping).toBeLessThan(8_000);
    expect((await alertOf(hh, id)).state).toBe("remediating");
    await threadShows(
      hh,
      id,
      "🛠 Running command (attempt 1 of 3)…",
      "🛠 Running command (attempt 1 of 3)…",
      "✅ command: second delivery: done",
    );
    expect((await timeline(hh, id)).some((t) => t.includes("failed"))).toBe(false);
    expect((await runsFinished(hh, id)).state).toBe("firing");
  });
});

describe("automatic runs", () => {
  it("runs once per occurrence even when the same notification arrives twice, and again for a new occurrence", async () => {
    const { ep, hh } = await withFlushEndpoint(true);
    const [id, again] = await Promise.all([fire(hh, "CacheStale"), fire(hh, "CacheStale")]);
    expect(again).toBe(id);
    await fire(hh, "CacheStale");
    await threadShows(hh, id, /^✅ http-request/);
    await settled(hh);
    expect(ep.received).toHaveLength(1);
    expect((await timeline(hh, id)).filter((t) => t.startsWith("🛠"))).toHaveLength(1);

    await resolveAll(hh, "CacheStale");
    const next = await fire(hh, "CacheStale");
    expect(next).not.toBe(id);
    await threadShows(hh, next, /^✅ http-request/);
    expect(ep.received).toHaveLength(2);
    expect(ep.received[1]?.headers["idempotency-key"]).toBe(`rem-${next}-auto-group`);
  });

  it("skips a run whose alert resolved before it started", async () => {
    const { ep, hh } = await withFlushEndpoint(true);
    // Pause the workers so the resolution lands before the run starts.
    const queue = hh.app.queues.remediate;
    await queue.pause();
    const id = await fire(hh, "CacheStale");
    await resolveAll(hh, "CacheStale");
    await queue.resume();
    await eventually(async () =>
      (await timeline(hh, id)).includes("⏭ http-request not run: the alert resolved before it started"),
    );
    expect(ep.received).toHaveLength(0);
    expect((await alertOf(hh, id)).state).toBe("resolved");
  });
});

describe("the Run remediation button", () => {
  async function pageOf(hh: Harness, id: string) {
    return eventually(async () => {
      const d = await hh.app.delivery.get(id);
      return d.ts ? d.ts : false;
    });
  }

  function press(hh: Harness, id: string, ts: string, userId: string) {
    return hh.slackPost(
      blockActionsBody({ actionId: "alert.remediate", value: id, userId, channelId: CHANNEL, messageTs: ts }),
    );
  }

  it("refuses strangers, asks participants to confirm, and runs on confirmation", async () => {
    const { ep, hh } = await withFlushEndpoint(false);
    const id = await fire(hh, "CacheStale");
    const ts = await pageOf(hh, id);
    expect(JSON.stringify(hh.slack.message(CHANNEL, ts)?.blocks)).toContain("alert.remediate");
    await settled(hh);
    expect(ep.received).toHaveLength(0);

    expect((await press(hh, id, ts, "U0OUTSIDER")).status).toBe(200);
    const refusal = await eventually(() => hh.slack.ephemerals(CHANNEL, "U0OUTSIDER")[0]);
    expect(refusal.text).toContain("Only the participants and admins");
    expect(hh.slack.callsTo("views.open")).toHaveLength(0);

    await press(hh, id, ts, ONCALL);
    const open = await hh.slack.waitFor((c) => c.method === "views.open");
    const view = open.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(view.callback_id).toBe("alert.remediate.confirm");
    expect(JSON.stringify(view.blocks)).toContain(
      "Run *http-request* for *CacheStale · stream-api (Playback)*",
    );
    expect(JSON.stringify(view.blocks)).toContain(`127.0.0.1:${ep.port}/flush`);
    expect(ep.received).toHaveLength(0);

    const submit = await hh.slackPost(
      viewSubmissionBody({
        callbackId: "alert.remediate.confirm",
        privateMetadata: view.private_metadata,
        userId: ONCALL,
      }),
    );
    expect(submit.status).toBe(200);
    await threadShows(
      hh,
      id,
      `🛠 Running http-request (attempt 1 of 3, requested by <@${ONCALL}>)…`,
      /^✅ http-request: POST/,
    );
    expect(ep.received).toHaveLength(1);
    // A second confirmed press is a new run (numbered anew), not a duplicate of the first.
    await runsFinished(hh, id);
    await press(hh, id, ts, "U01AAA");
    const second = await hh.slack.waitFor((c) => c.method === "views.open" && c !== open);
    await hh.slackPost(
      viewSubmissionBody({
        callbackId: "alert.remediate.confirm",
        privateMetadata: (second.args.view as { private_metadata: string }).private_metadata,
        userId: "U01AAA",
      }),
    );
    await eventually(() => ep.received.length === 2);
    expect(ep.received.map((r) => r.headers["idempotency-key"])).toEqual([
      `rem-${id}-manual-1`,
      `rem-${id}-manual-2`,
    ]);
  });

  it("runs the handler once when two confirmations for the same alert, handler and target race", async () => {
    const ep = await startEndpoint(async () => {
      await new Promise((r) => setTimeout(r, 400));
      return 204;
    });
    cleanups.push(() => ep.close());
    const url = `http://127.0.0.1:${ep.port}/flush`;
    const hh = await start(
      configDir({ CacheStale: `{ handler: http-request, params: { url: "${url}" }, auto: false }` }),
    );
    const id = await fire(hh, "CacheStale");
    const ts = await pageOf(hh, id);
    await settled(hh);
    await press(hh, id, ts, ONCALL);
    const first = await hh.slack.waitFor((c) => c.method === "views.open");
    await press(hh, id, ts, "U01AAA");
    const second = await hh.slack.waitFor((c) => c.method === "views.open" && c !== first);
    const submit = (call: typeof first, userId: string) =>
      hh.slackPost(
        viewSubmissionBody({
          callbackId: "alert.remediate.confirm",
          privateMetadata: (call.args.view as { private_metadata: string }).private_metadata,
          userId,
        }),
      );
    await Promise.all([submit(first, ONCALL), submit(second, "U01AAA")]);
    await eventually(() => ep.received.length >= 1);
    // Whoever lost the race hears so, with who started the run that goes on, and what to do.
    const told = await eventually(
      () => {
        const all = [ONCALL, "U01AAA"].flatMap((u) =>
          hh.slack.ephemerals(CHANNEL, u).map((m) => ({ user: u, text: m.text })),
        );
        return all.find((m) => m.text.includes("already under way"));
      },
      8_000,
      "the ephemeral to the confirmation that lost",
    );
    const winner = told.user === ONCALL ? "U01AAA" : ONCALL;
    expect(told.text).toContain(`http-request (started by <@${winner}> <!date^`);
    expect(told.text).toContain("Press Run remediation again once it has finished");
    await runsFinished(hh, id);
    await new Promise((r) => setTimeout(r, 300));
    expect(ep.received).toHaveLength(1);
    const answers = [ONCALL, "U01AAA"].flatMap((u) => hh.slack.ephemerals(CHANNEL, u));
    expect(answers).toHaveLength(1);
  });

  it("refuses ephemerally when the runbook has no remediation or the alert is resolved", async () => {
    const { ep, hh } = await withFlushEndpoint(false);
    const plain = await fire(hh, "NoRemediation");
    await press(hh, plain, await pageOf(hh, plain), ONCALL);
    const none = await eventually(() => hh.slack.ephemerals(CHANNEL, ONCALL)[0]);
    expect(none.text).toContain("names no remediation");
    expect(none.text).toContain("runbooks/NoRemediation.md");

    const id = await fire(hh, "CacheStale");
    const ts = await pageOf(hh, id);
    await resolveAll(hh, "CacheStale");
    await press(hh, id, ts, ONCALL);
    const resolved = await eventually(() => hh.slack.ephemerals(CHANNEL, ONCALL)[1]);
    expect(resolved.text).toContain("already resolved");
    expect(hh.slack.callsTo("views.open")).toHaveLength(0);
    expect(ep.received).toHaveLength(0);
  });
});

describe("loop guard", () => {
  it("stops automation on the 4th run within an hour for the same alert group, says so, and allows it again later", async () => {
    const { ep, hh } = await withFlushEndpoint(true);
    // A flapping alert: it fires, gets remediated, resolves, fires again…
    for (let i = 1; i <= 3; i++) {
      const id = await fire(hh, "CacheStale");
      await threadShows(hh, id, /^✅ http-request/);
      await runsFinished(hh, id);
      await resolveAll(hh, "CacheStale");
      hh.clock.advance(5 * 60_000);
    }
    expect(ep.received).toHaveLength(3);

    const fourth = await fire(hh, "CacheStale");
    await threadShows(
      hh,
      fourth,
      "⛔ Loop guard: http-request ran 3 times in 1h for this alert group; automation stopped",
    );
    await settled(hh);
    expect(ep.received).toHaveLength(3);
    const a = await runsFinished(hh, fourth);
    expect(a.state).toBe("firing");

    // A person pressing the button meets the same guard.
    const ts = (await hh.app.delivery.get(fourth)).ts!;
    await hh.slackPost(
      blockActionsBody({
        actionId: "alert.remediate",
        value: fourth,
        userId: ONCALL,
        channelId: CHANNEL,
        messageTs: ts,
      }),
    );
    const refusal = await eventually(() => hh.slack.ephemerals(CHANNEL, ONCALL)[0]);
    expect(refusal.text).toContain("⛔ Loop guard");
    expect(hh.slack.callsTo("views.open")).toHaveLength(0);

    // Once the first runs leave the window, automation resumes.
    await resolveAll(hh, "CacheStale");
    hh.clock.advance(60 * 60_000);
    const fifth = await fire(hh, "CacheStale");
    await threadShows(hh, fifth, /^✅ http-request/);
    expect(ep.received).toHaveLength(4);
    // Five occurrences in one channel, each a page and its thread notes, paced at Slack's one post
    // per second per channel: some 25 s of posting by design.
  }, 60_000);
});

describe("the group cap", () => {
  it("refuses per-instance runs beyond REMEDIATION_GROUP_LIMIT for the group, notes it once in the thread and counts it", async () => {
    const ep = await startEndpoint(() => 204);
    cleanups.push(() => ep.close());
    const hh = await start(
      configDir({
        PodCrashLooping: `{ handler: http-request, params: { url: "http://127.0.0.1:${ep.port}/restart?pod={{labels.pod}}" }, auto: true, per_instance: true }`,
      }),
      { remediationGroupCap: { runs: 2, windowMs: 3_600_000 } },
    );
    // Churning pod names: every instance is a new target, so the per-target loop guard never trips.
    const pods = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        fp: `00000000000000b${i}`,
        labels: { pod: `stream-api-${i}` },
      }));
    const id = await fire(hh, "PodCrashLooping", pods(3));
    await threadShows(hh, id, "⛔ Remediation cap: http-request ran 2 times in 1h for this alert group");
    await fire(hh, "PodCrashLooping", pods(5));
    await eventually(
      async () => {
        const text = await hh.app.metrics.registry.getSingleMetricAsString(
          "oncall_remediation_refused_total",
        );
        return text.includes('oncall_remediation_refused_total{reason="group-cap",handler="http-request"} 3');
      },
      15_000,
      "three refusals counted",
    );
    await settled(hh);
    await runsFinished(hh, id);
    expect(ep.received).toHaveLength(2);
    const lines = await timeline(hh, id);
    expect(lines.filter((l) => l.startsWith("⛔ Remediation cap"))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("✅"))).toHaveLength(2);
  });
});

describe("wait-and-recheck", () => {
  it("waits as a delayed job: with one worker slot another run goes ahead during the wait", async () => {
    const { ep, hh } = await (async () => {
      const ep = await startEndpoint(() => 204);
      cleanups.push(() => ep.close());
      const hh = await start(
        configDir({
          FlappingAlert: `{ handler: wait-and-recheck, params: { wait: "3s" }, auto: true, retries: 0 }`,
          CacheStale: `{ handler: http-request, params: { url: "http://127.0.0.1:${ep.port}/flush" }, auto: true }`,
        }),
        { remediationConcurrency: 1 },
      );
      return { ep, hh };
    })();
    const waiting = await fire(hh, "FlappingAlert");
    // The timeline, not the thread: thread notes are paced behind pages, the wait is not.
    await eventually(async () =>
      (await timeline(hh, waiting)).includes("⏳ wait-and-recheck: waiting 3s, then checking again"),
    );
    const waitStarted = Date.now();
    expect((await alertOf(hh, waiting)).state).toBe("remediating");

    const other = await fire(hh, "CacheStale");
    await eventually(() => ep.received.length === 1, 5_000, "the other run's request");
    // Done inside the wait: a sleeping handler would have held the only slot for 3 s.
    expect(Date.now() - waitStarted).toBeLessThan(2_500);
    expect((await timeline(hh, waiting)).some((l) => l.includes("still firing"))).toBe(false);
    await threadShows(hh, other, /^✅ http-request/);
    expect(ep.received).toHaveLength(1);

    await threadShows(
      hh,
      waiting,
      "⏳ wait-and-recheck: waiting 3s, then checking again",
      /^❌ wait-and-recheck: still firing after 3s\n🚨 Automation failed; paging/,
    );
    expect(Date.now() - waitStarted).toBeGreaterThanOrEqual(2_900);
    expect((await runsFinished(hh, waiting)).state).toBe("firing");
    // One run, shown as started once.
    expect((await timeline(hh, waiting)).filter((l) => l.startsWith("🛠"))).toHaveLength(1);
  });

  it("reports a resolution during the wait as the handler's answer, not a skipped run", async () => {
    const hh = await start(
      configDir({
        FlappingAlert: `{ handler: wait-and-recheck, params: { wait: "2s" }, auto: true, retries: 0 }`,
      }),
    );
    const id = await fire(hh, "FlappingAlert");
    await eventually(async () =>
      (await timeline(hh, id)).includes("⏳ wait-and-recheck: waiting 2s, then checking again"),
    );
    await resolveAll(hh, "FlappingAlert");
    await eventually(async () =>
      (await timeline(hh, id)).includes("✅ wait-and-recheck: resolved by itself after 2s"),
    );
    expect((await timeline(hh, id)).some((l) => l.startsWith("⏭"))).toBe(false);
    expect((await alertOf(hh, id)).state).toBe("resolved");
  });
});
