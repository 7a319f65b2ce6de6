// The store's atomicity against real Redis: several "replicas" (connections) racing on one group.

import { describe, expect, it } from "vitest";
import { acknowledge } from "../../../src/core/alert-actions";
import { AlertStore } from "../../../src/features/paging/alert-store";
import { parseGenericAlert } from "../../../src/features/paging/intake/generic";
import { UNROUTED_ROUTE } from "../../support/alerts";
import { redisPerTest } from "../../support/redis";

const deps = { route: async () => UNROUTED_ROUTE, hasRunbook: () => true };

const redis = redisPerTest("store");

function replica(): AlertStore {
  return new AlertStore(redis.replica(), redis.prefix);
}

const firing = (instance: string) =>
  parseGenericAlert({ name: "Boom", status: "firing", labels: { instance }, group: "shared-group" });

describe("AlertStore", () => {
  it("opens exactly one alert when many replicas receive the first notification at once", async () => {
    const stores = Array.from({ length: 6 }, replica);
    const now = new Date("2026-11-25T10:00:00Z");
    const results = await Promise.all(stores.map((s, i) => s.ingest(firing(`i-${i}`), now, deps)));
    expect(results.filter((r) => r.kind === "opened")).toHaveLength(1);
    const latest = await stores[0]!.latestOfGroup(firing("x").groupId);
    expect(latest?.occurrence).toBe(1);
    // Every replica's instance made it in: no update was lost to a race.
    expect(latest?.instances.map((i) => i.labels.instance).sort()).toEqual([
      "i-0",
      "i-1",
      "i-2",
      "i-3",
      "i-4",
      "i-5",
    ]);
    expect(latest?.version).toBe(6);
    expect(await stores[0]!.openIds({ rotationId: "merged" })).toEqual([latest?.id]);
  });

  it("lets exactly one of two simultaneous acknowledgements win", async () => {
    const [a, b] = [replica(), replica()];
    const now = new Date("2026-11-25T10:00:00Z");
    const opened = await a.ingest(firing("i-1"), now, deps);
    const id = opened.alert!.id;
    const [r1, r2] = await Promise.all([
      a.update(id, (al) => acknowledge(al, "U01AAA", now)),
      b.update(id, (al) => acknowledge(al, "U02AAA", now)),
    ]);
    expect([r1.ok, r2.ok].filter(Boolean)).toHaveLength(1);
    const loser = r1.ok ? r2 : r1;
    expect(loser.ok).toBe(false);
    if (!loser.ok) expect(loser.reason).toMatch(/already acknowledged/);
    const events = await a.events(id);
    expect(events.filter((e) => e.type === "acked")).toHaveLength(1);
  });
});
