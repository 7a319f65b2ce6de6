import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load";
import type { OncallConfig } from "../../../src/core/config";
import { loadLookbackWeeks, loadReport } from "../../../src/features/load/load";
import { alert, ev, occ, plus, teamLoad } from "./occurrence-fixtures";

const MIN = 60_000;
const ORG = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "org");
const org = loadConfig(ORG);
const merged = org.rotations[0]!;
// Payments left out of the rotation: it has no limit. A small limit keeps the data small.
const config: OncallConfig = {
  ...org,
  rotations: [{ ...merged, teams: ["playback", "search"], loadLimits: { pagesPerWeek: 3, windowWeeks: 2 } }],
};
// Wednesday 13:00 in Berlin. The report's week: [Wed 18 Nov 12:00Z, Wed 25 Nov 12:00Z); the
// rotation window adds the week before, from Wed 11 Nov 12:00Z.
const now = new Date("2026-11-25T12:00:00Z");

let seq = 0;
function page(teamId: string | null, createdAt: string, patch = {}) {
  seq++;
  return alert({
    groupId: `a0b0c0${String(seq).padStart(2, "0")}`,
    occurrence: 1,
    createdAt,
    route: { teamId, unrouted: teamId === null, serviceId: teamId ? `${teamId}-svc` : null },
    ...patch,
  });
}

function fixture() {
  seq = 0;
  // Thu 09:00 Berlin: in its workday. Handed off to Playback, resolved by hand after 30 minutes.
  const p1 = page("playback", "2026-11-19T08:00:00Z", {
    ackedAt: "2026-11-19T08:05:00Z",
    assignedTeam: "playback",
    resolvedAt: "2026-11-19T08:30:00Z",
    resolvedBy: "U01BBB",
  });
  // Saturday: outside. No runbook for one name.
  const p2 = page("playback", "2026-11-21T20:00:00Z", {
    ackedAt: "2026-11-21T20:02:00Z",
    resolvedAt: "2026-11-21T21:00:00Z",
    resolvedBy: "alertmanager",
    missingRunbooks: ["StreamStalls"],
  });
  // Tue 18:30 Berlin: outside (the workday ends at 18:00). Escalated, never acknowledged.
  const p3 = page("playback", "2026-11-24T17:30:00Z", {
    assignedTeam: "playback",
    escalation: { by: "U03AAA", reason: "cdn", at: "2026-11-24T17:40:00Z" },
    resolvedAt: "2026-11-24T19:30:00Z",
    resolvedBy: "U01AAA",
  });
  // Wed 10:00 Berlin: inside; still open.
  const p4 = page("playback", "2026-11-25T09:00:00Z", {
    ackedAt: "2026-11-25T09:10:00Z",
    missingRunbooks: ["StreamStalls", "BufferLow"],
  });
  // The week before: only the rotation window sees them.
  const earlierWeek = ["2026-11-12T10:00:00Z", "2026-11-13T10:00:00Z", "2026-11-18T11:59:59Z"].map((t) =>
    page("playback", t, { resolvedAt: plus(t, 5), resolvedBy: "alertmanager" }),
  );
  // Before the rotation window, and at `now`: ignored.
  const tooOld = page("playback", "2026-11-11T11:59:59Z");
  const atNow = page("playback", now.toISOString());

  // Search: ejected, and over its limit (7 pages the week before, 1 this week).
  const searchBefore = Array.from({ length: 7 }, (_, i) => page("search", `2026-11-16T0${i}:00:00Z`));
  const s1 = page("search", "2026-11-20T10:00:00Z", {
    resolvedAt: "2026-11-20T10:03:00Z",
    resolvedBy: "alertmanager",
  });
  // Payments (New York, 09:00-17:00): Tue 10:00 EST, inside.
  const pay = page("payments", "2026-11-24T15:00:00Z", {
    ackedAt: "2026-11-24T15:01:00Z",
    resolvedAt: "2026-11-24T15:20:00Z",
    resolvedBy: "U03AAA",
  });
  const unrouted = page(null, "2026-11-22T10:00:00Z");
  const unroutedOld = page(null, "2026-11-12T10:00:00Z");

  return [
    occ(p1, [ev("acked", p1.ackedAt!), ev("handed_off", plus(p1.createdAt, 6))]),
    occ(p2),
    occ(p3, [ev("handed_off", plus(p3.createdAt, 5)), ev("escalated", p3.escalation!.at)]),
    occ(p4),
    ...earlierWeek.map((a) => occ(a)),
    occ(tooOld),
    occ(atNow),
    ...searchBefore.map((a) => occ(a)),
    occ(s1),
    occ(pay),
    occ(unrouted),
    occ(unroutedOld),
  ];
}

