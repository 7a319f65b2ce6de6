import { describe, expect, it } from "vitest";
import type { ReviewConfig } from "../../../src/core/config";
import {
  buildAgenda,
  inPeriod,
  isoWeek,
  reviewCron,
  reviewSlotAt,
} from "../../../src/features/incidents/agenda";
import type { Incident } from "../../../src/features/incidents/incident";
import type { Postmortem } from "../../../src/features/incidents/postmortem";
import { POSTMORTEM_TEXT } from "../../support/incidents";

const SINCE = new Date("2026-11-16T10:00:00Z");
const UNTIL = new Date("2026-11-23T10:00:00Z");

function inc(n: number, over: Partial<Incident>): Incident {
  return {
    id: `INC-${n}`,
    number: n,
    title: `incident ${n}`,
    severity: "sev2",
    status: "resolved",
    declaredBy: "U01AAA",
    declaredAt: "2026-11-18T10:00:00Z",
    startedAt: "2026-11-18T10:00:00Z",
    resolvedAt: "2026-11-18T11:00:00Z",
    resolvedBy: "U01AAA",
    alertIds: [],
    notes: [],
    usersAffected: null,
    owner: "U01AAA",
    version: 1,
    ...over,
  };
}

function pm(incidentId: string, nearMiss: boolean, items = 1): Postmortem {
  return {
    incidentId,
    ...POSTMORTEM_TEXT,
    wentWell: "",
    wentWrong: "",
    gotLucky: "",
    actionItems: Array.from({ length: items }, (_, i) => ({ owner: "alice", text: `item ${i}` })),
    nearMiss,
    createdBy: "U01AAA",
    createdAt: "2026-11-19T00:00:00Z",
    updatedBy: "U01AAA",
    updatedAt: "2026-11-19T00:00:00Z",
    version: 1,
  };
}

describe("which incidents belong to the period", () => {
  it("takes those declared in it, resolved in it, or still open at its end", () => {
    expect(inPeriod(inc(1, {}), SINCE, UNTIL)).toBe(true);
    const before = { declaredAt: "2026-11-10T10:00:00Z", startedAt: "2026-11-10T10:00:00Z" };
    expect(inPeriod(inc(2, { ...before, resolvedAt: "2026-11-10T12:00:00Z" }), SINCE, UNTIL)).toBe(false);
    expect(inPeriod(inc(3, { ...before, resolvedAt: "2026-11-17T12:00:00Z" }), SINCE, UNTIL)).toBe(true);
    expect(inPeriod(inc(4, { ...before, status: "open", resolvedAt: null }), SINCE, UNTIL)).toBe(true);
    // (since, until]: the instant of a review belongs to the period it closes.
    expect(inPeriod(inc(5, { declaredAt: "2026-11-23T10:00:01Z" }), SINCE, UNTIL)).toBe(false);
    expect(inPeriod(inc(5, { declaredAt: "2026-11-23T10:00:00Z" }), SINCE, UNTIL)).toBe(true);
    const atSince = { declaredAt: "2026-11-16T10:00:00Z", resolvedAt: "2026-11-16T10:00:00Z" };
    expect(inPeriod(inc(6, atSince), SINCE, UNTIL)).toBe(false);
  });
});

