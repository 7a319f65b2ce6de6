import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load";
import type { Rotation, Team } from "../../../src/core/config";
import {
  describeEjection,
  type EjectInput,
  type EjectionRecord,
  mayEject,
  mayReadmit,
} from "../../../src/features/load/rules";
import { ORG_DIR } from "../../support/harness";

const config = loadConfig(ORG_DIR);
// Merged on-call holds Playback, Search and Payments; its only admin is U0ADMIN.
const merged = config.rotations.find((r) => r.id === "merged") as Rotation;
const team = (id: string) => config.teams.find((t) => t.id === id) as Team;
const playback = team("playback");

const ejected = (teamId: string): EjectionRecord => ({
  teamId,
  by: "U0ADMIN",
  at: "2026-11-20T09:00:00.000Z",
  reason: "too many pages",
});

const input = (patch: Partial<EjectInput> = {}): EjectInput => ({
  team: playback,
  rotations: [merged],
  user: "U0ADMIN",
  reason: "31 pages a week",
  ejections: [],
  ...patch,
});

describe("mayEject", () => {
  it("lets a rotation admin eject a team with a reason while other teams remain", () => {
    expect(mayEject(input())).toEqual({ ok: true });
    expect(mayEject(input({ ejections: [ejected("search")] }))).toEqual({ ok: true });
  });

  it("refuses anyone but an admin of the team's rotations, naming them", () => {
    expect(mayEject(input({ user: "U01AAA" }))).toEqual({
      ok: false,
      usage: false,
      text: "Only rotation admins may eject Playback. Ask one of them (Merged on-call: <@U0ADMIN>).",
    });
    const noAdmins = mayEject(input({ user: "U01AAA", rotations: [{ ...merged, admins: [] }] }));
    expect(noAdmins.ok ? "" : noAdmins.text).toContain(
      "Merged on-call: nobody (add `admins:` to the rotation)",
    );
  });

  it("refuses a team in no rotation before asking who presses", () => {
    expect(mayEject(input({ rotations: [], user: "U01AAA" }))).toEqual({
      ok: false,
      usage: false,
      text: "Playback is in no rotation, so there is nothing to eject it from: its alerts already go to <#C0PLAYBACK> and its members.",
    });
  });

  it("asks for a reason, as a usage error", () => {
    expect(mayEject(input({ reason: "" }))).toEqual({
      ok: false,
      usage: true,
      text: "Say why Playback is ejected: the reason is stored and shown to the rotation and the team.",
    });
  });

  it("refuses a team that is already ejected, saying by whom and how to readmit", () => {
    expect(mayEject(input({ ejections: [ejected("playback")] }))).toEqual({
      ok: false,
      usage: false,
      text: "Playback is already ejected (by <@U0ADMIN> on 2026-11-20: too many pages). `/oncall readmit playback` brings it back.",
    });
  });

  it("never ejects the last team left in a rotation", () => {
    expect(mayEject(input({ ejections: [ejected("search"), ejected("payments")] }))).toEqual({
      ok: false,
      usage: false,
      text: "Playback is the last team left in Merged on-call; ejecting it would leave nobody on call there. Readmit another team first.",
    });
    const solo: Rotation = { ...merged, id: "solo", name: "Solo", teams: ["playback"] };
    const r = mayEject(input({ rotations: [merged, solo] }));
    expect(r.ok ? "" : r.text).toContain("the last team left in Solo;");
  });
});

describe("mayReadmit", () => {
  it("lets an admin readmit and refuses anyone else", () => {
    expect(mayReadmit(playback, [merged], "U0ADMIN")).toEqual({ ok: true });
    expect(mayReadmit(playback, [merged], "U01AAA")).toEqual({
      ok: false,
      usage: false,
      text: "Only rotation admins may readmit Playback. Ask one of them (Merged on-call: <@U0ADMIN>).",
    });
  });
  it("refuses a team in no rotation", () => {
    expect(mayReadmit(playback, [], "U0ADMIN")).toEqual({
      ok: false,
      usage: false,
      text: "Playback is in no rotation, so there is nothing to readmit it to.",
    });
  });
});

describe("describeEjection", () => {
  it("says who, on which day and why", () => {
    expect(describeEjection(ejected("search"))).toBe("by <@U0ADMIN> on 2026-11-20: too many pages");
  });
});