describe("loadReport", () => {
  it("measures every team over the window against its rotation's limit", () => {
    const report = loadReport({
      config,
      occurrences: fixture(),
      now,
      weeks: 1,
      ejected: new Set(["search"]),
    });
    expect(report.from.toISOString()).toBe("2026-11-18T12:00:00.000Z");
    expect(report.to).toBe(now);
    expect(report.weeks).toBe(1);
    expect(report.unrouted).toBe(1);
    const limit = { rotationId: "merged", rotationName: "Merged on-call", pagesPerWeek: 3, windowWeeks: 2 };
    expect(report.teams).toEqual([
      teamLoad({
        pages: 4,
        outsideWorkday: 2,
        handOffs: 2,
        escalations: 1,
        noRunbook: 2,
        noRunbookNames: ["BufferLow", "StreamStalls"],
        medianAckMs: 5 * MIN,
        medianResolveMs: 60 * MIN,
        p90ResolveMs: 120 * MIN,
        pagesPerWeek: 4,
        limit,
        weekly: [3, 4],
        windowPagesPerWeek: 3.5,
        overLimit: true,
        eligibleForEjection: true,
      }),
      teamLoad({
        teamId: "search",
        teamName: "Search",
        pages: 1,
        medianResolveMs: 3 * MIN,
        p90ResolveMs: 3 * MIN,
        pagesPerWeek: 1,
        limit,
        weekly: [7, 1],
        windowPagesPerWeek: 4,
        overLimit: true,
        ejected: true,
      }),
      teamLoad({
        teamId: "payments",
        teamName: "Payments",
        pages: 1,
        medianAckMs: 1 * MIN,
        medianResolveMs: 20 * MIN,
        p90ResolveMs: 20 * MIN,
        pagesPerWeek: 1,
        limit: null,
        weekly: [],
        windowPagesPerWeek: null,
      }),
    ]);
  });

  it("spreads a longer window over its weeks and stays under the limit at exactly the limit", () => {
    const report = loadReport({ config, occurrences: fixture(), now, weeks: 2, teamIds: ["playback"] });
    expect(report.teams).toHaveLength(1);
    const playback = report.teams[0]!;
    expect(playback.pages).toBe(7);
    expect(playback.pagesPerWeek).toBe(3.5);
    // The three earlier pages fired on weekdays at 11:00, 11:00 and 12:59 Berlin: inside.
    expect(playback.outsideWorkday).toBe(2);
    // 5, 5, 5, 30, 60, 120 minutes (p4 is open).
    expect(playback.medianResolveMs).toBe(17.5 * MIN);
    expect(playback.p90ResolveMs).toBe(120 * MIN);

    const atLimit = loadReport({
      config,
      occurrences: fixture().filter((o) => o.alert.createdAt !== "2026-11-18T11:59:59Z"),
      now,
      weeks: 1,
      teamIds: ["playback"],
    });
    expect(atLimit.teams[0]!.weekly).toEqual([2, 4]);
    expect(atLimit.teams[0]!.windowPagesPerWeek).toBe(3);
    expect(atLimit.teams[0]!.overLimit).toBe(false);
    expect(atLimit.teams[0]!.eligibleForEjection).toBe(false);
  });

  it("counts a page on a public holiday of the team's region as outside its workday", () => {
    // Thanksgiving, Thursday 26 Nov 2026, 10:00 in New York.
    const thanksgiving = page("payments", "2026-11-26T15:00:00Z");
    const friday = page("payments", "2026-11-27T15:00:00Z");
    const report = loadReport({
      config,
      occurrences: [occ(thanksgiving), occ(friday)],
      now: new Date("2026-11-28T00:00:00Z"),
      weeks: 1,
      teamIds: ["payments"],
    });
    expect(report.teams[0]!.pages).toBe(2);
    expect(report.teams[0]!.outsideWorkday).toBe(1);
  });

  it("takes a fraction of a week for a window of days", () => {
    const report = loadReport({ config, occurrences: fixture(), now, weeks: 1 / 7, teamIds: ["playback"] });
    expect(report.from.toISOString()).toBe("2026-11-24T12:00:00.000Z");
    expect(report.teams[0]!.pages).toBe(2);
    expect(report.teams[0]!.pagesPerWeek).toBe(14);
  });

  it("refuses unknown teams and empty windows", () => {
    expect(() => loadReport({ config, occurrences: [], now, weeks: 1, teamIds: ["nope"] })).toThrow(
      'unknown team "nope"',
    );
    expect(() => loadReport({ config, occurrences: [], now, weeks: 0 })).toThrow(RangeError);
  });

  it("looks back far enough for every rotation's window", () => {
    expect(loadLookbackWeeks(config, 1)).toBe(2);
    expect(loadLookbackWeeks(config, 6)).toBe(6);
    expect(loadLookbackWeeks(org, 1)).toBe(4);
  });
});
