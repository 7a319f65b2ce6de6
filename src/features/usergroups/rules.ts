// Who a rotation's on-call user group should hold, and whether Slack needs telling. Pure: the
// rotation state and the time come in.
//
// Comparing before updating matters: usergroups.users.update with an unchanged list still notifies
// the members, so a sync that re-sent it every hand-off (or every start-up) would ping people for
// nothing.

import type { Rotation, UsergroupRef } from "../../core/config";
import { type RotationState, shiftAt } from "../../core/rotation";

export interface Membership {
  /** Whoever is on call, alone; empty when every team of the rotation is ejected. */
  readonly users: readonly string[];
  /** When it may change next: the end of the current shift (a hand-off, an override's start or end). */
  readonly until: Date | null;
}

export function desiredMembership(rotation: Rotation, at: Date, state: RotationState): Membership {
  const shift = shiftAt(rotation, at, state);
  return shift ? { users: [shift.user], until: shift.end } : { users: [], until: null };
}

export type MembershipPlan =
  | { readonly kind: "keep" }
  | { readonly kind: "set"; readonly users: readonly string[] }
  /** Slack refuses an empty group, so the last engineer stays until somebody is on call again. */
  | { readonly kind: "nobody" };

/** What to send, given the group's members now (order does not matter to Slack). */
export function membershipPlan(current: readonly string[], desired: readonly string[]): MembershipPlan {
  if (desired.length === 0) return { kind: "nobody" };
  const have = new Set(current);
  const want = new Set(desired);
  const same = have.size === want.size && [...want].every((u) => have.has(u));
  return same ? { kind: "keep" } : { kind: "set", users: [...want] };
}

/** How logs and the README name a group: "@handle" or its id. */
export function usergroupLabel(ref: UsergroupRef): string {
  return ref.kind === "handle" ? `@${ref.handle}` : ref.id;
}

/** What the bot creates for a handle nobody has yet: names must be unique in the workspace too. */
export function usergroupToCreate(
  rotation: Rotation,
  handle: string,
): { readonly name: string; readonly handle: string; readonly description: string } {
  return {
    name: `${rotation.name} (on call)`,
    handle,
    description: `Whoever is on call for ${rotation.name}; kept up to date by the on-call bot.`,
  };
}

/** Rotations with a user group that a change of these teams' ejection can move. */
export function rotationsOfTeam(rotations: readonly Rotation[], teamId: string): Rotation[] {
  return rotations.filter((r) => r.usergroup && r.teams.includes(teamId));
}
