// The on-call engineer's DM copy of a page follows the page: after a resolve, a hand-off or an
// escalation it is rewritten in place, through signed Slack requests against the running app.

import { afterEach, describe, expect, it } from "vitest";
import { eventually, type Harness, startHarness } from "../support/harness";
import { viewSubmissionBody } from "../support/slack-requests";
import { buttonIds, dmsTo, ephemeralTo, pageAlert, press, stored } from "./alert-press";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// 2026-11-25 is in the 47th week since 2026-01-05: U02AAA (search) is on call.
const ONCALL = "U02AAA";

async function dmCopy(hh: Harness) {
  return eventually(
    () => dmsTo(hh, ONCALL).find((m) => m.text.startsWith("You are on call")),
    8_000,
    "DM copy",
  );
}

type Message = NonNullable<ReturnType<Harness["slack"]["message"]>>;

/** Waits until the DM copy, rewritten in place, satisfies `done`. */
function rewritten(
  hh: Harness,
  copy: { channel: string; ts: string },
  done: (m: Message) => boolean,
  how: string,
) {
  return eventually(
    () => {
      const m = hh.slack.message(copy.channel, copy.ts);
      return m && done(m) ? m : undefined;
    },
    8_000,
    `DM copy rewritten ${how}`,
  );
}

describe("the on-call DM copy of a page", () => {
  it("is rewritten when the alert is resolved from the DM itself, and a second press is refused there", async () => {
    h = await startHarness({ now: "2026-11-25T10:00:00Z" });
    const page = await pageAlert(h);
    const copy = await dmCopy(h);
    expect(copy.text).toContain("🔴");
    expect(buttonIds(copy.blocks)).toContain("alert.resolve");

    const res = await press(h, "alert.resolve", page, ONCALL, { channel: copy.channel, ts: copy.ts });
    expect(res.status).toBe(200);
    await eventually(async () => (await stored(h!, page.id)).state === "resolved");
    const updated = await rewritten(h, copy, (m) => m.text.includes("✅"), "as resolved");
    expect(updated.text).not.toContain("🔴");
    expect(buttonIds(updated.blocks)).not.toContain("alert.resolve");
    expect(buttonIds(updated.blocks)).not.toContain("alert.ack");
    // Rewritten in place: still the one DM, and the channel page says the same.
    expect(dmsTo(h, ONCALL)).toHaveLength(1);
    expect(JSON.stringify(h.slack.message(page.channel, page.ts)?.blocks)).toEqual(
      JSON.stringify(updated.blocks),
    );

    await press(h, "alert.resolve", page, ONCALL, { channel: copy.channel, ts: copy.ts });
    const e = await ephemeralTo(h, ONCALL, "already");
    expect(e.channel).toBe(copy.channel);
  });

  it("is rewritten after a hand-off to the owning team", async () => {
    // Wednesday 11:00 in Berlin: inside Playback's workday.
    h = await startHarness({ now: "2026-11-25T10:00:00Z" });
    const page = await pageAlert(h);
    const copy = await dmCopy(h);
    expect(buttonIds(copy.blocks)).toContain("alert.handoff");

    await press(h, "alert.handoff", page, ONCALL);
    await eventually(async () => (await stored(h!, page.id)).state === "handed_off");
    const updated = await rewritten(
      h,
      copy,
      (m) => !buttonIds(m.blocks).includes("alert.handoff"),
      "after the hand-off",
    );
    expect(updated.text).toContain("🔵");
    expect(JSON.stringify(updated.blocks)).toContain("Handed to Playback");
    expect(dmsTo(h, ONCALL)).toHaveLength(1);
  });

  it("is rewritten after an escalation", async () => {
    h = await startHarness({ now: "2026-11-25T10:00:00Z" });
    const page = await pageAlert(h);
    const copy = await dmCopy(h);
    const res = await h.slackPost(
      viewSubmissionBody({
        callbackId: "alert.escalate",
        userId: ONCALL,
        privateMetadata: JSON.stringify({ alertId: page.id }),
        values: {
          detail: { text: { type: "plain_text_input", value: "" } },
          reason: { choice: { type: "static_select", selected_option: { value: "complex" } } },
        },
      }),
    );
    expect(res.status).toBe(200);
    await eventually(async () => (await stored(h!, page.id)).state === "escalated");
    const updated = await rewritten(h, copy, (m) => m.text.includes("🚨"), "after the escalation");
    expect(buttonIds(updated.blocks)).not.toContain("alert.escalate");
  });
});
