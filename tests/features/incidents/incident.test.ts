import { describe, expect, it } from "vitest";
import { formatDuration } from "../../../src/core/duration";
import {
  addNote,
  compareByImpact,
  declareIncident,
  type Incident,
  incidentDurationMs,
  isNearMiss,
  linkAlert,
  parseIncidentId,
  parseSeverity,
  postmortemStatus,
  resolveIncident,
  setFacts,
  titleProblem,
} from "../../../src/features/incidents/incident";

const NOW = new Date("2026-11-25T12:00:00Z");

function incident(over: Partial<Incident> = {}): Incident {
  return {
    ...declareIncident({
      number: 1,
      title: "Checkout fails",
      severity: "sev2",
      declaredBy: "U01AAA",
      alerts: [],
      now: new Date("2026-11-25T10:00:00Z"),
    }),
    ...over,
  };
}

function ok<T extends { ok: boolean }>(t: T): Extract<T, { ok: true }> {
  if (!t.ok) throw new Error(`refused: ${(t as unknown as { reason: string }).reason}`);
  return t as Extract<T, { ok: true }>;
}

describe("incident ids and severities", () => {
  it("reads the forms people type and refuses the rest", () => {
    expect(parseIncidentId("INC-12")).toBe("INC-12");
    expect(parseIncidentId("inc-12")).toBe("INC-12");
    expect(parseIncidentId("#7")).toBe("INC-7");
    expect(parseIncidentId("7")).toBe("INC-7");
    expect(parseIncidentId("INC-")).toBeNull();
    expect(parseIncidentId("INC-1:2")).toBeNull();
    expect(parseSeverity("SEV1")).toBe("sev1");
    expect(parseSeverity("sev4")).toBeNull();
  });

  it("wants a title of reasonable length", () => {
    expect(titleProblem("  ")).toMatch(/needs a title/);
    expect(titleProblem("x".repeat(151))).toMatch(/151 characters/);
    expect(titleProblem("Checkout fails")).toBeNull();
  });
});

describe("declaring", () => {
  it("numbers the incident, makes the declarer its owner and starts it at the first linked alert", () => {
    const i = declareIncident({
      number: 42,
      title: "  Search is slow  ",
      severity: "sev1",
      declaredBy: "U02AAA",
      alerts: [
        { id: "aaaaaaaa-1", createdAt: "2026-11-25T09:40:00Z" },
        { id: "bbbbbbbb-1", createdAt: "2026-11-25T09:10:00Z" },
        { id: "aaaaaaaa-1", createdAt: "2026-11-25T09:40:00Z" },
      ],
      now: new Date("2026-11-25T10:00:00Z"),
    });
    expect(i).toMatchObject({
      id: "INC-42",
      number: 42,
      title: "Search is slow",
      severity: "sev1",
      status: "open",
      owner: "U02AAA",
      declaredAt: "2026-11-25T10:00:00.000Z",
      startedAt: "2026-11-25T09:10:00Z",
      alertIds: ["aaaaaaaa-1", "bbbbbbbb-1"],
      version: 1,
    });
  });

  it("starts at the declaration when no alert came earlier", () => {
    expect(incident().startedAt).toBe("2026-11-25T10:00:00.000Z");
  });
});

describe("transitions", () => {
  it("adds notes in order and refuses empty or overlong ones", () => {
    const a = ok(addNote(incident(), "U01AAA", " rolled back ", new Date("2026-11-25T10:05:00Z"))).incident;
    const b = ok(addNote(a, "U02AAA", "error rate down", new Date("2026-11-25T10:09:00Z"))).incident;
    expect(b.notes).toEqual([
      { at: "2026-11-25T10:05:00.000Z", author: "U01AAA", text: "rolled back" },
      { at: "2026-11-25T10:09:00.000Z", author: "U02AAA", text: "error rate down" },
    ]);
    expect(addNote(b, "U01AAA", " ", NOW)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/note INC-1/),
    });
    expect(addNote(b, "U01AAA", "x".repeat(3001), NOW).ok).toBe(false);
  });

  it("links an alert once and moves the start back to it", () => {
    const linked = ok(
      linkAlert(incident(), { id: "cccccccc-2", createdAt: "2026-11-25T08:00:00Z" }),
    ).incident;
    expect(linked.alertIds).toEqual(["cccccccc-2"]);
    expect(linked.startedAt).toBe("2026-11-25T08:00:00Z");
    const later = ok(linkAlert(linked, { id: "dddddddd-1", createdAt: "2026-11-25T11:00:00Z" })).incident;
    expect(later.startedAt).toBe("2026-11-25T08:00:00Z");
    expect(linkAlert(later, { id: "cccccccc-2", createdAt: "2026-11-25T08:00:00Z" })).toEqual({
      ok: false,
      reason: "This alert is already linked to INC-1.",
    });
  });

  it("resolves once", () => {
    const r = ok(resolveIncident(incident(), "U03AAA", new Date("2026-11-25T11:30:00Z"))).incident;
    expect(r).toMatchObject({
      status: "resolved",
      resolvedAt: "2026-11-25T11:30:00.000Z",
      resolvedBy: "U03AAA",
    });
    expect(resolveIncident(r, "U01AAA", NOW)).toEqual({
      ok: false,
      reason: "INC-1 is already resolved (by <@U03AAA>).",
    });
  });

  it("sets only the facts given", () => {
    const i = ok(setFacts(incident(), { usersAffected: 1200 })).incident;
    expect(i).toMatchObject({ usersAffected: 1200, owner: "U01AAA" });
    expect(ok(setFacts(i, { owner: "U02BBB" })).incident).toMatchObject({
      usersAffected: 1200,
      owner: "U02BBB",
    });
  });
});

