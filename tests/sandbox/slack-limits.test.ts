import { afterEach, describe, expect, it } from "vitest";
import { dmChannelId } from "../../sandbox/slack-ids";
import { limitKey, SlackRateLimiter } from "../../sandbox/slack-limits";
import { FakeSlack } from "../support/fake-slack";

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
      { methodTiers: { "chat.update": 2 }, tierPerMinute: { 2: 4 } },
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

describe("FakeSlack with rate limits", () => {
  let fake: FakeSlack;
  afterEach(async () => {
    await fake.close();
  });

  async function call(method: string, args: Record<string, unknown>) {
    const res = await fetch(`${fake.url}${method}`, {
      method: "POST",
      headers: { authorization: "Bearer xoxb-test", "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(args),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      body: (await res.json()) as Record<string, unknown>,
    };
  }

  it("answers a fifth post to a channel 429 with Retry-After, records it, and still posts elsewhere", async () => {
    fake = await FakeSlack.start({ rateLimits: true });
    for (let i = 0; i < 4; i++) {
      expect((await call("chat.postMessage", { channel: "C1", text: `p${i}` })).status).toBe(200);
    }
    const refused = await call("chat.postMessage", { channel: "C1", text: "p4" });
    expect(refused).toEqual({ status: 429, retryAfter: "1", body: { ok: false, error: "ratelimited" } });
    expect((await call("chat.postMessage", { channel: "C2", text: "other" })).body.ok).toBe(true);
    expect(fake.messages("C1").map((m) => m.text)).toEqual(["p0", "p1", "p2", "p3"]);
    expect(fake.callsTo("chat.postMessage").filter((c) => c.status === 429)).toHaveLength(1);
    expect(fake.rateLimited()).toBe(1);
    expect(fake.rateLimitStats()).toEqual({ "chat.postMessage": { allowed: 5, limited: 1 } });
  });

  it("lets a post through again after the Retry-After (a real second)", async () => {
    fake = await FakeSlack.start({ rateLimits: true });
    for (let i = 0; i < 4; i++) await call("chat.postMessage", { channel: "C1", text: `p${i}` });
    const refused = await call("chat.postMessage", { channel: "C1", text: "late" });
    expect(refused.status).toBe(429);
    await new Promise((r) => setTimeout(r, Number(refused.retryAfter) * 1000));
    expect((await call("chat.postMessage", { channel: "C1", text: "late" })).status).toBe(200);
  });

  it("counts replies and DMs by user id against their conversations, tiers per method (moved clock)", async () => {
    const c = clock();
    fake = await FakeSlack.start({
      rateLimits: true,
      rateLimitClock: c.now,
      users: [{ id: "U0ALICE", name: "alice" }],
    });
    const parent = await call("chat.postMessage", { channel: "C1", text: "page" });
    const ts = String(parent.body.ts);
    for (let i = 0; i < 3; i++) {
      await call("chat.postMessage", { channel: "C1", thread_ts: ts, text: `note ${i}` });
    }
    expect((await call("chat.postMessage", { channel: "C1", thread_ts: ts })).status).toBe(429);

    const dm = fake.dmChannel("U0ALICE");
    for (let i = 0; i < 2; i++) await call("chat.postMessage", { channel: "U0ALICE", text: `u${i}` });
    for (let i = 0; i < 2; i++) await call("chat.postMessage", { channel: dm, text: `d${i}` });
    expect((await call("chat.postMessage", { channel: "U0ALICE", text: "x" })).status).toBe(429);
    expect(fake.messages(dm)).toHaveLength(4);

    const updates = [];
    for (let i = 0; i < 26; i++) {
      updates.push((await call("chat.update", { channel: "C1", ts, text: `v${i}` })).status);
    }
    expect(updates.filter((s) => s === 200)).toHaveLength(25);
    expect(updates[25]).toBe(429);
    const infos = [];
    for (let i = 0; i < 51; i++) infos.push((await call("users.info", { user: "U0ALICE" })).status);
    expect(infos.lastIndexOf(200)).toBe(49);
    expect(infos[50]).toBe(429);
    expect(fake.rateLimited()).toBe(4);

    c.advance(1200);
    expect((await call("chat.update", { channel: "C1", ts, text: "later" })).status).toBe(200);
    expect((await call("chat.postMessage", { channel: "C1", text: "later" })).status).toBe(200);
  });

  it("is off by default, and switches on and off at runtime", async () => {
    fake = await FakeSlack.start();
    expect(fake.rateLimits).toBeNull();
    for (let i = 0; i < 10; i++)
      expect((await call("chat.postMessage", { channel: "C1", text: "x" })).status).toBe(200);
    fake.setRateLimits({ postBurst: 2 });
    expect(fake.rateLimits?.postBurst).toBe(2);
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await call("chat.postMessage", { channel: "C1", text: "x" })).status);
    expect(statuses).toEqual([200, 200, 429]);
    fake.setRateLimits(false);
    expect((await call("chat.postMessage", { channel: "C1", text: "x" })).status).toBe(200);
    expect(fake.rateLimited()).toBe(0);
  });

  it("never limits posts to a response_url", async () => {
    fake = await FakeSlack.start({ rateLimits: true });
    const url = fake.responseUrl({ channel: "C1", user: "U0ALICE" });
    for (let i = 0; i < 8; i++) {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ response_type: "in_channel", text: `r${i}` }),
      });
      expect(res.status).toBe(200);
    }
    expect(fake.rateLimited()).toBe(0);
  });
});
