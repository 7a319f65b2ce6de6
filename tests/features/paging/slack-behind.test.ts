// When the reconciler counts an alert's Slack presence as behind its stored state. Pure.

import { describe, expect, it } from "vitest";
import { type SlackProgress, slackBehind } from "../../../src/features/paging/rules";
import { streamApiAlert } from "../../support/alerts";

const alert = streamApiAlert({ version: 3 });
const caughtUp: SlackProgress = {
  ts: "1.1",
  dmTs: "2.2",
  dmFailed: null,
  renderedVersion: 3,
  threadCursor: 4,
};

describe("slackBehind", () => {
  it("is false when the page shows this version, the thread has every event and the DM went out", () => {
    expect(slackBehind(alert, caughtUp, 4)).toBe(false);
  });

  it.each([
    ["no page yet", { ts: null }, 4],
    ["a page of an older version", { renderedVersion: 2 }, 4],
    ["timeline events the thread has not considered", {}, 5],
    ["the on-call DM not sent", { dmTs: null }, 4],
  ] as const)("is true with %s", (_, patch, events) => {
    expect(slackBehind(alert, { ...caughtUp, ...patch }, events)).toBe(true);
  });

  it("does not wait for a DM Slack refused for good, nor one for a resolved alert", () => {
    expect(slackBehind(alert, { ...caughtUp, dmTs: null, dmFailed: "user_not_found" }, 4)).toBe(false);
    expect(slackBehind({ ...alert, state: "resolved" }, { ...caughtUp, dmTs: null }, 4)).toBe(false);
  });
});
