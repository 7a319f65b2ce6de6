import { describe, expect, it } from "vitest";
import { median, outcomeOf, percentile, resolvedBySource } from "../../../src/core/outcome";
import { isFlapping, noiseReport } from "../../../src/features/load/noise";
import { alert, ev, occ, plus, series } from "./occurrence-fixtures";

const MIN = 60_000;
const from = new Date("2026-11-01T00:00:00Z");
const to = new Date("2026-11-29T00:00:00Z");

describe("outcomeOf", () => {
  const t = "2026-11-02T10:00:00Z";
  const base = { groupId: "abcdef01", occurrence: 1, createdAt: t };

  it("is open while the alert is", () => {
    expect(outcomeOf(alert(base))).toBe("open");
    expect(outcomeOf(alert({ ...base, ackedAt: plus(t, 1) }))).toBe("open");
    expect(
      outcomeOf(alert({ ...base, state: "escalated", escalation: { by: "U1", reason: "r", at: t } })),
    ).toBe("open");
  });

  it("tells resolved by itself (never acknowledged) from recovered after acknowledgement and by hand", () => {
    const bySelf = alert({ ...base, resolvedAt: plus(t, 5), resolvedBy: "alertmanager" });
    expect(outcomeOf(bySelf)).toBe("resolved_by_itself");
    const grafana = alert({ ...base, source: "grafana", resolvedAt: plus(t, 5), resolvedBy: "grafana" });
    expect(outcomeOf(grafana)).toBe("resolved_by_itself");
    const afterAck = alert({
      ...base,
      ackedAt: plus(t, 1),
      resolvedAt: plus(t, 5),
      resolvedBy: "alertmanager",
    });
    expect(outcomeOf(afterAck)).toBe("resolved_after_ack");
    const byHand = alert({ ...base, resolvedAt: plus(t, 5), resolvedBy: "U01AAA" });
    expect(outcomeOf(byHand)).toBe("resolved_by_hand");
    expect(resolvedBySource(byHand)).toBe(false);
    expect(resolvedBySource(bySelf)).toBe(true);
  });

  it("ranks escalation over hand-off over remediation over who resolved", () => {
    const resolved = { ...base, resolvedAt: plus(t, 30), resolvedBy: "alertmanager" };
    const handedOff = alert({ ...resolved, assignedTeam: "playback" });
    expect(outcomeOf(handedOff)).toBe("handed_off");
    const escalated = alert({
      ...resolved,
      assignedTeam: "playback",
      escalation: { by: "U01AAA", reason: "db down", at: plus(t, 10) },
    });
    expect(outcomeOf(escalated, [ev("handed_off", plus(t, 5)), ev("escalated", plus(t, 10))])).toBe(
      "escalated",
    );
    const remediated = alert(resolved);
    const run = (text: string) => ({ ...ev("remediation", plus(t, 2), "bot"), text });
    expect(outcomeOf(remediated, [run("🛠 Running restart…")])).toBe("remediated");
    const byHand = alert({ ...resolved, resolvedBy: "U01AAA" });
    expect(outcomeOf(byHand, [run("🛠 Running restart…"), run("❌ restart failed (tried 3): boom")])).toBe(
      "resolved_by_hand",
    );
    expect(outcomeOf(byHand, [run("🛠 Running restart…"), run("✅ restart: pod restarted")])).toBe(
      "remediated",
    );
    expect(occ(escalated, [ev("handed_off", plus(t, 5))]).handedOff).toBe(true);
    expect(occ(escalated).handedOff).toBe(false);
    expect(occ(handedOff).handedOff).toBe(true);
  });
});

describe("median and percentile", () => {
  it("computes them on unsorted input and answer null for none", () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile([], 90)).toBeNull();
    expect(percentile([30, 10, 20], 90)).toBe(30);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
  });
});

describe("isFlapping", () => {
  const prev = "aaaaaaaa-1";
  const a = alert({ groupId: "aaaaaaaa", occurrence: 2, createdAt: "2026-11-02T11:00:00Z" });
  it("is true within an hour after the previous occurrence resolved, inclusive", () => {
    expect(isFlapping(a, (id) => (id === prev ? "2026-11-02T10:00:00Z" : null))).toBe(true);
    expect(isFlapping(a, (id) => (id === prev ? "2026-11-02T09:59:59Z" : null))).toBe(false);
    expect(isFlapping(a, () => null)).toBe(false);
    expect(
      isFlapping(alert({ groupId: "aaaaaaaa", occurrence: 1, createdAt: a.createdAt }), () => a.createdAt),
    ).toBe(false);
  });
});

