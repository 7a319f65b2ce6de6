// `/oncall report` through the running app: the period starts at the last review, the one posted or,
// before the first post, the last one schedules/review.yaml had due (Monday 11:00 Europe/Berlin
// in the test org; 2026-11-23 11:00 Berlin = 10:00 UTC), not simply a week back.

import { afterEach, describe, expect, it } from "vitest";
import { postWeeklyReview } from "../../src/features/incidents/review";
import { type Harness, slashCommand, startHarness } from "../support/harness";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const dateToken = (iso: string) => `<!date^${Date.parse(iso) / 1000}^`;

async function reportSince(hh: Harness): Promise<string> {
  const reply = await slashCommand(hh, "/oncall", "U01AAA", "report");
  const text = JSON.stringify(reply.args.blocks ?? []);
  const since = /Since the last review \((<!date\^\d+\^)/.exec(text)?.[1];
  if (!since) throw new Error(`no "Since the last review" in ${text.slice(0, 300)}`);
  return since;
}

describe("/oncall report", () => {
  it("starts at the last scheduled review before any review was posted", async () => {
    // Wednesday 25 Nov: the last review was due Monday 23 Nov, not a week back (18 Nov).
    h = await startHarness({ now: "2026-11-25T10:00:00Z" });
    expect(await reportSince(h)).toBe(dateToken("2026-11-23T10:00:00Z"));
  });

  it("at the review's own time, covers the week before it", async () => {
    h = await startHarness({ now: "2026-11-30T10:00:00Z" });
    expect(await reportSince(h)).toBe(dateToken("2026-11-23T10:00:00Z"));
  });

  it("starts at the review posted last", async () => {
    h = await startHarness({ now: "2026-11-30T10:00:00Z" });
    expect(await postWeeklyReview(h.app.runtime)).toMatchObject({ posted: true });
    h.clock.set("2026-12-02T09:00:00Z");
    expect(await reportSince(h)).toBe(dateToken("2026-11-30T10:00:00Z"));
  });
});
