// The actionable question's blocks, before and after an answer.

import { describe, expect, it } from "vitest";
import { checkBlocks } from "../../../sandbox/slack-blocks-check";
import type { Alert } from "../../../src/core/alert";
import { actionableQuestion } from "../../../src/features/noise/blocks";
import type { Button } from "../../../src/platform/slack/kit";
import { streamApiAlert } from "../../support/alerts";

const NOW = new Date("2026-11-25T10:00:00Z");

const resolvedAlert = (patch: Partial<Alert> = {}): Alert =>
  streamApiAlert({ state: "resolved", ...patch }, NOW);

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

describe("the actionable question's buttons", () => {
  const buttons = (alert: Alert) =>
    (
      actionableQuestion(alert).blocks.find((b) => b.type === "actions") as { elements: Button[] }
    ).elements.map((b) => ({ text: b.text.text, action: b.action_id, style: b.style ?? null }));
  const answered = (actionable: boolean) =>
    resolvedAlert({ answer: { actionable, by: "U01AAA", at: NOW.toISOString() } });

  it("highlight neither answer before anyone answers", () => {
    expect(buttons(resolvedAlert())).toEqual([
      { text: "Yes, actionable", action: "alert.actionable", style: null },
      { text: "No, noise", action: "alert.noise", style: null },
    ]);
  });

  it("mark the recorded answer, and move the mark when the answer changes", () => {
    expect(buttons(answered(false))).toEqual([
      { text: "Yes, actionable", action: "alert.actionable", style: null },
      { text: "✓ No, noise", action: "alert.noise", style: "primary" },
    ]);
    expect(buttons(answered(true))).toEqual([
      { text: "✓ Yes, actionable", action: "alert.actionable", style: "primary" },
      { text: "No, noise", action: "alert.noise", style: null },
    ]);
    expect(actionableQuestion(answered(false)).text).toBe("Recorded as noise");
    expect(checkBlocks(actionableQuestion(answered(false)).blocks, "message")).toEqual([]);
  });
});
