// Rotations to start from in tests and benches: the shape of the sample's merged on-call (weekly,
// Monday 10:00 Berlin), and participants written as one team's turns.

import type { Participant, Rotation } from "../../src/core/config";

/** Each user takes a turn for `team`, in the order given. */
export function turns(team: string, ...users: string[]): Participant[] {
  return users.map((user) => ({ user, team }));
}

/** Merged on-call: three teams, one engineer each, weekly hand-off Monday 10:00 Europe/Berlin. */
export function mergedRotation(patch: Partial<Rotation> = {}): Rotation {
  return {
    id: "merged",
    name: "Merged on-call",
    channel: "C0ONCALL",
    timezone: "Europe/Berlin",
    teams: ["playback", "search", "ads"],
    start: "2026-01-05",
    handoff: { day: "mon", time: { hour: 10, minute: 0 } },
    shift: { unit: "w", amount: 1 },
    participants: [...turns("playback", "alice"), ...turns("search", "bob"), ...turns("ads", "carol")],
    escalation: { ackTimeoutMs: 900_000, repeats: 2 },
    loadLimits: { pagesPerWeek: 20, windowWeeks: 4 },
    admins: ["U0PRODENG"],
    ...patch,
  };
}
