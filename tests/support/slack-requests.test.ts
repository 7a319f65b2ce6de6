import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  blockActionsBody,
  computeSlackSignature,
  postToSlackEndpoint,
  signSlackRequest,
  slashCommandBody,
  viewSubmissionBody,
} from "./slack-requests";

// From Slack's "Verifying requests from Slack" page.
const VECTOR = {
  secret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: 1531420618,
  body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};

// Copies of ../shared/fixtures, so the suite runs from any clone.
const FIXTURES = new URL("../fixtures/payloads", import.meta.url).pathname;

function payloadOf(body: string): Record<string, unknown> {
  return JSON.parse(new URLSearchParams(body).get("payload") ?? "null");
}

describe("signing", () => {
  it("reproduces Slack's documented test vector", () => {
    expect(computeSlackSignature(VECTOR.secret, VECTOR.body, VECTOR.timestamp)).toBe(VECTOR.signature);
    expect(signSlackRequest(VECTOR.secret, VECTOR.body, VECTOR.timestamp)).toEqual({
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Slack-Request-Timestamp": "1531420618",
      "X-Slack-Signature": VECTOR.signature,
    });
  });

  it("defaults the timestamp to now", () => {
    const headers = signSlackRequest("s", "a=b");
    expect(Math.abs(Number(headers["X-Slack-Request-Timestamp"]) - Date.now() / 1000)).toBeLessThan(5);
  });
});

describe("request bodies", () => {
  it("builds a slash command with the fixture's fields in Slack's order", () => {
    const fixture = readFileSync(`${FIXTURES}/slack-slash-command.txt`, "utf8").trimEnd();
    const body = slashCommandBody({
      command: "/oncall",
      text: "who",
      userId: "U01AAA",
      userName: "alice",
      channelId: "C0ONCALL",
      channelName: "oncall",
      responseUrl: "https://hooks.slack.com/commands/T0EXAMPLE/8123456789/abcdefABCDEF",
      triggerId: "8123456789.1234567890.0123456789abcdef",
    });
    expect(body).toBe(fixture);
  });

  it("builds block_actions in the fixture's shape", () => {
    const fixture = JSON.parse(readFileSync(`${FIXTURES}/slack-block-actions.json`, "utf8"));
    const payload = payloadOf(
      blockActionsBody({
        actionId: "alert.ack",
        value: "<alert id>",
        userId: "U01AAA",
        channelId: "C0ONCALL",
        messageTs: "1764018192.000200",
        responseUrl: "https://hooks.slack.com/actions/T0EXAMPLE/8123456789/abcdefABCDEF",
        triggerId: "8123456789.1234567890.abcdef0123456789abcdef0123456789",
      }),
    );
    expect(Object.keys(payload).sort()).toEqual(Object.keys(fixture).sort());
    expect(payload).toMatchObject({
      type: "block_actions",
      user: { id: "U01AAA" },
      container: fixture.container,
      channel: { id: "C0ONCALL" },
      response_url: fixture.response_url,
      trigger_id: fixture.trigger_id,
      message: { ts: "1764018192.000200" },
      actions: [{ action_id: "alert.ack", value: "<alert id>", block_id: "alert-actions", type: "button" }],
    });
  });

  it("builds view_submission in the fixture's shape, with string shorthand for text inputs", () => {
    const fixture = JSON.parse(readFileSync(`${FIXTURES}/slack-view-submission.json`, "utf8"));
    const payload = payloadOf(
      viewSubmissionBody({
        callbackId: "alert.escalate",
        privateMetadata: "<alert id>",
        values: { reason: { reason: "Runbook step 3 did not help; error rate still rising." } },
        userId: "U01AAA",
      }),
    );
    expect(Object.keys(payload).sort()).toEqual(Object.keys(fixture).sort());
    expect(payload).toMatchObject({
      type: "view_submission",
      user: { id: "U01AAA" },
      view: { callback_id: "alert.escalate", private_metadata: "<alert id>", state: fixture.view.state },
    });
  });

  it("makes a fresh trigger_id each time", () => {
    const a = new URLSearchParams(slashCommandBody({ command: "/oncall", userId: "U1", channelId: "C1" }));
    const b = new URLSearchParams(slashCommandBody({ command: "/oncall", userId: "U1", channelId: "C1" }));
    expect(a.get("trigger_id")).not.toBe(b.get("trigger_id"));
  });
});

describe("postToSlackEndpoint", () => {
  it("posts the signed body to /slack/events and returns status and body", async () => {
    const seen: { url?: string; headers?: Record<string, unknown>; body?: string } = {};
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        Object.assign(seen, { url: req.url, headers: req.headers, body });
        res.writeHead(200, { "Content-Type": "text/plain" }).end("thanks");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await postToSlackEndpoint(`http://127.0.0.1:${port}`, "a=b", {
        secret: "s",
        timestampSec: 1700000000,
      });
      expect(res).toMatchObject({ status: 200, body: "thanks" });
      expect(seen.url).toBe("/slack/events");
      expect(seen.body).toBe("a=b");
      expect(seen.headers?.["x-slack-signature"]).toBe(computeSlackSignature("s", "a=b", 1700000000));
      expect(seen.headers?.["content-type"]).toBe("application/x-www-form-urlencoded");

      await postToSlackEndpoint(`http://127.0.0.1:${port}/custom/path`, "a=b", {
        secret: "s",
        signature: "v0=bad",
      });
      expect(seen.url).toBe("/custom/path");
      expect(seen.headers?.["x-slack-signature"]).toBe("v0=bad");
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
