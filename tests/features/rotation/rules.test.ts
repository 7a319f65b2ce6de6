import { describe, expect, it } from "vitest";
import type { Rotation } from "../../../src/core/config";
import {
  isAdmin,
  MAX_OVERRIDE_LEAD_MS,
  MAX_OVERRIDE_MS,
  mayCover,
  mayRemoveOverride,
  maySetOverride,
  overrideRange,
} from "../../../src/features/rotation/rules";
import { ORG as config, WEDNESDAY as NOW, orgRotation } from "../../support/org";

// Merged on-call: teams Playback, Search, Payments; participants U01AAA, U02AAA, U03AAA; admin U0ADMIN.
const merged = orgRotation("merged");
const HOUR = 3_600_000;
const at = (ms: number) => new Date(NOW.getTime() + ms);
const iso = (d: Date) => d.toISOString();

describe("who may cover and who is an admin", () => {
  it("counts participants and members of the rotation's teams, nobody else", () => {
    expect(mayCover(config, merged, "U01AAA")).toBe(true); // participant
    expect(mayCover(config, merged, "U01CCC")).toBe(true); // Playback member, not a participant
    expect(mayCover(config, merged, "U0ADMIN")).toBe(false);
    expect(mayCover(config, merged, "U9STRANGER")).toBe(false);
    expect(isAdmin(merged, "U0ADMIN")).toBe(true);
    expect(isAdmin(merged, "U01AAA")).toBe(false);
  });
});

describe("maySetOverride", () => {
  it("lets a team member cover for themselves", () => {
    expect(maySetOverride(config, merged, "U01CCC", "U01CCC")).toEqual({ ok: true });
  });
  it("lets an admin set an override for anyone, themselves included", () => {
    expect(maySetOverride(config, merged, "U0ADMIN", "U02BBB")).toEqual({ ok: true });
    expect(maySetOverride(config, merged, "U0ADMIN", "U0ADMIN")).toEqual({ ok: true });
  });
  it("refuses a member who sets one for someone else, naming the admins", () => {
    expect(maySetOverride(config, merged, "U01AAA", "U02AAA")).toEqual({
      ok: false,
      usage: false,
      text: "You can set overrides only for yourself: `/oncall override me <from> <to>`. Overrides for others are for admins of Merged on-call (<@U0ADMIN>).",
    });
  });
  it("refuses someone outside the rotation's teams, naming the teams", () => {
    expect(maySetOverride(config, merged, "U9STRANGER", "U9STRANGER")).toEqual({
      ok: false,
      usage: false,
      text: "Only members of Merged on-call's teams (Playback, Search, Payments) can cover its shifts. Ask an admin (<@U0ADMIN>) if you should be one.",
    });
  });
  it('says "nobody" when a rotation has no admins', () => {
    const open: Rotation = { ...merged, admins: [] };
    const r = maySetOverride(config, open, "U01AAA", "U02AAA");
    expect(r.ok ? "" : r.text).toContain("admins of Merged on-call (nobody)");
  });
});

describe("mayRemoveOverride", () => {
  const o = { id: "7", user: "U01AAA", createdBy: "U0ADMIN" };
  it("lets the person covering, who set it, and an admin remove it", () => {
    expect(mayRemoveOverride(o, merged, "U01AAA")).toEqual({ ok: true });
    expect(mayRemoveOverride({ ...o, createdBy: "U02AAA" }, merged, "U02AAA")).toEqual({ ok: true });
    expect(mayRemoveOverride({ ...o, createdBy: "U01AAA" }, merged, "U0ADMIN")).toEqual({ ok: true });
  });
  it("refuses anyone else, saying who may", () => {
    expect(mayRemoveOverride(o, merged, "U02AAA")).toEqual({
      ok: false,
      usage: false,
      text: "Only <@U01AAA>, who set it (<@U0ADMIN>) or an admin of the rotation (<@U0ADMIN>) can remove override `7`.",
    });
    // An override of a rotation no longer configured: only its own people.
    const r = mayRemoveOverride(o, undefined, "U02AAA");
    expect(r.ok ? "" : r.text).toContain("an admin of the rotation (nobody)");
  });
});

describe("overrideRange", () => {
  const fmt = iso;
  it("accepts a range that has begun, or begins within a year, up to 30 days long", () => {
    expect(overrideRange(at(-HOUR), at(HOUR), NOW, fmt)).toEqual({ ok: true });
    expect(overrideRange(at(HOUR), at(HOUR + MAX_OVERRIDE_MS), NOW, fmt)).toEqual({ ok: true });
    expect(overrideRange(at(MAX_OVERRIDE_LEAD_MS), at(MAX_OVERRIDE_LEAD_MS + HOUR), NOW, fmt)).toEqual({
      ok: true,
    });
  });
  it("refuses an end that does not come after the start, writing both times", () => {
    expect(overrideRange(at(2 * HOUR), at(HOUR), NOW, fmt)).toEqual({
      ok: false,
      usage: true,
      text: `The end (${iso(at(HOUR))}) must come after the start (${iso(at(2 * HOUR))}).`,
    });
    expect(overrideRange(at(HOUR), at(HOUR), NOW, fmt).ok).toBe(false);
  });
  it("refuses a range that ended already, also one ending right now", () => {
    expect(overrideRange(at(-2 * HOUR), NOW, NOW, fmt)).toEqual({
      ok: false,
      usage: true,
      text: `That range ended already (${iso(NOW)}).`,
    });
  });
  it("refuses more than 30 days and a start more than a year ahead", () => {
    const long = overrideRange(at(HOUR), at(HOUR + MAX_OVERRIDE_MS + 1), NOW, fmt);
    expect(long).toEqual({
      ok: false,
      usage: true,
      text: "An override may cover at most 30 days; add several for longer.",
    });
    const far = overrideRange(at(MAX_OVERRIDE_LEAD_MS + 1), at(MAX_OVERRIDE_LEAD_MS + HOUR), NOW, fmt);
    expect(far).toEqual({ ok: false, usage: true, text: "An override may start at most a year ahead." });
  });
});
