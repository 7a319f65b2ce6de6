// The Block Kit kit: the one date format of every message, the modal envelope, and the view
// answer that knows whether it has acknowledged already.

import { describe, expect, it } from "vitest";
import { checkView } from "../../../sandbox/slack-blocks-check";
import {
  input,
  modal,
  noticeModal,
  option,
  slackDate,
  utcText,
  viewAnswer,
} from "../../../src/platform/slack/kit";

describe("slackDate", () => {
  it("is a Slack date token in the reader's zone, with a UTC fallback, for a Date or an ISO string", () => {
    const at = new Date("2026-11-30T09:05:42Z");
    const token = "<!date^1796029542^{date_short_pretty} {time}|2026-11-30 09:05 UTC>";
    expect(slackDate(at)).toBe(token);
    expect(slackDate("2026-11-30T09:05:42.000Z")).toBe(token);
    expect(utcText("2026-11-30T09:05:42.000Z")).toBe("2026-11-30 09:05 UTC");
  });
});

describe("modal", () => {
  it("builds a view Slack accepts, with metadata serialised and titles cut to Slack's 24 characters", () => {
    const view = modal({
      title: "A title far longer than Slack allows",
      callbackId: "x.y",
      metadata: { alertId: "a-1" },
      submit: "Save",
      blocks: [input("b", "Label", { type: "static_select", action_id: "b", options: [option("One", "1")] })],
    });
    expect(checkView(view, "modal")).toEqual([]);
    expect(view.title.text).toBe("A title far longer than…");
    expect(view).toMatchObject({
      callback_id: "x.y",
      private_metadata: '{"alertId":"a-1"}',
      close: { text: "Cancel" },
    });
  });

  it("says something and closes with OK", () => {
    const view = noticeModal("Not escalated", "Nobody may.");
    expect(checkView(view, "modal")).toEqual([]);
    expect(view).toMatchObject({
      close: { text: "OK" },
      blocks: [{ type: "section", text: { text: "Nobody may." } }],
    });
    expect(view.submit).toBeUndefined();
  });
});

describe("viewAnswer", () => {
  it("acknowledges a refusal by replacing the modal, and remembers that it answered", async () => {
    const acks: unknown[] = [];
    const v = viewAnswer(async (r) => {
      acks.push(r);
    }, "No incident declared");
    expect(v.answered()).toBe(false);
    await v.refuse("This alert is not known.");
    expect(v.answered()).toBe(true);
    expect(acks).toEqual([
      { response_action: "update", view: noticeModal("No incident declared", "This alert is not known.") },
    ]);
  });
});
