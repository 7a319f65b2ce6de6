import { describe, expect, it } from "vitest";
import { formatDuration } from "../../../src/core/duration";
import type { LoadReport, TeamLoad } from "../../../src/features/load/load";
import { formatRate, limitLine, loadMessage } from "../../../src/features/load/load-blocks";
import type { NoiseReport } from "../../../src/features/load/noise";
import { noiseMessage, teamLabel } from "../../../src/features/load/noise-blocks";
import { teamLoad } from "./occurrence-fixtures";

const MIN = 60_000;

const report = (teams: TeamLoad[], unrouted = 0): LoadReport => ({
  from: new Date("2026-11-18T00:00:00Z"),
  to: new Date("2026-11-25T00:00:00Z"),
  weeks: 1,
  teams,
  unrouted,
});

describe("formatting", () => {
  it("writes durations and rates compactly", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(45_000)).toBe("45s");
    expect(formatDuration(12 * MIN)).toBe("12m");
    expect(formatDuration(185 * MIN)).toBe("3h 05m");
    expect(formatDuration((2 * 24 + 4) * 60 * MIN)).toBe("2d 4h");
    expect(formatRate(3.25)).toBe("3.3");
    expect(formatRate(4)).toBe("4");
    expect(teamLabel([{ id: "search", name: "Search" }], null)).toBe("unrouted");
    expect(teamLabel([{ id: "search", name: "Search" }], "gone")).toBe("gone");
  });
});

describe("loadMessage", () => {
  it("writes every figure of a team, its limit and how to eject it", () => {
    const t = teamLoad({
      pages: 31,
      outsideWorkday: 12,
      handOffs: 1,
      escalations: 2,
      noRunbook: 3,
      noRunbookNames: ["BufferLow", "StreamStalls"],
      medianAckMs: 4 * MIN,
      medianResolveMs: 38 * MIN,
      p90ResolveMs: 190 * MIN,
      pagesPerWeek: 31,
      weekly: [22, 25, 26, 31],
      windowPagesPerWeek: 26,
      overLimit: true,
      eligibleForEjection: true,
    });
    const msg = loadMessage(report([t], 2));
    expect(msg.text).toBe("Ops load, last 1 week: Playback 31 (eligible for ejection)");
    expect(msg.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: "📈 Ops load · last 1 week", emoji: true } },
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text:
            "*Playback* — 🚩 over its load limit: eligible for ejection\n" +
            "31 pages in 1 week (31/week) · 12 outside its workday · 1 hand-off · 2 escalations received · 3 pages without a runbook (BufferLow, StreamStalls)\n" +
            "Acknowledged in 4m (median) · page to resolve 38m median, 3h 10m p90\n" +
            "Limit 20/week over 4 weeks (Merged on-call): 22, 25, 26, 31 → 26/week *over the limit*",
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: "2 pages matched no service and count against no team: add them to `schedules/services.yaml`.",
          },
        ],
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: "A rotation admin may eject a team over its limit: `/oncall eject playback <reason>`; its alerts then go to its own channel and members.",
          },
        ],
      },
    ]);
  });

  it("says ejected, and no limit for a team in no rotation", () => {
    expect(loadMessage(report([teamLoad({ ejected: true, overLimit: true })])).blocks[1]).toMatchObject({
      text: { text: expect.stringMatching(/^\*Playback\* — ⏏ ejected\n/) },
    });
    expect(limitLine(teamLoad({ limit: null, weekly: [], windowPagesPerWeek: null }))).toBe(
      "In no rotation: carries its own pages.",
    );
  });

  it("stays within Slack's 50 blocks, teams needing attention first", () => {
    const many = Array.from({ length: 60 }, (_, i) =>
      teamLoad({ teamId: `t${i}`, teamName: `T${i}`, pages: i, eligibleForEjection: i === 3 }),
    );
    const { blocks } = loadMessage(report(many));
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(blocks[1])).toContain("*T3*");
    expect(JSON.stringify(blocks[2])).toContain("*T59*");
    expect(JSON.stringify(blocks)).toContain("and 15 more teams");
  });
});

describe("noiseMessage", () => {
  const noise: NoiseReport = {
    from: new Date("2026-10-28T00:00:00Z"),
    to: new Date("2026-11-25T00:00:00Z"),
    fired: 14,
    noisy: 6,
    rows: Array.from({ length: 12 }, (_, i) => ({
      name: `Alert${i}`,
      teamId: i === 0 ? "playback" : null,
      fired: i === 0 ? 3 : 1,
      acked: 1,
      answeredNoise: i === 0 ? 2 : 0,
      answeredActionable: 0,
      resolvedBySelf: i < 5 ? 1 : 0,
      flapping: 0,
      silenced: 0,
      medianAckMs: i === 0 ? 90_000 : null,
      noisy: i === 0 ? 2 : i < 5 ? 1 : 0,
      rank: i + 1,
      fixOrDelete: i < 3,
    })),
  };

  it("lists ten rows with their figures and marks the worst", () => {
    const msg = noiseMessage(noise, [{ id: "playback", name: "Playback" }], 28);
    expect(msg.text).toBe(
      "Noisiest alerts, last 28 days: Alert0 (Playback): 2 noisy of 3, fix or delete; Alert1 (unrouted): 1 noisy of 1, fix or delete; Alert2 (unrouted): 1 noisy of 1, fix or delete",
    );
    const texts = msg.blocks.map((b) => JSON.stringify(b));
    expect(texts[0]).toContain("🔕 Noisiest alerts · last 28 days");
    expect(texts[1]).toContain("14 pages, 6 noisy");
    expect(msg.blocks[2]).toEqual({
      type: "section",
      text: {
        type: "mrkdwn",
        text:
          "*1. Alert0* · Playback — 🗑 *fix or delete*\n" +
          "2 noisy pages of 3 fired · 1 acknowledged · 2 answered noise · 0 actionable · 1 resolved by itself · 0 flapping · median time to acknowledge 2m",
      },
    });
    expect(texts[5]).not.toContain("fix or delete");
    expect(texts.filter((t) => t.includes('"section"'))).toHaveLength(10);
    expect(texts[12]).toContain("and 2 quieter alerts");
  });

  it("says so when nothing fired", () => {
    const msg = noiseMessage({ ...noise, rows: [], fired: 0, noisy: 0 }, [], 1);
    expect(msg.text).toBe("No alert fired in the last 1 day.");
    expect(msg.blocks).toHaveLength(2);
  });
});
