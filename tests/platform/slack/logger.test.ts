// The Slack SDK's own log lines go through pino as JSON (issue: plain `[WARN] web-api:WebClient:0 …`
// lines in the JSON log), for the bot's WebClient and for Bolt's, against the fake Slack Web API.

import { Writable } from "node:stream";
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../../src/platform/log";
import { createMetrics } from "../../../src/platform/metrics";
import { createSlackClient, SlackApi, slackLogger } from "../../../src/platform/slack/api";
import { FakeSlack } from "../../support/fake-slack";

let fake: FakeSlack;
let lines: string[];
let consoleCalls: number;
const spies: { mockRestore(): void }[] = [];

/** A pino logger whose output the test reads back, line by line. */
function capturedLogger(level = "debug") {
  const out = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return createLogger(level, out);
}

beforeEach(async () => {
  fake = await FakeSlack.start();
  lines = [];
  consoleCalls = 0;
  // The SDK's default logger writes through console; with ours, nothing may reach it.
  for (const m of ["log", "info", "warn", "error", "debug"] as const) {
    spies.push(vi.spyOn(console, m).mockImplementation(() => void consoleCalls++));
  }
});
afterEach(async () => {
  for (const s of spies.splice(0)) s.mockRestore();
  await fake.close();
});

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe("slackLogger", () => {
  it("turns the WebClient's warning about a failed request into a JSON line with its source", async () => {
    const log = capturedLogger();
    // Nothing listens there: the request fails before any HTTP answer, which the SDK warns about.
    const url = fake.url;
    await fake.close();
    const slack = new SlackApi(createSlackClient("xoxb-test", url, log), createMetrics());
    await expect(slack.call("chat.postMessage", { channel: "C1", text: "x" })).rejects.toThrow(
      /request error/,
    );
    const warn = parsed().find((l) => String(l.msg).startsWith("http request failed"));
    expect(warn).toMatchObject({ level: 40, app: "shared-oncall", slack: "web-api:WebClient" });
    expect(warn?.msg).toBe("http request failed fetch failed");
    expect(consoleCalls).toBe(0);
    fake = await FakeSlack.start();
  });

  it("keeps the SDK's level: debug lines are dropped at warn, and pass once the SDK lowers it", () => {
    const log = capturedLogger();
    const sdk = slackLogger(log);
    sdk.debug("apiCall start");
    sdk.warn("careful", { n: 1 });
    expect(parsed().map((l) => l.msg)).toEqual(['careful {"n":1}']);
    sdk.setLevel(LogLevel.DEBUG);
    sdk.debug("now shown");
    expect(parsed().map((l) => l.msg)).toEqual(['careful {"n":1}', "now shown"]);
  });

  it("logs an Error argument as err, with its stack", () => {
    const sdk = slackLogger(capturedLogger());
    sdk.error(new Error("socket hang up"));
    const [line] = parsed();
    expect(line).toMatchObject({ level: 50, msg: "socket hang up", err: { message: "socket hang up" } });
    expect(String((line?.err as { stack?: string } | undefined)?.stack)).toContain("Error: socket hang up");
  });

  it("is shared by Bolt with the WebClient it creates", async () => {
    const log = capturedLogger();
    const app = new App({
      token: "xoxb-test",
      receiver: new HTTPReceiver({ signingSecret: "s", logger: slackLogger(log) }),
      clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
      logger: slackLogger(log, "bolt"),
      logLevel: LogLevel.WARN,
      tokenVerificationEnabled: false,
    });
    // Slack's SDK warns about a message without a fallback text.
    await app.client.chat.postMessage({
      channel: "C1",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "hi" } }],
    } as never);
    const warn = parsed().find((l) => String(l.msg).includes("`text`"));
    expect(warn).toMatchObject({ level: 40 });
    expect(warn?.slack).toBe("bolt");
    expect(consoleCalls).toBe(0);
  });
});
