// The rotation store's ejections against real Redis: "never eject the last team" holds when ejects
// race (each from its own connection, as replicas would send them).

import { describe, expect, it } from "vitest";
import { RotationStateStore } from "../../../src/features/rotation/store";
import { redisPerTest } from "../../support/redis";

const redis = redisPerTest("rotation-store");
const rotation = { teams: ["playback", "search", "payments"] };
const ejection = (teamId: string) => ({
  teamId,
  by: "U0ADMIN",
  at: "2026-11-25T10:00:00.000Z",
  reason: "load",
});

describe("RotationStateStore.eject", () => {
  it("ejects two of three teams racing and refuses the third as the last team", async () => {
    const stores = rotation.teams.map(() => new RotationStateStore(redis.replica(), redis.prefix));
    const outcomes = await Promise.all(
      rotation.teams.map((t, i) => stores[i]!.eject(ejection(t), [rotation])),
    );
    const kinds = outcomes.map((o) => o.outcome).sort();
    expect(kinds).toEqual(["ejected", "ejected", "last-team"]);
    expect(outcomes.find((o) => o.outcome === "last-team")).toEqual({ outcome: "last-team", emptied: [0] });
    const kept = rotation.teams.filter((_, i) => outcomes[i]!.outcome === "last-team");
    expect(kept).toHaveLength(1);
    const ejected = (await stores[0]!.ejections()).map((e) => e.teamId).sort();
    expect(ejected).toEqual(rotation.teams.filter((t) => !kept.includes(t)).sort());
    expect(await stores[0]!.redis.llen(stores[0]!.keys.ejectionLog())).toBe(2);
  });

  it("answers already for a team ejected before, and ejects a team whose other rotation still has one", async () => {
    const store = new RotationStateStore(redis.replica(), redis.prefix);
    const night = { teams: ["payments", "search"] };
    expect(await store.eject(ejection("playback"), [rotation])).toEqual({ outcome: "ejected" });
    expect(await store.eject(ejection("playback"), [rotation])).toEqual({ outcome: "already" });
    // Search is the last team of neither rotation (payments is in both).
    expect(await store.eject(ejection("search"), [rotation, night])).toEqual({ outcome: "ejected" });
    expect(await store.eject(ejection("payments"), [night, rotation])).toEqual({
      outcome: "last-team",
      emptied: [0, 1],
    });
    expect((await store.ejections()).map((e) => e.teamId).sort()).toEqual(["playback", "search"]);
  });
});
