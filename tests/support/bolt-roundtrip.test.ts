// The real Bolt app against the fake Slack, driven by signed requests: proves the two halves of
// the test kit fit together the way the end-to-end suites will use them.

import type { AddressInfo } from "node:net";
import { App, LogLevel } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeSlack } from "./fake-slack";
import {
  blockActionsBody,
  postToSlackEndpoint,
  slashCommandBody,
  viewSubmissionBody,
} from "./slack-requests";

const SECRET = "test-signing-secret";

let fake: FakeSlack;
let app: App;
let origin: string;

beforeEach(async () => {
  fake = await FakeSlack.start();
  app = new App({
    token: "xoxb-test",
    signingSecret: SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
  });
  app.command("/oncall", async ({ ack, command, respond, client }) => {
    await ack();
    await respond({ text: `on call: nobody (${command.text})` });
    await client.chat.postMessage({ channel: command.channel_id, text: "page" });
  });
  app.action("alert.ack", async ({ ack, body, client, respond }) => {
    await ack();
    if (body.type !== "block_actions" || !body.channel || !body.message) return;
    await client.chat.update({
      channel: body.channel.id,
      ts: body.message.ts,
      text: `acked by ${body.user.id}`,
    });
    await respond({ response_type: "ephemeral", text: "You acknowledged it" });
  });
  app.view("alert.escalate", async ({ ack, view }) => {
    await ack({
      response_action: "errors",
      errors: { reason: `got ${view.state.values.reason?.reason?.value}` },
    });
  });
  const server = (await app.start(0)) as unknown as { address(): AddressInfo };
  origin = `http://127.0.0.1:${server.address().port}`;
});

afterEach(async () => {
  await app.stop();
  await fake.close();
});

describe("Bolt against the fake Slack", () => {
  it("verifies the token with auth.test on the fake at start-up", async () => {
    await fake.waitFor((c) => c.method === "auth.test");
  });

  it("handles a signed slash command: respond() and chat.postMessage reach the fake", async () => {
    const responseUrl = fake.responseUrl({ channel: "C0ONCALL", user: "U01AAA" });
    const body = slashCommandBody({
      command: "/oncall",
      text: "who",
      userId: "U01AAA",
      channelId: "C0ONCALL",
      responseUrl,
    });
    const res = await postToSlackEndpoint(origin, body, { secret: SECRET });
    expect(res.status).toBe(200);
    await fake.waitFor((c) => c.method === "chat.postMessage");
    await fake.waitFor((c) => c.method === "response_url");
    expect(fake.ephemerals("C0ONCALL", "U01AAA").map((e) => e.text)).toEqual(["on call: nobody (who)"]);
    expect(fake.messages("C0ONCALL").map((m) => m.text)).toEqual(["page"]);
  });

  it("handles a button press on a message the fake holds", async () => {
    const posted = await app.client.chat.postMessage({ channel: "C0ONCALL", text: "page" });
    const ts = posted.ts!;
    const responseUrl = fake.responseUrl({ channel: "C0ONCALL", user: "U01AAA", messageTs: ts });
    const body = blockActionsBody({
      actionId: "alert.ack",
      value: "a1",
      userId: "U01AAA",
      channelId: "C0ONCALL",
      messageTs: ts,
      responseUrl,
    });
    expect((await postToSlackEndpoint(origin, body, { secret: SECRET })).status).toBe(200);
    await fake.waitFor((c) => c.method === "response_url");
    expect(fake.message("C0ONCALL", ts)?.text).toBe("acked by U01AAA");
    expect(fake.ephemerals("C0ONCALL", "U01AAA").map((e) => e.text)).toEqual(["You acknowledged it"]);
  });

  it("answers a view submission in the HTTP response", async () => {
    const body = viewSubmissionBody({
      callbackId: "alert.escalate",
      values: { reason: { reason: "still failing" } },
      userId: "U01AAA",
    });
    const res = await postToSlackEndpoint(origin, body, { secret: SECRET });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      response_action: "errors",
      errors: { reason: "got still failing" },
    });
  });

  it("refuses a bad signature and a stale timestamp", async () => {
    const body = slashCommandBody({ command: "/oncall", userId: "U01AAA", channelId: "C0ONCALL" });
    expect((await postToSlackEndpoint(origin, body, { secret: SECRET, signature: "v0=00" })).status).toBe(
      401,
    );
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await postToSlackEndpoint(origin, body, { secret: SECRET, timestampSec: stale })).status).toBe(
      401,
    );
  });
});
