// The storm store on real Redis: admission is atomic across replicas, counters follow members,
// and the storm closes once every alert in it has resolved.

import { describe, expect, it } from "vitest";
import type { Alert } from "../../../src/core/alert";
import { StormStore } from "../../../src/features/storm/store";
import { STREAM_API_ROUTE, streamApiAlert } from "../../support/alerts";
import { redisPerTest } from "../../support/redis";

const redis = redisPerTest("storm-store");
const NOW = new Date("2026-11-25T10:00:00Z");
const SETTINGS = { threshold: 4, windowMs: 5_000 };

function alertN(i: number, patch: Partial<Alert> = {}): Alert {
  const a = streamApiAlert({}, NOW);
  return {
    ...a,
    id: `g${i}-1`,
    groupId: `g${i}`,
    route: { ...STREAM_API_ROUTE, channel: "C0STORM" },
    ...patch,
  };
}

describe("StormStore", () => {
  it("pages the first four of a burst and folds the rest into one storm, across replicas", async () => {
    const stores = [0, 1, 2].map(() => new StormStore(redis.replica(), redis.prefix));
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => stores[i % 3]!.admit(alertN(i), SETTINGS, NOW)),
    );
    expect(answers.filter((a) => a.kind === "page")).toHaveLength(4);
    const folded = answers.filter((a) => a.kind === "fold");
    expect(new Set(folded.map((a) => (a.kind === "fold" ? a.stormId : "")))).toEqual(new Set(["C0STORM-1"]));
    expect(folded.filter((a) => a.kind === "fold" && a.opened)).toHaveLength(1);
    const storm = await stores[0]!.get("C0STORM-1");
    expect(storm).toMatchObject({ alerts: 26, firing: 26, acknowledged: 0, resolved: 0, closed: false });
    expect(await stores[0]!.alertIds("C0STORM-1")).toHaveLength(26);
  });

  it("gives a retried admission the same answer and counts it once", async () => {
    const store = new StormStore(redis.replica(), redis.prefix);
    for (let i = 0; i < 6; i++) await store.admit(alertN(i), SETTINGS, NOW);
    expect(await store.admit(alertN(0), SETTINGS, NOW)).toEqual({ kind: "page" });
    expect(await store.admit(alertN(5), SETTINGS, NOW)).toEqual({
      kind: "fold",
      stormId: "C0STORM-1",
      opened: false,
    });
    expect((await store.get("C0STORM-1"))?.alerts).toBe(2);
    expect(await store.stormOf(alertN(5))).toBe("C0STORM-1");
    expect(await store.stormOf(alertN(0))).toBeNull();
  });

  it("closes when every alert resolved; the channel's next alert is a page", async () => {
    const store = new StormStore(redis.replica(), redis.prefix);
    for (let i = 0; i < 7; i++) await store.admit(alertN(i), SETTINGS, NOW);
    const ids = ["g4-1", "g5-1", "g6-1"];
    expect(await store.alertIds("C0STORM-1")).toEqual(expect.arrayContaining(ids));
    const acked = await store.markState("C0STORM-1", alertN(4, { state: "acked", assignee: "U01AAA" }), NOW);
    expect(acked).toEqual({ changed: true, closedNow: false, closed: false });
    expect(
      await store.markState("C0STORM-1", alertN(4, { state: "acked", assignee: "U01AAA" }), NOW),
    ).toMatchObject({
      changed: false,
    });
    // Opened as its own page: out of the storm, and a page when asked again.
    expect((await store.leave("C0STORM-1", "g6-1", NOW)).changed).toBe(true);
    expect(await store.admit(alertN(6), SETTINGS, NOW)).toEqual({ kind: "page" });
    await store.markState("C0STORM-1", alertN(4, { state: "resolved" }), NOW);
    const last = await store.markState("C0STORM-1", alertN(5, { state: "resolved" }), NOW);
    expect(last).toEqual({ changed: true, closedNow: true, closed: true });
    expect(await store.get("C0STORM-1")).toMatchObject({ alerts: 2, resolved: 2, closed: true });
    expect(await store.admit(alertN(7), SETTINGS, NOW)).toEqual({ kind: "page" });
  });

  it("records a storm's messages once", async () => {
    const store = new StormStore(redis.replica(), redis.prefix);
    for (let i = 0; i < 5; i++) await store.admit(alertN(i), SETTINGS, NOW);
    const rec = store.record("C0STORM-1", "digest");
    expect(await rec.state()).toBe("none");
    await rec.claim();
    expect(await rec.state()).toBe("claimed");
    await rec.posted({ channel: "C0STORM", ts: "1.2" });
    expect(await rec.state()).toBe("posted");
    expect(await store.message("C0STORM-1", "digest")).toEqual({ channel: "C0STORM", ts: "1.2" });
    expect(await store.claimOnce("C0STORM-1", "note")).toBe(true);
    expect(await store.claimOnce("C0STORM-1", "note")).toBe(false);
  });
});
