// The sandbox with Slack's rate limits on, as `npm run sandbox` runs it: a storm of 200 outruns
// them, and the page says how many of the bot's calls the fake Slack answered 429.

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../sandbox/server";
import { loadConfig } from "../../src/config/load";
import { createLogger } from "../../src/platform/log";
import { eventually, ORG_DIR, REDIS_URL } from "../support/harness";

type Json = Record<string, unknown>;
interface Limits {
  on: boolean;
  calls: number;
  limited: number;
  byMethod: { method: string; allowed: number; limited: number }[];
}

let sb: Sandbox;

/** The page's API: a GET without a body, a JSON POST with one. */
async function api<T = Json>(path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(
    `${sb.botUrl}${path}`,
    body === undefined
      ? {}
      : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  );
  return { status: res.status, json: (await res.json()) as T };
}

async function limits(): Promise<Limits> {
  const res = await api<{ slackLimits: Limits }>("/sandbox/api/state?as=U02AAA");
  expect(res.status).toBe(200);
  return res.json.slackLimits;
}

beforeAll(async () => {
  sb = await startSandbox({
    config: loadConfig(ORG_DIR),
    redisUrl: REDIS_URL,
    redisPrefix: `test-sandbox-limits-${randomBytes(5).toString("hex")}:`,
    port: 0,
    log: createLogger("silent"),
    logLevel: "silent",
    rateLimits: true,
  });
  sb.clock.set(new Date("2026-11-25T10:00:00Z"));
});

afterAll(async () => {
  await sb?.close();
});

describe("the sandbox under Slack's rate limits", () => {
  it("starts with the limits on and nothing refused", async () => {
    expect(sb.slack.rateLimits?.postBurst).toBe(4);
    expect(await limits()).toMatchObject({ on: true, limited: 0, byMethod: [] });
  });

  it("refuses a storm size it does not offer", async () => {
    const res = await api("/sandbox/api/storm", { count: 7 });
    expect(res.status).toBe(400);
    expect(String(res.json.error)).toContain("20, 200");
  });

  it("fires a storm of 200; the fake answers 429 and the page counts them", async () => {
    const res = await api("/sandbox/api/storm", { count: 200 });
    expect(res.json).toMatchObject({ fired: 200, notice: null });
    const shown = await eventually(async () => {
      const l = await limits();
      return l.limited > 0 ? l : undefined;
    }, 15_000);
    expect(shown.byMethod.map((m) => m.method)).toContain("chat.postMessage");
    const refused = sb.slack.calls.filter((c) => c.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(shown.limited);
    expect(refused.every((c) => c.response.error === "ratelimited")).toBe(true);
    // Within the channel, no more posts got through than a burst of 4 and 1 a second allow.
    const posts = sb.slack.callsTo("chat.postMessage").filter((c) => c.status === 200);
    const first = posts[0]?.at.getTime() ?? 0;
    const span = ((posts.at(-1)?.at.getTime() ?? first) - first) / 1000;
    const perChannel = new Map<string, number>();
    for (const p of posts)
      perChannel.set(String(p.args.channel), (perChannel.get(String(p.args.channel)) ?? 0) + 1);
    for (const n of perChannel.values()) expect(n).toBeLessThanOrEqual(4 + Math.ceil(span) + 1);
  }, 30_000);
});