// Four alert names, one with two owning teams, one unrouted; every figure is asserted below.
function fixture() {
  const her = series("aaaaaaaa", "HighErrorRate", { teamId: "playback", serviceId: "stream-api" });
  const a1 = her(1, "2026-11-02T10:00:00Z", {
    ackedAt: "2026-11-02T10:04:00Z",
    resolvedAt: "2026-11-02T10:30:00Z",
    resolvedBy: "U02AAA",
    answer: { actionable: false, by: "U02AAA", at: "2026-11-02T10:31:00Z" },
  });
  // 30 minutes after a1 resolved: flapping, and resolved by itself (counted once as noisy).
  const a2 = her(2, "2026-11-02T11:00:00Z", {
    resolvedAt: "2026-11-02T11:10:00Z",
    resolvedBy: "alertmanager",
  });
  // Long after a2; acknowledged, recovered by itself, answered actionable: not noisy.
  const a3 = her(3, "2026-11-03T09:00:00Z", {
    ackedAt: "2026-11-03T09:10:00Z",
    resolvedAt: "2026-11-03T09:40:00Z",
    resolvedBy: "alertmanager",
    answer: { actionable: true, by: "U02AAA", at: "2026-11-03T09:41:00Z" },
  });
  // 50 minutes after a3 resolved: flapping; still open.
  const a4 = her(4, "2026-11-03T10:30:00Z", { ackedAt: "2026-11-03T10:32:00Z" });

  const slh = series("bbbbbbbb", "SearchLatencyHigh", { teamId: "search", serviceId: "search-api" });
  const b1 = slh(1, "2026-11-05T12:00:00Z", {
    resolvedAt: "2026-11-05T12:05:00Z",
    resolvedBy: "alertmanager",
  });
  // 1h55m after b1: not flapping; handed off.
  const b2 = slh(2, "2026-11-05T14:00:00Z", {
    ackedAt: "2026-11-05T14:06:00Z",
    assignedTeam: "search",
    resolvedAt: "2026-11-05T15:00:00Z",
    resolvedBy: "U02BBB",
  });
  // Exactly an hour after b2 resolved: flapping; escalated, never acknowledged.
  const b3 = slh(3, "2026-11-05T16:00:00Z", {
    assignedTeam: "search",
    escalation: { by: "U01AAA", reason: "slow", at: "2026-11-05T16:05:00Z" },
    resolvedAt: "2026-11-05T16:30:00Z",
    resolvedBy: "U02BBB",
  });

  const c1 = alert({
    groupId: "cccccccc",
    occurrence: 1,
    createdAt: "2026-11-10T03:00:00Z",
    name: "DiskFull",
    route: { teamId: null, unrouted: true },
    resolvedAt: "2026-11-10T03:02:00Z",
    resolvedBy: "generic",
    source: "generic",
    answer: { actionable: false, by: "U01AAA", at: "2026-11-10T03:05:00Z" },
  });

  const checkout = series("dddddddd", "CheckoutErrors", { teamId: "payments", serviceId: "checkout" });
  // Before the window: only its resolution matters (d2 flaps on it).
  const d1 = checkout(1, "2026-10-31T23:00:00Z", {
    resolvedAt: "2026-10-31T23:30:00Z",
    resolvedBy: "alertmanager",
  });
  const d2 = checkout(2, "2026-11-01T00:10:00Z", {
    ackedAt: "2026-11-01T00:11:00Z",
    resolvedAt: "2026-11-01T00:20:00Z",
    resolvedBy: "U03AAA",
  });
  const d3 = checkout(3, "2026-11-20T12:00:00Z", {
    ackedAt: "2026-11-20T12:01:00Z",
    resolvedAt: "2026-11-20T12:30:00Z",
    resolvedBy: "U03AAA",
    answer: { actionable: true, by: "U03AAA", at: "2026-11-20T12:31:00Z" },
  });

  // Same name, another team: its own row.
  const e1 = alert({
    groupId: "eeeeeeee",
    occurrence: 1,
    createdAt: "2026-11-12T12:00:00Z",
    name: "HighErrorRate",
    route: { teamId: "search", serviceId: "search-api" },
    resolvedAt: "2026-11-12T12:20:00Z",
    resolvedBy: "U02AAA",
    answer: { actionable: false, by: "U02AAA", at: "2026-11-12T12:21:00Z" },
  });
  const quiet = alert({
    groupId: "ffffffff",
    occurrence: 1,
    createdAt: "2026-11-15T12:00:00Z",
    name: "QuietAlert",
    route: { teamId: "playback", serviceId: "stream-api" },
    ackedAt: "2026-11-15T12:03:00Z",
    resolvedAt: "2026-11-15T12:20:00Z",
    resolvedBy: "U01AAA",
    answer: { actionable: true, by: "U01AAA", at: "2026-11-15T12:21:00Z" },
  });
  // Outside the window on either side: ignored.
  const before = alert({
    groupId: "99999999",
    occurrence: 1,
    createdAt: "2026-10-30T12:00:00Z",
    name: "HighErrorRate",
    route: { teamId: "playback" },
    resolvedAt: "2026-10-30T12:01:00Z",
    resolvedBy: "alertmanager",
  });
  const atEnd = alert({ groupId: "88888888", occurrence: 1, createdAt: to.toISOString(), name: "Late" });

  const occurrences = [
    occ(a1),
    occ(a2),
    occ(a3),
    occ(a4),
    occ(b1),
    occ(b2, [ev("acked", b2.ackedAt!), ev("handed_off", plus(b2.createdAt, 7))]),
    occ(b3, [ev("escalated", b3.escalation!.at)]),
    occ(c1),
    occ(d2),
    occ(d3),
    occ(e1),
    occ(quiet),
    occ(before),
    occ(atEnd),
  ];
  return { occurrences, earlier: [d1] };
}