describe("the agenda", () => {
  const incidents = [
    inc(1, { severity: "sev3", usersAffected: 10 }),
    inc(2, { severity: "sev1", resolvedAt: "2026-11-18T10:30:00Z", owner: "U02AAA" }),
    inc(3, { severity: "sev2", resolvedAt: "2026-11-18T14:00:00Z", usersAffected: 50 }),
    inc(4, { severity: "sev2", usersAffected: 5000 }),
    inc(5, { severity: "sev1" }), // near miss
    inc(6, { severity: "sev3" }), // near miss, smaller
    inc(7, {
      status: "open",
      resolvedAt: null,
      startedAt: "2026-11-22T10:00:00Z",
      declaredAt: "2026-11-22T10:00:00Z",
    }),
    // Before the period, still without a postmortem: named again.
    inc(8, {
      declaredAt: "2026-10-01T10:00:00Z",
      startedAt: "2026-10-01T10:00:00Z",
      resolvedAt: "2026-10-01T11:00:00Z",
    }),
    // Before the period, with a postmortem: not on this agenda.
    inc(9, {
      declaredAt: "2026-10-02T10:00:00Z",
      startedAt: "2026-10-02T10:00:00Z",
      resolvedAt: "2026-10-02T11:00:00Z",
    }),
    // After the period: not yet.
    inc(10, { declaredAt: "2026-11-23T10:00:01Z" }),
  ];
  const postmortems = new Map<string, Postmortem>([
    ["INC-2", pm("INC-2", false, 3)],
    ["INC-4", pm("INC-4", false)],
    ["INC-5", pm("INC-5", true)],
    ["INC-6", pm("INC-6", true)],
    ["INC-9", pm("INC-9", false)],
  ]);
  const agenda = buildAgenda({ incidents, postmortems, since: SINCE, until: UNTIL });

  it("orders incidents by severity, duration and users affected", () => {
    expect(agenda.incidents.map((e) => e.incident.id)).toEqual(["INC-2", "INC-7", "INC-3", "INC-4", "INC-1"]);
    // INC-7 is open: measured up to the end of the period (24h), longer than INC-3's 4h.
    expect(agenda.incidents.map((e) => e.durationMs / 60_000)).toEqual([30, 1440, 240, 60, 60]);
  });

  it("gives each its postmortem status, owner and action items", () => {
    expect(agenda.incidents.map((e) => [e.incident.id, e.postmortem, e.owner, e.actionItems])).toEqual([
      ["INC-2", "written", "U02AAA", 3],
      ["INC-7", "not_due", "U01AAA", 0],
      ["INC-3", "missing", "U01AAA", 0],
      ["INC-4", "written", "U01AAA", 1],
      ["INC-1", "missing", "U01AAA", 0],
    ]);
  });

  it("lists near misses apart, worst first", () => {
    expect(agenda.nearMisses.map((e) => e.incident.id)).toEqual(["INC-5", "INC-6"]);
    expect(agenda.nearMisses.every((e) => e.nearMiss)).toBe(true);
  });

  it("names missing postmortems, older ones included, oldest first", () => {
    expect(agenda.missingPostmortems.map((e) => e.incident.id)).toEqual(["INC-8", "INC-1", "INC-3"]);
  });

  it("says which period it covers", () => {
    expect(agenda).toMatchObject({ since: "2026-11-16T10:00:00.000Z", until: "2026-11-23T10:00:00.000Z" });
  });

  it("is empty when nothing happened", () => {
    expect(buildAgenda({ incidents: [], postmortems: new Map(), since: SINCE, until: UNTIL })).toEqual({
      since: SINCE.toISOString(),
      until: UNTIL.toISOString(),
      incidents: [],
      nearMisses: [],
      missingPostmortems: [],
    });
  });
});

describe("the review's schedule", () => {
  const review: ReviewConfig = {
    channel: "C0REVIEW",
    day: "mon",
    time: { hour: 11, minute: 0 },
    timezone: "Europe/Berlin",
  };

  it("is a cron pattern for the day and time", () => {
    expect(reviewCron(review)).toBe("0 11 * * 1");
    expect(reviewCron({ day: "sun", time: { hour: 9, minute: 30 } })).toBe("30 9 * * 0");
    expect(reviewCron({ day: "sat", time: { hour: 0, minute: 5 } })).toBe("5 0 * * 6");
  });

  it("finds the latest review at or before now, in the review's time zone", () => {
    expect(reviewSlotAt(review, new Date("2026-11-25T10:00:00Z"))).toEqual({
      at: new Date("2026-11-23T10:00:00Z"),
      week: "2026-W48",
    });
    // Monday 10:59 Berlin: this week's review has not happened yet.
    expect(reviewSlotAt(review, new Date("2026-11-23T09:59:00Z")).at).toEqual(
      new Date("2026-11-16T10:00:00Z"),
    );
    expect(reviewSlotAt(review, new Date("2026-11-23T10:00:00Z")).week).toBe("2026-W48");
  });

  it("follows daylight saving time", () => {
    // Berlin leaves summer time on Sunday 2026-10-25: 11:00 is 09:00Z before and 10:00Z after.
    expect(reviewSlotAt(review, new Date("2026-10-26T09:30:00Z"))).toEqual({
      at: new Date("2026-10-19T09:00:00Z"),
      week: "2026-W43",
    });
    expect(reviewSlotAt(review, new Date("2026-10-26T10:00:00Z"))).toEqual({
      at: new Date("2026-10-26T10:00:00Z"),
      week: "2026-W44",
    });
  });

  it("names ISO weeks across year ends", () => {
    const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
    expect(isoWeek(day("2026-01-01"))).toBe("2026-W01");
    expect(isoWeek(day("2025-12-29"))).toBe("2026-W01");
    expect(isoWeek(day("2027-01-01"))).toBe("2026-W53");
    expect(isoWeek(day("2024-12-30"))).toBe("2025-W01");
    expect(isoWeek(day("2026-11-23"))).toBe("2026-W48");
    expect(isoWeek(day("2026-11-29"))).toBe("2026-W48");
  });
});
