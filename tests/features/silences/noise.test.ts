// Silences in the noise report: an alert silenced again and again is noise.

import { describe, expect, it } from "vitest";
import { noiseReport } from "../../../src/features/load/noise";
import { occ, plus, series } from "../load/occurrence-fixtures";

const from = new Date("2026-11-01T00:00:00Z");
const to = new Date("2026-11-29T00:00:00Z");
const T = "2026-11-10T10:00:00Z";
const disk = series("d15c0001", "DiskFull", { teamId: "search" });

describe("noiseReport with the silences made from Slack", () => {
  it("counts an occurrence silenced without an 'actionable' answer as noisy, each silence in its row", () => {
    const first = disk(1, T);
    const second = disk(2, plus(T, 600));
    const answered = disk(3, plus(T, 1200), {
      resolvedAt: plus(T, 1260),
      resolvedBy: "U02AAA",
      answer: { actionable: true, by: "U02AAA", at: plus(T, 1261) },
    });
    const silence = (alertId: string, at: string) => ({ alertId, name: "DiskFull", teamId: "search", at });
    const report = noiseReport({
      occurrences: [occ(first), occ(second), occ(answered)],
      silences: [
        silence(first.id, plus(T, 1)),
        silence(first.id, plus(T, 70)), // silenced again after the first ran out
        silence(answered.id, plus(T, 1201)),
        silence(second.id, "2026-10-30T10:00:00Z"), // before the window: not counted
      ],
      from,
      to,
    });
    expect(report.rows).toHaveLength(1);
    expect(report.rows[0]).toMatchObject({ name: "DiskFull", fired: 3, silenced: 3, noisy: 1 });
  });

  it("counts nothing without silences", () => {
    const report = noiseReport({ occurrences: [occ(disk(1, T))], from, to });
    expect(report.rows[0]).toMatchObject({ silenced: 0, noisy: 0 });
  });
});
