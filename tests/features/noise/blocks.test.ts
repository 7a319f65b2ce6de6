// The actionable question's blocks, before and after an answer.

import { describe, expect, it } from "vitest";
import { checkBlocks } from "../../../sandbox/slack-blocks-check";
import { type Alert, openAlert } from "../../../src/core/alert";
import { actionableQuestion } from "../../../src/features/noise/blocks";
import { STREAM_API_ROUTE } from "../../support/alerts";

const NOW = new Date("2026-11-25T10:00:00Z");

function resolvedAlert(patch: Partial<Alert> = {}): Alert {
  const { alert: a } = openAlert({
    group: {
      source: "alertmanager",
      groupKey: "{}:{}",
      groupId: "0123456789abcdef",
      status: "firing",
      groupLabels: {},
      commonLabels: { alertname: "HighErrorRate", job: "stream-api" },
      commonAnnotations: { summary: "5xx above 5%" },
      externalUrl: null,
      instances: [],
      title: null,
      truncatedAlerts: 0,
    },
    occurrence: 1,
    previousId: null,
    route: STREAM_API_ROUTE,
    hasRunbook: () => true,
    now: NOW,
  });
  return { ...a, state: "resolved", ...patch };
}

const ids = (blocks: unknown) => JSON.stringify(blocks).match(/"action_id":"[^"]+"/g) ?? [];

describe("the actionable question", () => {
  it("asks whether it was actionable, then shows the answer", () => {
    const q = actionableQuestion(resolvedAlert());
    expect(q.text).toBe("Was this alert actionable?");
    expect(ids(q.blocks)).toEqual(['"action_id":"alert.actionable"', '"action_id":"alert.noise"']);
    expect(checkBlocks(q.blocks, "message")).toEqual([]);
    const answered = actionableQuestion(
      resolvedAlert({ answer: { actionable: true, by: "U01AAA", at: NOW.toISOString() } }),
    );
    expect(answered.text).toBe("Recorded as actionable");
    expect(JSON.stringify(answered.blocks)).toContain("<@U01AAA>");
  });
});
