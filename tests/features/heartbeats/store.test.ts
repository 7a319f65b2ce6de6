// The outage claim against real Redis: two replicas claiming one miss get one "new", a ping in
// between makes a claim stale, and a claim whose page was stored answers "paged" from then on.

import { describe, expect, it } from "vitest";
import { HeartbeatStore } from "../../../src/features/heartbeats/store";
import { redisPerTest } from "../../support/redis";

const redis = redisPerTest("heartbeats");
const T = 1_795_600_800_000;

describe("HeartbeatStore", () => {
  it("lets one of two racing replicas claim a miss; the other sees it claimed", async () => {
    const [a, b] = [
      new HeartbeatStore(redis.replica(), redis.prefix),
      new HeartbeatStore(redis.replica(), redis.prefix),
    ];
    await a.ping("hb", T);
    const claims = await Promise.all([a.claimMiss("hb", T), b.claimMiss("hb", T)]);
    expect(claims.map((c) => c.claim).sort()).toEqual(["claimed", "new"]);
    expect(claims[0]!.outage).toBe(String(T));
    expect(await a.markPaged("hb", String(T))).toBe(true);
    expect((await b.claimMiss("hb", T)).claim).toBe("paged");
  });

  it("makes a claim stale when a ping came after the checker looked", async () => {
    const s = new HeartbeatStore(redis.replica(), redis.prefix);
    await s.ping("hb", T);
    await s.ping("hb", T + 1_000);
    expect((await s.claimMiss("hb", T)).claim).toBe("stale");
    expect((await s.get("hb")).outage).toBeNull();
  });

  it("refuses to mark a page stored once a ping ended the outage", async () => {
    const s = new HeartbeatStore(redis.replica(), redis.prefix);
    expect(await s.claimMiss("hb", null)).toEqual({ claim: "new", outage: "none" });
    await s.ping("hb", T);
    await s.endOutage("hb");
    expect(await s.markPaged("hb", "none")).toBe(false);
  });

  it("never moves the last ping or the start-up time back", async () => {
    const s = new HeartbeatStore(redis.replica(), redis.prefix);
    await s.ping("hb", T + 5_000);
    await s.ping("hb", T);
    expect((await s.get("hb")).lastPingAt).toBe(T + 5_000);
    expect(await s.startedAt(42)).toBe(42);
    await s.started(T + 10);
    await s.started(T);
    expect(await s.startedAt(42)).toBe(T + 10);
  });
});
