// Socket Mode for real: the bot opens its socket through apps.connections.open with the app-level
// token, starts on Slack's hello, acknowledges every envelope with its envelope_id within 3 s, and
// reconnects when the socket drops or Slack asks for a refresh. The buttons and commands suites
// also run over Socket Mode as a whole (the vitest project "socket-mode" in vitest.config.ts).

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type Sandbox, startSandbox } from "../../sandbox/server";
import { ACK_TIMEOUT_MS } from "../../sandbox/socket-mode";
import { loadConfig } from "../../src/config/load";
import { createLogger } from "../../src/platform/log";
import {
  APP_TOKEN,
  eventually,
  type Harness,
  ORG_DIR,
  REDIS_URL,
  slashCommand,
  startHarness,
} from "../support/harness";
import {
  appHomeOpenedBody,
  blockActionsBody,
  newTriggerId,
  viewSubmissionBody,
} from "../support/slack-requests";
import { ephemeralTo, pageAlert, press, stored } from "./alert-press";

let h: Harness | undefined;
let sb: Sandbox | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  await sb?.close();
  sb = undefined;
});

/** The SDK waits 5 s before it reconnects; give it that and the handshake. */
const RECONNECT_MS = 12_000;

function socketHarness() {
  return startHarness({ transport: "socket" });
}

async function callApi(url: string, method: string, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${method}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ channel: "C0ONCALL", text: "hi" }),
  });
  return (await res.json()) as Record<string, unknown>;
}

/**
 * Cuts the connection with `cut`, waits `ms` for the old one to go (`what`), then expects the bot to
 * have opened a second connection through apps.connections.open and to hold that one alone.
 */
async function reconnectAfter(
  hh: Harness,
  cut: (sm: Harness["slack"]["socketMode"]) => void,
  ms: number,
  what: string,
): Promise<void> {
  const sm = hh.slack.socketMode;
  cut(sm);
  await eventually(() => sm.connections === 0, ms, what);
  await hh.slack.socketMode.waitForHello(2, RECONNECT_MS);
  expect(hh.slack.callsTo("apps.connections.open").filter((c) => c.response.ok)).toHaveLength(2);
  expect(hh.slack.socketMode.connections).toBe(1);
}

describe("the fake Slack's Socket Mode", () => {
  it("hands out one-time ws:// URLs for an app-level token only, and greets a connection with hello", async () => {
    h = await startHarness();
    const api = h.slack.url;
    expect(await callApi(api, "apps.connections.open", "xoxb-test")).toEqual({
      ok: false,
      error: "not_allowed_token_type",
    });
    expect(await callApi(api, "chat.postMessage", APP_TOKEN)).toMatchObject({
      ok: false,
      error: "not_allowed_token_type",
    });
    const open = await callApi(api, "apps.connections.open", APP_TOKEN);
    expect(open.ok).toBe(true);
    const url = String(open.url);
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f]+&app_id=A0ONCALL$/);

    const first = new WebSocket(url);
    const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
      first.once("message", (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
      first.once("error", reject);
    });
    expect(hello).toMatchObject({
      type: "hello",
      num_connections: 1,
      connection_info: { app_id: "A0ONCALL" },
    });
    first.close();

    const reused = new WebSocket(url);
    const status = await new Promise<number>((resolve) => {
      reused.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      reused.once("open", () => resolve(101));
    });
    expect(status).toBe(401);
  });

  it("records an envelope nobody acknowledges within 3 s, and answers it like Bolt's HTTP endpoint", async () => {
    h = await socketHarness();
    const sm = h.slack.socketMode;
    const started = Date.now();
    // No listener handles this action, so the bot never acknowledges it.
    const res = await h.slackPost(
      blockActionsBody({
        actionId: "no.such.action",
        userId: "U02AAA",
        channelId: "C0ONCALL",
        messageTs: "1.1",
      }),
    );
    expect(res.status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(ACK_TIMEOUT_MS - 50);
    expect(sm.unacked()).toHaveLength(1);
    expect(sm.unacked()[0]).toMatchObject({
      type: "interactive",
      payload: { type: "block_actions", actions: [expect.objectContaining({ action_id: "no.such.action" })] },
    });
    expect(sm.acks.filter((a) => a.inTime)).toEqual([]);
  });
});

