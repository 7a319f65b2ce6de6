// Start-up against Slack: a refused token stops the bot with a message that says what to fix; Slack
// being unreachable does not, because alerts must still be stored while it is away.

import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { type OncallApp, startApp } from "../../src/app";
import type { Settings } from "../../src/config/env";
import { loadConfig } from "../../src/config/load";
import { createLogger } from "../../src/platform/log";
import { FakeSlack } from "../support/fake-slack";
import { deleteKeys, ORG_DIR, REDIS_URL, WEBHOOK_TOKEN } from "../support/harness";

const prefix = `test-startup-${randomBytes(5).toString("hex")}:`;
let app: OncallApp | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await app?.stop();
  await slack?.close();
  app = undefined;
  slack = undefined;
  await deleteKeys(prefix);
});

function settings(slackApiUrl: string): Settings {
  return {
    slackBotToken: "xoxb-test",
    slackSigningSecret: "secret",
    slackAppToken: null,
    slackApiUrl,
    redisUrl: REDIS_URL,
    redisPrefix: prefix,
    port: 0,
    configDir: ORG_DIR,
    alertWebhookToken: WEBHOOK_TOKEN,
    runbookBaseUrl: null,
    logLevel: "silent",
    remediationConcurrency: 1,
    remediationLoopGuard: { runs: 3, windowMs: 3_600_000 },
  };
}

const start = (s: Settings) =>
  startApp({
    settings: s,
    config: loadConfig(ORG_DIR),
    log: createLogger("silent"),
    port: 0,
    host: "127.0.0.1",
  });

describe("start-up", () => {
  it("refuses to start when Slack rejects the bot token, saying which setting to fix", async () => {
    slack = await FakeSlack.start();
    slack.failNext("auth.test", { error: "invalid_auth" });
    await expect(start(settings(slack.url))).rejects.toThrow(
      /Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/,
    );
  });

  it("starts and stores alerts while Slack is unreachable", async () => {
    // Port 9 (discard) has nothing listening on loopback: every Slack call fails at once.
    app = await start(settings("http://127.0.0.1:9/"));
    const res = await fetch(`${app.url}/webhooks/generic`, {
      method: "POST",
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "HighErrorRate", status: "firing", labels: { job: "stream-api" } }),
    });
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { alert: { id: string } }).alert.id;
    expect((await app.alerts.get(id))?.state).toBe("firing");
  });
});