describe("noiseReport", () => {
  it("counts every figure per alert name and team, ranks by noisy pages and marks the top three", () => {
    const { occurrences, earlier } = fixture();
    const report = noiseReport({ occurrences, earlier, from, to });
    expect(report.rows).toEqual([
      {
        name: "HighErrorRate",
        teamId: "playback",
        fired: 4,
        acked: 3,
        answeredNoise: 1,
        answeredActionable: 1,
        resolvedBySelf: 1,
        flapping: 2,
        silenced: 0,
        medianAckMs: 4 * MIN,
        noisy: 3,
        rank: 1,
        fixOrDelete: true,
      },
      {
        name: "SearchLatencyHigh",
        teamId: "search",
        fired: 3,
        acked: 1,
        answeredNoise: 0,
        answeredActionable: 0,
        resolvedBySelf: 1,
        flapping: 1,
        silenced: 0,
        medianAckMs: 6 * MIN,
        noisy: 2,
        rank: 2,
        fixOrDelete: true,
      },
      {
        name: "CheckoutErrors",
        teamId: "payments",
        fired: 2,
        acked: 2,
        answeredNoise: 0,
        answeredActionable: 1,
        resolvedBySelf: 0,
        flapping: 1,
        silenced: 0,
        medianAckMs: 1 * MIN,
        noisy: 1,
        rank: 3,
        fixOrDelete: true,
      },
      {
        name: "DiskFull",
        teamId: null,
        fired: 1,
        acked: 0,
        answeredNoise: 1,
        answeredActionable: 0,
        resolvedBySelf: 1,
        flapping: 0,
        silenced: 0,
        medianAckMs: null,
        noisy: 1,
        rank: 4,
        fixOrDelete: false,
      },
      {
        name: "HighErrorRate",
        teamId: "search",
        fired: 1,
        acked: 0,
        answeredNoise: 1,
        answeredActionable: 0,
        resolvedBySelf: 0,
        flapping: 0,
        silenced: 0,
        medianAckMs: null,
        noisy: 1,
        rank: 5,
        fixOrDelete: false,
      },
      {
        name: "QuietAlert",
        teamId: "playback",
        fired: 1,
        acked: 1,
        answeredNoise: 0,
        answeredActionable: 1,
        resolvedBySelf: 0,
        flapping: 0,
        silenced: 0,
        medianAckMs: 3 * MIN,
        noisy: 0,
        rank: 6,
        fixOrDelete: false,
      },
    ]);
    expect(report.fired).toBe(12);
    expect(report.noisy).toBe(8);
    expect(report.from).toBe(from);
    expect(report.to).toBe(to);
  });

  it("needs the earlier occurrence to see the first in the window flap", () => {
    const { occurrences } = fixture();
    const report = noiseReport({ occurrences, from, to });
    const checkout = report.rows.find((r) => r.name === "CheckoutErrors")!;
    expect(checkout.flapping).toBe(0);
    expect(checkout.noisy).toBe(0);
  });

  it("marks only alerts with noisy pages, as many as asked", () => {
    const { occurrences, earlier } = fixture();
    const all = noiseReport({ occurrences, earlier, from, to, top: 10 });
    expect(all.rows.filter((r) => r.fixOrDelete).map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    const one = noiseReport({ occurrences, earlier, from, to, top: 1 });
    expect(one.rows.filter((r) => r.fixOrDelete).map((r) => r.name)).toEqual(["HighErrorRate"]);
  });

  it("takes the median of an even number of acknowledgements as the mean of the middle two", () => {
    const mk = (occurrence: number, ackMin: number) => {
      const createdAt = `2026-11-0${occurrence}T10:00:00Z`;
      return occ(alert({ groupId: "12345678", occurrence, createdAt, ackedAt: plus(createdAt, ackMin) }));
    };
    const report = noiseReport({ occurrences: [mk(1, 2), mk(2, 8), mk(3, 4), mk(4, 20)], from, to });
    expect(report.rows[0]!.medianAckMs).toBe(6 * MIN);
    expect(report.rows[0]!.acked).toBe(4);
  });

  it("is empty without occurrences", () => {
    expect(noiseReport({ occurrences: [], from, to })).toEqual({ from, to, rows: [], fired: 0, noisy: 0 });
  });
});
