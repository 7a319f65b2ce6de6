// The on-call user group's rules: whoever is on call is its only member, until the shift's piece
// ends; Slack is told only when the members differ.

import { describe, expect, it } from "vitest";
import {
  desiredMembership,
  membershipPlan,
  rotationsOfTeam,
  usergroupLabel,
  usergroupToCreate,
} from "../../../src/features/usergroups/rules";
import { mergedRotation } from "../../support/rotations";

const rotation = mergedRotation();
// Wednesday of the first week: alice (playback) is on call from Monday 2026-01-05 10:00 Berlin.
const WED = new Date("2026-01-07T12:00:00Z");
const NEXT_HANDOFF = new Date("2026-01-12T09:00:00Z");

const override = (user: string, from: string, to: string) => ({
  id: "1",
  rotationId: "merged",
  user,
  from: new Date(from),
  to: new Date(to),
  createdBy: "U0PRODENG",
});

describe("desiredMembership", () => {
  it("is whoever is on call, until the next hand-off", () => {
    expect(desiredMembership(rotation, WED, {})).toEqual({ users: ["alice"], until: NEXT_HANDOFF });
  });

  it("follows an override, until the override ends", () => {
    const state = { overrides: [override("dave", "2026-01-07T11:00:00Z", "2026-01-07T13:00:00Z")] };
    expect(desiredMembership(rotation, WED, state)).toEqual({
      users: ["dave"],
      until: new Date("2026-01-07T13:00:00Z"),
    });
    // Before it starts, the scheduled engineer holds the group until the override's start.
    expect(desiredMembership(rotation, new Date("2026-01-07T10:00:00Z"), state)).toEqual({
      users: ["alice"],
      until: new Date("2026-01-07T11:00:00Z"),
    });
  });

  it("skips an ejected team, and is nobody when every team is ejected", () => {
    expect(desiredMembership(rotation, WED, { ejectedTeams: new Set(["playback"]) }).users).toEqual(["bob"]);
    expect(
      desiredMembership(rotation, WED, { ejectedTeams: new Set(["playback", "search", "ads"]) }),
    ).toEqual({ users: [], until: null });
  });
});

describe("membershipPlan", () => {
  it("keeps an unchanged membership, in any order: re-sending it would notify the members", () => {
    expect(membershipPlan(["alice"], ["alice"])).toEqual({ kind: "keep" });
    expect(membershipPlan(["bob", "alice"], ["alice", "bob"])).toEqual({ kind: "keep" });
  });

  it("replaces a stale, extra or missing member", () => {
    expect(membershipPlan(["bob"], ["alice"])).toEqual({ kind: "set", users: ["alice"] });
    expect(membershipPlan(["alice", "bob"], ["alice"])).toEqual({ kind: "set", users: ["alice"] });
    expect(membershipPlan([], ["alice"])).toEqual({ kind: "set", users: ["alice"] });
  });

  it("leaves the group alone when nobody is on call (Slack refuses an empty group)", () => {
    expect(membershipPlan(["alice"], [])).toEqual({ kind: "nobody" });
  });
});

describe("naming", () => {
  it("labels a group by handle or id, and creates it under the rotation's name", () => {
    expect(usergroupLabel({ kind: "handle", handle: "oncall-merged" })).toBe("@oncall-merged");
    expect(usergroupLabel({ kind: "id", id: "S0ONCALL" })).toBe("S0ONCALL");
    expect(usergroupToCreate(rotation, "oncall-merged")).toEqual({
      name: "Merged on-call (on call)",
      handle: "oncall-merged",
      description: "Whoever is on call for Merged on-call; kept up to date by the on-call bot.",
    });
  });

  it("finds the rotations with a group that a team's ejection moves", () => {
    const withGroup = mergedRotation({ usergroup: { kind: "handle", handle: "oncall-merged" } });
    const other = mergedRotation({ id: "other", teams: ["search"] });
    expect(rotationsOfTeam([withGroup, other], "playback").map((r) => r.id)).toEqual(["merged"]);
    expect(rotationsOfTeam([withGroup, other], "payments")).toEqual([]);
  });
});
