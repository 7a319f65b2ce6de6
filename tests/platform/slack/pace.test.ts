// The Slack pacer on real Redis: buckets per channel and per method tier, shared by every replica,
// priorities, and a 429 that blocks only its own bucket.

import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  bucketOf,
  REFILL_MARGIN,
  reserveFor,
  SLACK_LIMITS,
  SlackPacer,
  tierOf,
} from "../../../src/platform/slack/pace";
import { deleteKeys, testPrefix, testRedis } from "../../support/harness";

let prefix: string;
const connections: Redis[] = [];

function pacer(): SlackPacer {
  const redis = testRedis();
  connections.push(redis);
  return new SlackPacer(redis, `${prefix}slack:pace:`);
}

beforeEach(() => {
  prefix = testPrefix("pace");
});
afterEach(async () => {
  await deleteKeys(prefix);
  for (const c of connections.splice(0)) c.disconnect();
});

const post = (channel: string) => ["chat.postMessage", { channel }] as const;
/** Takes without waiting in place: null when a token was taken, else the wait ahead in ms. */
async function tryTake(
  p: SlackPacer,
  method: string,
  args: Record<string, unknown>,
  priority?: "urgent" | "background",
) {
  const r = await p.take(method, args, { maxWaitMs: 0, ...(priority ? { priority } : {}) });
  return r.deferred?.waitMs ?? null;
}

describe("bucketOf", () => {
  it("gives chat.postMessage a bucket per channel (a DM per user id) and every other method one per method", () => {
    expect(bucketOf("chat.postMessage", { channel: "C1" }, SLACK_LIMITS)).toEqual({
      kind: "channel",
      name: "channel:C1",
      size: { capacity: 4, perSecond: REFILL_MARGIN },
    });
    expect(bucketOf("chat.postMessage", { channel: "U1", thread_ts: "1.2" }, SLACK_LIMITS).name).toBe(
      "channel:U1",
    );
    expect(bucketOf("chat.update", { channel: "C1" }, SLACK_LIMITS)).toEqual({
      kind: "tier",
      name: "method:chat.update",
      size: { capacity: 25, perSecond: (50 / 60) * REFILL_MARGIN },
    });
    expect(bucketOf("users.info", {}, SLACK_LIMITS).size.capacity).toBe(50);
    expect(bucketOf("usergroups.users.update", {}, SLACK_LIMITS).size.capacity).toBe(10);
  });

  it("treats a method it does not know as Tier 3", () => {
    expect(tierOf("conversations.members")).toBe(3);
  });

  it("leaves more tokens behind the less urgent a call is", () => {
    expect([reserveFor("urgent", 4), reserveFor("normal", 4), reserveFor("background", 4)]).toEqual([
      0, 1, 2,
    ]);
    expect([reserveFor("urgent", 25), reserveFor("normal", 25), reserveFor("background", 25)]).toEqual([
      0, 6, 12,
    ]);
    expect(reserveFor("background", 1)).toBe(0);
  });
});

describe("SlackPacer", () => {
  it("lets a channel burst 4 posts, then says to wait a little over a second; another channel is not held", async () => {
    const p = pacer();
    for (let i = 0; i < 4; i++) expect(await tryTake(p, ...post("C1"), "urgent")).toBeNull();
    const wait = await tryTake(p, ...post("C1"), "urgent");
    expect(wait).toBeGreaterThan(1_000);
    // A little over a second: the refill keeps its margin under Slack's figure.
    expect(wait).toBeLessThanOrEqual(1_000 / REFILL_MARGIN);
    expect(await tryTake(p, ...post("C2"), "urgent")).toBeNull();
  });

  it("waits in place for a token when allowed to, and then takes it", async () => {
    const p = pacer();
    // The burst empties the bucket from its first take on; the fifth token comes a second later.
    const started = Date.now();
    for (let i = 0; i < 4; i++) await p.take(...post("C1"), { priority: "urgent" });
    const r = await p.take(...post("C1"), { priority: "urgent", maxWaitMs: 2_000 });
    expect(r.deferred).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("is one pace for every replica: two pacers on their own connections share the buckets", async () => {
    const a = pacer();
    const b = pacer();
    const taken = await Promise.all(
      Array.from({ length: 10 }, (_, i) => tryTake(i % 2 ? a : b, ...post("C1"), "urgent")),
    );
    expect(taken.filter((w) => w === null)).toHaveLength(4);
  });

  it("keeps the last tokens of a bucket for urgent calls: a thread note waits while a page still goes", async () => {
    const p = pacer();
    expect(await tryTake(p, ...post("C1"), "urgent")).toBeNull();
    expect(await tryTake(p, ...post("C1"), "urgent")).toBeNull();
    // Two tokens left, both reserved from background work.
    expect(await tryTake(p, ...post("C1"), "background")).toBeGreaterThan(0);
    expect(await tryTake(p, ...post("C1"), "urgent")).toBeNull();
    expect(await tryTake(p, ...post("C1"), "urgent")).toBeNull();
  });

  it("paces a method by its tier: 25 chat.update calls in a burst, then a little over 1.2 s each", async () => {
    const p = pacer();
    const waits: (number | null)[] = [];
    for (let i = 0; i < 26; i++) waits.push(await tryTake(p, "chat.update", { channel: `C${i}` }, "urgent"));
    expect(waits.slice(0, 25).every((w) => w === null)).toBe(true);
    expect(waits[25]).toBeGreaterThan(1_000);
    expect(waits[25]).toBeLessThanOrEqual(1_200 / REFILL_MARGIN);
  });

  it("blocks only the bucket Slack answered 429 for, for its Retry-After", async () => {
    const p = pacer();
    await p.block(...post("C1"), 5_000);
    const wait = await tryTake(p, ...post("C1"), "urgent");
    expect(wait).toBeGreaterThan(4_900);
    expect(wait).toBeLessThanOrEqual(5_000);
    expect(await tryTake(p, ...post("C2"), "urgent")).toBeNull();
    expect(await tryTake(p, "chat.update", { channel: "C1" }, "urgent")).toBeNull();
  });
});
