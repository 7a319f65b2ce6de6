// The test org (tests/fixtures/org) as the unit tests read it, and the instant most of them stand at.

import { loadConfig } from "../../src/config/load";
import type { Rotation, Team } from "../../src/core/config";
import { ORG_DIR } from "./harness";

/** Wednesday 2026-11-25 10:00Z, 11:00 in Berlin: inside Playback's workday, U02AAA on call in merged. */
export const WEDNESDAY = new Date("2026-11-25T10:00:00Z");

export const ORG = loadConfig(ORG_DIR);

export function orgTeam(id: string): Team {
  const team = ORG.teams.find((t) => t.id === id);
  if (!team) throw new Error(`the test org has no team ${id}`);
  return team;
}

export function orgRotation(id: string): Rotation {
  const rotation = ORG.rotations.find((r) => r.id === id);
  if (!rotation) throw new Error(`the test org has no rotation ${id}`);
  return rotation;
}
