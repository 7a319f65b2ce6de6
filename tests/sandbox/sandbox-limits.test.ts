// The sandbox with Slack's rate limits on, as `npm run sandbox` runs it: a storm of 200 folds into a
// digest the bot posts within the limits, and the page says how many calls the fake answered 429.

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

  it("fires a storm of 200: the bot paces itself, nothing is answered 429, every alert is accounted for", async () => {
    const inChannel = () => sb.slack.messages("C0ONCALL");
    const accounted = () =>
      inChannel().filter((m) => m.metadata?.event_type === "oncall_page").length +
      inChannel()
        .filter((m) => m.metadata?.event_type === "oncall_storm")
        .reduce(
          (n, m) => n + Number((m.metadata?.event_payload as { alerts?: number } | undefined)?.alerts ?? 0),
          0,
        );
    const res = await api("/sandbox/api/storm", { count: 200 });
    expect(res.json).toMatchObject({ fired: 200, notice: null });
    await eventually(() => accounted() >= 200, 20_000, "all 200 on a page or in the storm digest");
    expect(accounted()).toBe(200);
    // One digest instead of 200 pages, and Slack never had to say no.
    expect(inChannel().length).toBeLessThanOrEqual(10);
    expect((await limits()).limited).toBe(0);
    expect(sb.slack.calls.filter((c) => c.status === 429)).toEqual([]);
  }, 30_000);

  it("counts on the page the calls the fake answered 429, by method", async () => {
    // A caller that does not pace itself (not the bot): 8 posts at once into one channel.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fetch(`${sb.slack.url}chat.postMessage`, {
          method: "POST",
          headers: { authorization: "Bearer xoxb-sandbox", "content-type": "application/json" },
          body: JSON.stringify({ channel: "C0PLAYBACK", text: `unpaced ${i}` }),
        }).then((r) => r.arrayBuffer()),
      ),
    );
    const shown = await limits();
    expect(shown.limited).toBe(4);
    expect(shown.byMethod.find((m) => m.method === "chat.postMessage")?.limited).toBe(4);
    const refused = sb.slack.calls.filter((c) => c.status === 429);
    expect(refused).toHaveLength(4);
    expect(refused.every((c) => c.response.error === "ratelimited")).toBe(true);
  });
});
