import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config/env";
import { SLACK_LIMITS } from "../../src/platform/slack/pace";
import { MINIMAL_ENV as BASE } from "./helpers";

describe("Slack pacing settings", () => {
  it("paces by Slack's documented figures unless told otherwise", () => {
    expect(readSettings(BASE).slackLimits).toEqual(SLACK_LIMITS);
  });

  it("reads the burst, the posts per second and each tier's calls per minute", () => {
    const s = readSettings({
      ...BASE,
      SLACK_POST_BURST: "6",
      SLACK_POSTS_PER_SECOND: "0.5",
      SLACK_TIER2_PER_MINUTE: "40",
      SLACK_TIER3_PER_MINUTE: "100",
      SLACK_TIER4_PER_MINUTE: "200",
    });
    expect(s.slackLimits).toEqual({
      postBurst: 6,
      postsPerSecond: 0.5,
      perMinute: { 1: 1, 2: 40, 3: 100, 4: 200 },
    });
  });

  it("turns pacing off only when SLACK_PACING says off", () => {
    expect(readSettings({ ...BASE, SLACK_PACING: "off" }).slackLimits).toBeNull();
    expect(readSettings({ ...BASE, SLACK_PACING: "on" }).slackLimits).toEqual(SLACK_LIMITS);
  });

  it("refuses malformed figures, naming the variable and what it takes", () => {
    expect(() => readSettings({ ...BASE, SLACK_PACING: "no" })).toThrow(/SLACK_PACING must be "on"/);
    expect(() => readSettings({ ...BASE, SLACK_POST_BURST: "0" })).toThrow(
      /SLACK_POST_BURST must be a whole number from 1 to 100/,
    );
    expect(() => readSettings({ ...BASE, SLACK_POSTS_PER_SECOND: "fast" })).toThrow(/SLACK_POSTS_PER_SECOND/);
    expect(() => readSettings({ ...BASE, SLACK_TIER3_PER_MINUTE: "-5" })).toThrow(/SLACK_TIER3_PER_MINUTE/);
  });
});
