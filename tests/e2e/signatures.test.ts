// Only Slack may press buttons: interactions with a forged signature, a wrong secret or a
// timestamp more than five minutes off (either way) get 401 and change nothing; a signed request
// sent again (a replay: Slack re-signs its own retries) is answered 200 and does nothing, on any
// replica.

import { describe, expect, it } from "vitest";
import { harnessPerTest } from "../support/e2e";
import { eventually, SIGNING_SECRET } from "../support/harness";
import { settled } from "../support/settled";
import {
  postToSlackEndpoint,
  signSlackRequest,
  slashCommandBody,
  viewSubmissionBody,
} from "../support/slack-requests";
import { pageAlert, pressBody, stored } from "./alert-press";

const bot = harnessPerTest();

describe("signed Slack requests", () => {
  it("refuse forged, wrongly keyed and stale interactions with 401 and change nothing", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const ackBody = pressBody("alert.ack", page, "U02AAA");
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

  it("refuses a timestamp more than five minutes in the future with 401 and a reason", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const ackBody = pressBody("alert.ack", page, "U02AAA");
    const future = await postToSlackEndpoint(h.app.url, ackBody, {
      secret: SIGNING_SECRET,
      timestampSec: Math.floor(Date.now() / 1000) + 6 * 60,
    });
    expect(future.status).toBe(401);
    expect(JSON.parse(future.body)).toEqual({ error: expect.stringContaining("5 minutes") });
    await settled(h);
    expect(await stored(h, page.id)).toMatchObject({ state: "firing", version: 1 });
    // Within the window a clock a little ahead is fine.
    const ahead = await postToSlackEndpoint(h.app.url, ackBody, {
      secret: SIGNING_SECRET,
      timestampSec: Math.floor(Date.now() / 1000) + 60,
    });
    expect(ahead.status).toBe(200);
    await eventually(async () => (await stored(h, page.id)).assignee === "U02AAA");
  });

  it("does nothing with a replayed request, on this replica or another one", async () => {
    const h = await bot.start();
    const other = await h.replica("web");
    const body = slashCommandBody({
      command: "/oncall",
      text: "page search search-1 disk is full",
      userId: "U02BBB",
      channelId: "C0SEARCH",
      responseUrl: h.slack.responseUrl({ channel: "C0SEARCH", user: "U02BBB" }),
    });
    const signed = { secret: SIGNING_SECRET, timestampSec: Math.floor(Date.now() / 1000) };
    const first = await postToSlackEndpoint(h.app.url, body, signed);
    expect(first.status).toBe(200);
    const again = await postToSlackEndpoint(h.app.url, body, signed);
    expect(again.status).toBe(200);
    expect(again.body).toBe("");
    const elsewhere = await postToSlackEndpoint(other.url, body, signed);
    expect(elsewhere.status).toBe(200);
    await settled(h);
    const pages = h.slack
      .callsTo("chat.postMessage")
      .filter((c) => c.args.channel === "C0ONCALL" && !c.args.thread_ts && Boolean(c.args.metadata));
    expect(pages).toHaveLength(1);
    expect(h.slack.callsTo("response_url")).toHaveLength(1);

    // The same command signed anew (as Slack signs each delivery) is a new request.
    const resigned = await postToSlackEndpoint(h.app.url, body, {
      secret: SIGNING_SECRET,
      timestampSec: signed.timestampSec + 1,
    });
    expect(resigned.status).toBe(200);
    await eventually(() => h.slack.callsTo("response_url").length === 2, 8_000, "the second answer");
  });
});