describe("duration", () => {
  it("runs from the start to the resolution, or to now while open", () => {
    const open = incident({ startedAt: "2026-11-25T09:00:00Z" });
    expect(incidentDurationMs(open, NOW)).toBe(3 * 3600_000);
    const done = incident({
      startedAt: "2026-11-25T09:00:00Z",
      resolvedAt: "2026-11-25T09:45:00Z",
      status: "resolved",
    });
    expect(incidentDurationMs(done, NOW)).toBe(45 * 60_000);
  });

  it("is written short, in the one duration format of every message", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(45 * 60_000)).toBe("45m");
    expect(formatDuration(125 * 60_000)).toBe("2h 05m");
    expect(formatDuration((3 * 24 + 4) * 3600_000 + 59 * 60_000)).toBe("3d 4h");
  });
});

describe("impact order", () => {
  const base = (n: number, over: Partial<Incident>) =>
    incident({
      id: `INC-${n}`,
      number: n,
      status: "resolved",
      startedAt: "2026-11-24T10:00:00Z",
      declaredAt: "2026-11-24T10:00:00Z",
      resolvedAt: "2026-11-24T11:00:00Z",
      ...over,
    });

  it("puts severity first, then duration, then users affected, then the earlier declaration", () => {
    const list = [
      base(1, { severity: "sev3", resolvedAt: "2026-11-24T20:00:00Z" }),
      base(2, { severity: "sev2", usersAffected: 10 }),
      base(3, { severity: "sev1" }),
      base(4, { severity: "sev2", usersAffected: 5000 }),
      base(5, { severity: "sev2", resolvedAt: "2026-11-24T13:00:00Z", usersAffected: 1 }),
      base(6, { severity: "sev2", usersAffected: 10, declaredAt: "2026-11-24T09:00:00Z" }),
      base(7, { severity: "sev2", usersAffected: 10 }),
    ];
    expect(list.sort(compareByImpact(NOW)).map((i) => i.id)).toEqual([
      "INC-3",
      "INC-5",
      "INC-4",
      "INC-6",
      "INC-2",
      "INC-7",
      "INC-1",
    ]);
  });

  it("counts an open incident's duration up to now", () => {
    const open = base(1, { status: "open", resolvedAt: null, startedAt: "2026-11-25T11:00:00Z" });
    const longer = base(2, { resolvedAt: "2026-11-24T12:00:00Z" });
    // Open for 1h at NOW vs. 2h resolved: the resolved one was longer.
    expect([open, longer].sort(compareByImpact(NOW)).map((i) => i.id)).toEqual(["INC-2", "INC-1"]);
    expect([open, longer].sort(compareByImpact(new Date("2026-11-25T15:00:00Z"))).map((i) => i.id)).toEqual([
      "INC-1",
      "INC-2",
    ]);
  });
});

describe("postmortem status and near misses", () => {
  it("is written, missing once resolved, and not due while open", () => {
    expect(postmortemStatus(incident(), false)).toBe("not_due");
    expect(postmortemStatus(incident({ status: "resolved" }), false)).toBe("missing");
    expect(postmortemStatus(incident({ status: "resolved" }), true)).toBe("written");
    expect(postmortemStatus(incident(), true)).toBe("written");
  });

  it("takes a near miss only from the postmortem's flag", () => {
    expect(isNearMiss(null)).toBe(false);
    expect(isNearMiss({ nearMiss: false })).toBe(false);
    expect(isNearMiss({ nearMiss: true })).toBe(true);
  });
});
