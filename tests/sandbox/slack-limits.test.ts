import { describe, expect, it } from "vitest";
import { dmChannelId } from "../../sandbox/slack-ids";
import { limitKey, SlackRateLimiter } from "../../sandbox/slack-limits";

function clock(start = 1_700_000_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

function takeMany(limiter: SlackRateLimiter, n: number, method: string, args: Record<string, unknown> = {}) {
  return Array.from({ length: n }, () => limiter.take(method, args));
}

describe("chat.postMessage per channel", () => {
  it("takes a burst of 4, then refuses with Retry-After while another channel still posts", () => {
    const c = clock();
    const limiter = new SlackRateLimiter({}, c.now);
    const burst = takeMany(limiter, 4, "chat.postMessage", { channel: "C1" });
    expect(burst.every((d) => d.ok)).toBe(true);
    expect(limiter.take("chat.postMessage", { channel: "C1" })).toEqual({ ok: false, retryAfterSec: 1 });
    expect(limiter.take("chat.postMessage", { channel: "C2" })).toEqual({ ok: true });
    expect(limiter.limited("chat.postMessage")).toBe(1);
    expect(limiter.methodStats()["chat.postMessage"]).toEqual({ allowed: 5, limited: 1 });
  });

  it("refills one post a second, and a refused call takes no token", () => {
    const c = clock();
    const limiter = new SlackRateLimiter({}, c.now);
    takeMany(limiter, 4, "chat.postMessage", { channel: "C1" });
    // Refusals in a loop must not push the next token further away.
    for (let i = 0; i < 10; i++) expect(limiter.take("chat.postMessage", { channel: "C1" }).ok).toBe(false);
    c.advance(999);
    expect(limiter.take("chat.postMessage", { channel: "C1" }).ok).toBe(false);
    c.advance(1);
    expect(limiter.take("chat.postMessage", { channel: "C1" }).ok).toBe(true);
    expect(limiter.take("chat.postMessage", { channel: "C1" }).ok).toBe(false);
    c.advance(2500);
    expect(takeMany(limiter, 3, "chat.postMessage", { channel: "C1" }).map((d) => d.ok)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("counts thread replies against their channel", () => {
    const limiter = new SlackRateLimiter({}, clock().now);
    takeMany(limiter, 2, "chat.postMessage", { channel: "C1" });
    takeMany(limiter, 2, "chat.postMessage", { channel: "C1", thread_ts: "1700000000.000100" });
    expect(limiter.take("chat.postMessage", { channel: "C1", thread_ts: "1700000000.000200" }).ok).toBe(
      false,
    );
  });

  it("counts a post to a user id against that user's DM channel, each user on their own", () => {
    const limiter = new SlackRateLimiter({}, clock().now);
    expect(limitKey("chat.postMessage", { channel: "U0ALICE" })).toBe(
      limitKey("chat.postMessage", { channel: dmChannelId(["U0ALICE"]) }),
    );
    takeMany(limiter, 2, "chat.postMessage", { channel: "U0ALICE" });
    takeMany(limiter, 2, "chat.postMessage", { channel: dmChannelId(["U0ALICE"]) });
    expect(limiter.take("chat.postMessage", { channel: "U0ALICE" }).ok).toBe(false);
    expect(limiter.take("chat.postMessage", { channel: "U0BOB" }).ok).toBe(true);
  });

  it("says how long until the next token after a longer wait is due", () => {
    const c = clock();
    const limiter = new SlackRateLimiter({ postBurst: 1, postPerSecond: 0.25 }, c.now);
    limiter.take("chat.postMessage", { channel: "C1" });
    expect(limiter.take("chat.postMessage", { channel: "C1" })).toEqual({ ok: false, retryAfterSec: 4 });
    c.advance(1500);
    expect(limiter.take("chat.postMessage", { channel: "C1" })).toEqual({ ok: false, retryAfterSec: 3 });
  });
});

describe("tier buckets per method", () => {
  it("chat.update (Tier 3) takes 25 at once, then refuses; whatever the channel", () => {
    const limiter = new SlackRateLimiter({}, clock().now);
    const ok = Array.from({ length: 25 }, (_, i) => limiter.take("chat.update", { channel: `C${i}` }));
    expect(ok.every((d) => d.ok)).toBe(true);
    const refused = limiter.take("chat.update", { channel: "C99" });
    // 50 a minute: the next token is 1.2 s away.
    expect(refused).toEqual({ ok: false, retryAfterSec: 2 });
    expect(limiter.take("users.info").ok).toBe(true);
  });

  it("users.info (Tier 4) takes 50, users.list (Tier 2) 10, an unknown method Tier 3's 25", () => {
    const limiter = new SlackRateLimiter({}, clock().now);
    expect(takeMany(limiter, 50, "users.info").every((d) => d.ok)).toBe(true);
    expect(limiter.take("users.info")).toEqual({ ok: false, retryAfterSec: 1 });
    expect(takeMany(limiter, 10, "users.list").every((d) => d.ok)).toBe(true);
    expect(limiter.take("users.list")).toEqual({ ok: false, retryAfterSec: 3 });
    expect(takeMany(limiter, 25, "some.method").every((d) => d.ok)).toBe(true);
    expect(limiter.take("some.method").ok).toBe(false);
    expect(limiter.limited()).toBe(3);
  });

  it("refills at the tier's rate: 50 a minute is one every 1.2 s", () => {
    const c = clock();
    const limiter = new SlackRateLimiter({}, c.now);
    takeMany(limiter, 25, "conversations.open");
    c.advance(1199);
    expect(limiter.take("conversations.open").ok).toBe(false);
    c.advance(1);
    expect(limiter.take("conversations.open").ok).toBe(true);
    c.advance(60_000);
    expect(takeMany(limiter, 26, "conversations.open").filter((d) => d.ok)).toHaveLength(25);
  });

  it("takes settings: a retiered method, other tier figures", () => {
    const limiter = new SlackRateLimiter(
      { methodTiers: { "chat.update": 2 }, tierPerMinute: { 2: 4, 1: 1, 3: 50, 4: 100 } },
      clock().now,
    );
    expect(takeMany(limiter, 3, "chat.update").map((d) => d.ok)).toEqual([true, true, false]);
    // The rest of the default table stays.
    expect(takeMany(limiter, 26, "chat.delete").filter((d) => d.ok)).toHaveLength(25);
  });

  it("never limits opening a Socket Mode connection", () => {
    const limiter = new SlackRateLimiter({}, clock().now);
    expect(takeMany(limiter, 100, "apps.connections.open").every((d) => d.ok)).toBe(true);
  });

  it("forgets buckets and counts on reset", () => {
    const limiter = new SlackRateLimiter({}, clock().now);
    takeMany(limiter, 5, "chat.postMessage", { channel: "C1" });
    expect(limiter.limited()).toBe(1);
    limiter.reset();
    expect(limiter.limited()).toBe(0);
    expect(limiter.take("chat.postMessage", { channel: "C1" }).ok).toBe(true);
  });
});
