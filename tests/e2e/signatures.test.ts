// Only Slack may press buttons: interactions with a forged signature, a wrong secret or a stale
// timestamp get 401 and change nothing.

import { describe, expect, it } from "vitest";
import { harnessPerTest } from "../support/e2e";
import { eventually, SIGNING_SECRET } from "../support/harness";
import { settled } from "../support/settled";
import {
  blockActionsBody,
  postToSlackEndpoint,
  signSlackRequest,
  viewSubmissionBody,
} from "../support/slack-requests";
import { pageAlert, stored } from "./alert-press";

const bot = harnessPerTest();

describe("signed Slack requests", () => {
  it("refuse forged, wrongly keyed and stale interactions with 401 and change nothing", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const ackBody = blockActionsBody({
      actionId: "alert.ack",
      value: page.id,
      userId: "U02AAA",
      channelId: page.channel,
      messageTs: page.ts,
    });
    const escalateBody = viewSubmissionBody({
      callbackId: "alert.escalate",
      privateMetadata: JSON.stringify({ alertId: page.id }),
      values: { reason: { choice: { type: "static_select", selected_option: { value: "complex" } } } },
      userId: "U02AAA",
    });
    const now = Math.floor(Date.now() / 1000);
    for (const body of [ackBody, escalateBody]) {
      const forged = await postToSlackEndpoint(h.app.url, body, {
        secret: SIGNING_SECRET,
        signature: `v0=${"0".repeat(64)}`,
      });
      expect(forged.status).toBe(401);
      const wrongKey = await postToSlackEndpoint(h.app.url, body, { secret: "not-the-signing-secret" });
      expect(wrongKey.status).toBe(401);
      const stale = await postToSlackEndpoint(h.app.url, body, {
        secret: SIGNING_SECRET,
        timestampSec: now - 6 * 60,
      });
      expect(stale.status).toBe(401);
    }
    // A body changed after signing is refused too.
    const signedFor = ackBody.replace("U02AAA", "U01AAA");
    const tampered = await fetch(`${h.app.url}/slack/events`, {
      method: "POST",
      headers: { ...signSlackRequest(SIGNING_SECRET, signedFor) },
      body: ackBody,
    });
    expect(tampered.status).toBe(401);
    await settled(h);
    expect(await stored(h, page.id)).toMatchObject({ state: "firing", version: 1 });
    expect(h.slack.ephemerals()).toHaveLength(0);

    // The same press, correctly signed, goes through.
    const signed = await h.slackPost(ackBody);
    expect(signed.status).toBe(200);
    await eventually(async () => (await stored(h, page.id)).assignee === "U02AAA");
  });
});