describe("the bot over Socket Mode", () => {
  it("connects with the app-level token at start and takes no Slack requests over HTTP", async () => {
    h = await socketHarness();
    const opens = h.slack.callsTo("apps.connections.open");
    expect(opens).toHaveLength(1);
    expect(opens[0]!.response).toMatchObject({
      ok: true,
      url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:/),
    });
    expect(h.slack.socketMode.hellos).toBe(1);
    expect(h.slack.socketMode.connections).toBe(1);
    const overHttp = await fetch(`${h.app.url}/slack/events`, { method: "POST", body: "command=/oncall" });
    expect(overHttp.status).toBe(404);
  });

  it("acknowledges commands, presses, submissions and events with their envelope_id within 3 s", async () => {
    h = await socketHarness();
    const sm = h.slack.socketMode;

    const who = await slashCommand(h, "/oncall", "U01AAA", "who");
    expect(String(who.args.text)).toContain("<@");

    const page = await pageAlert(h);
    await press(h, "alert.escalate", page, "U02AAA", { triggerId: newTriggerId() });
    await h.slack.waitFor((c) => c.method === "views.open" && c.response.ok === true);

    // A submission's validation errors travel back in the ack (accepts_response_payload).
    const refused = await h.slackPost(
      viewSubmissionBody({
        callbackId: "alert.escalate",
        privateMetadata: JSON.stringify({ alertId: page.id }),
        values: { detail: { text: "" } },
        userId: "U02AAA",
      }),
    );
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.body)).toMatchObject({
      response_action: "errors",
      errors: { reason: expect.any(String) },
    });

    const home = await h.slackPost(
      appHomeOpenedBody({ userId: "U01AAA", channelId: h.slack.dmChannel("U01AAA") }),
    );
    expect(home.status).toBe(200);
    await h.slack.waitFor((c) => c.method === "views.publish" && c.args.user_id === "U01AAA");

    expect(sm.delivered.map((e) => [e.type, e.accepts_response_payload])).toEqual([
      ["slash_commands", true],
      ["interactive", false],
      ["interactive", true],
      ["events_api", false],
    ]);
    expect(sm.acks.map((a) => a.envelopeId)).toEqual(sm.delivered.map((e) => e.envelope_id));
    for (const ack of sm.acks) {
      expect(ack.inTime).toBe(true);
      expect(ack.ms).toBeLessThan(ACK_TIMEOUT_MS);
    }
    expect(sm.unacked()).toEqual([]);
    expect(sm.protocolErrors()).toEqual([]);
  });

  it("reconnects through a new apps.connections.open after the socket drops, and pages still work", async () => {
    h = await socketHarness();
    await reconnectAfter(h, (sm) => sm.drop(), 2_000, "the dropped connection to go");
    const sm = h.slack.socketMode;

    const page = await pageAlert(h);
    await press(h, "alert.ack", page, "U02AAA");
    await eventually(async () => (await stored(h!, page.id)).state === "acked");
    await h.slack.waitFor((c) => c.method === "chat.update" && c.args.ts === page.ts);
    expect(sm.unacked()).toEqual([]);
  });

  it("reconnects when Slack sends disconnect (refresh_requested), closing the old connection itself", async () => {
    h = await socketHarness();
    // The bot closes the old socket before Slack's grace period would (5 s) and opens a new one.
    await reconnectAfter(h, (sm) => sm.requestRefresh(), 4_000, "the bot to close the old connection");
    const sm = h.slack.socketMode;

    const page = await pageAlert(h);
    expect(h.slack.message(page.channel, page.ts)?.text).toContain("🔴");
    await press(h, "alert.ack", page, "U0OUTSIDER");
    await ephemeralTo(h, "U0OUTSIDER", "Only the participants and admins");
    const after = await slashCommand(h, "/oncall", "U01AAA", "who");
    expect(String(after.args.text)).toContain("<@");
    expect(sm.unacked()).toEqual([]);
  });

  it("reconnects after a restart of the bot, with a connection of its own", async () => {
    h = await socketHarness();
    const sm = h.slack.socketMode;
    await h.restart();
    expect(sm.hellos).toBe(2);
    await eventually(() => sm.connections === 1, 4_000, "only the new connection to remain");
    const who = await slashCommand(h, "/oncall", "U01AAA", "who");
    expect(String(who.args.text)).toContain("<@");
  });
});

describe("the sandbox in Socket Mode", () => {
  it("delivers the page's commands and clicks through the socket, not signed HTTP", async () => {
    sb = await startSandbox({
      config: loadConfig(ORG_DIR),
      redisUrl: REDIS_URL,
      redisPrefix: `test-sandbox-${randomBytes(5).toString("hex")}:`,
      port: 0,
      log: createLogger("silent"),
      logLevel: "silent",
      socketMode: true,
    });
    sb.clock.set(new Date("2026-11-25T10:00:00Z"));
    const sm = sb.slack.socketMode;
    expect(sm.hellos).toBe(1);
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${sb!.botUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown>;
    };

    expect(
      await post("/sandbox/api/command", { as: "U01AAA", channel: "C0PLAYBACK", text: "/oncall help" }),
    ).toMatchObject({ status: 200, notice: null });
    await eventually(() =>
      sb!.slack.ephemerals("C0PLAYBACK", "U01AAA").find((e) => e.text.includes("/oncall")),
    );

    expect(await post("/sandbox/api/home-open", { as: "U01AAA" })).toMatchObject({ status: 200 });
    await sb.slack.waitFor((c) => c.method === "views.publish" && c.args.user_id === "U01AAA");

    const fired = await post("/sandbox/api/fire", {
      labels: { alertname: "SocketSandbox", job: "stream-api", instance: "socket-1:8080" },
      status: "firing",
    });
    expect(fired).toMatchObject({ status: 200 });
    const page = await eventually(() =>
      sb!.slack.messages("C0ONCALL").find((m) => JSON.stringify(m.blocks).includes("socket-1:8080")),
    );
    const blocks = (page.blocks ?? []) as { type: string; elements?: { action_id?: string }[] }[];
    const blockIndex = blocks.findIndex((b) => b.type === "actions");
    const element = (blocks[blockIndex]?.elements ?? []).findIndex((e) => e.action_id === "alert.ack");
    const pressed = await post("/sandbox/api/action", {
      as: "U02AAA",
      surface: { kind: "message", channel: "C0ONCALL", ts: page.ts },
      blockIndex,
      element,
      actionId: "alert.ack",
    });
    expect(pressed).toMatchObject({ status: 200, notice: null });
    await sb.slack.waitFor((c) => c.method === "chat.update" && c.args.ts === page.ts);

    expect(sm.delivered.map((e) => e.type)).toEqual(["slash_commands", "events_api", "interactive"]);
    expect(sm.acks.map((a) => a.envelopeId)).toEqual(sm.delivered.map((e) => e.envelope_id));
    expect(sm.unacked()).toEqual([]);
    const overHttp = await fetch(`${sb.botUrl}/slack/events`, { method: "POST", body: "command=/oncall" });
    expect(overHttp.status).toBe(404);
  });
});
