// The actionable question's blocks, before and after an answer.

import { describe, expect, it } from "vitest";
import { checkBlocks } from "../../../sandbox/slack-blocks-check";
import type { Alert } from "../../../src/core/alert";
import { actionableQuestion } from "../../../src/features/noise/blocks";
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
