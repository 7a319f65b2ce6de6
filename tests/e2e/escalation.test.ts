// Escalate: the modal, its submission, the broadcast to every member of the owning team (a DM each
// and a channel post), and the first acknowledgement winning.

import { describe, expect, it } from "vitest";
import { enqueueTeamSync, SENT_EVENT } from "../../src/features/escalation/jobs";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness, isDmPost } from "../support/harness";
import { settled } from "../support/settled";
import { newTriggerId, viewSubmissionBody } from "../support/slack-requests";
import {
  buttonIds,
  dmsTo,
  ephemeralTo,
  firingPayload,
  type PagedAlert,
  pageAlert,
  press,
  stored,
  threadTexts,
} from "./alert-press";

const bot = harnessPerTest();

const PLAYBACK = ["U01AAA", "U01BBB", "U01CCC"];

function submit(hh: Harness, page: PagedAlert, user: string, choice: string | null, detail = "") {
  const values: Record<string, Record<string, Record<string, unknown>>> = {
    detail: { text: { type: "plain_text_input", value: detail } },
  };
  if (choice) values.reason = { choice: { type: "static_select", selected_option: { value: choice } } };
  return hh.slackPost(
    viewSubmissionBody({
      callbackId: "alert.escalate",
      privateMetadata: JSON.stringify({ alertId: page.id }),
      values,
      userId: user,
    }),
  );
}

/** Escalation DMs (not the on-call page DM) a user got. */
function escalationDms(hh: Harness, user: string) {
  return dmsTo(hh, user).filter((m) => m.text.startsWith("🚨 Escalated to your team"));
}

async function escalated(hh: Harness, page: PagedAlert, user = "U02AAA") {
  const res = await submit(hh, page, user, "runbook", "restarts did not help");
  expect(res.status).toBe(200);
  expect(res.body).toBe("");
  await eventually(() => PLAYBACK.every((m) => escalationDms(hh, m).length === 1), 8_000, "every DM");
  await eventually(() => hh.slack.messages("C0PLAYBACK").length === 1, 8_000, "team post");
}

describe("Escalate button", () => {
  it("opens the modal with the press's trigger, naming who will be paged", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const triggerId = newTriggerId();
    await press(h, "alert.escalate", page, "U02AAA", { triggerId });
    const open = await h.slack.waitFor((c) => c.method === "views.open");
    expect(open.response.ok).toBe(true);
    expect(open.args.trigger_id).toBe(triggerId);
    const view = open.args.view as Record<string, unknown>;
    expect(view.callback_id).toBe("alert.escalate");
    expect(JSON.parse(String(view.private_metadata))).toEqual({ alertId: page.id });
    const text = JSON.stringify(view.blocks);
    for (const m of PLAYBACK) expect(text).toContain(`<@${m}>`);
    expect(text).toContain("The runbook is not enough");
    expect(text).toContain("The problem is complex");
    expect(h.slack.views()).toHaveLength(1);
    // Opening the modal changes nothing yet.
    expect((await stored(h, page.id)).version).toBe(1);
  });

  it("refuses to open the modal for an unrouted alert or a stranger", async () => {
    const h = await bot.start();
    const payload = firingPayload("unknown-job");
    const page = await pageAlert(h, payload);
    await press(h, "alert.escalate", page, "U02AAA");
    await ephemeralTo(h, "U02AAA", "no owning team to escalate to");
    const routed = await pageAlert(h);
    await press(h, "alert.escalate", routed, "U0OUTSIDER");
    await ephemeralTo(h, "U0OUTSIDER", "Only the participants");
    expect(h.slack.callsTo("views.open")).toHaveLength(0);
  });
});

describe("Escalation broadcast", () => {
  it("DMs every member of the owning team exactly once and posts in the team's channel mentioning all", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await escalated(h, page);
    const a = await stored(h, page.id);
    expect(a).toMatchObject({
      state: "escalated",
      assignedTeam: "playback",
      assignee: null,
      escalation: { by: "U02AAA", reason: "The runbook is not enough: restarts did not help" },
    });
    for (const m of PLAYBACK) {
      const [dm] = escalationDms(h, m);
      const text = JSON.stringify(dm?.blocks);
      expect(text).toContain("The runbook is not enough: restarts did not help");
      expect(text).toContain("HighErrorRate · stream-api (Playback)");
      expect(buttonIds(dm?.blocks)).toEqual(["alert.ack"]);
      expect(JSON.stringify(dm?.blocks)).toContain(`"value":"${page.id}"`);
    }
    const post = h.slack.messages("C0PLAYBACK")[0]!;
    for (const m of PLAYBACK) expect(post.text).toContain(`<@${m}>`);
    expect(JSON.stringify(post.blocks)).toContain("escalated *HighErrorRate · stream-api (Playback)*");
    await eventually(() =>
      threadTexts(h, page).includes(
        "<@U02AAA> escalated to every member of Playback: The runbook is not enough: restarts did not help",
      ),
    );
    await eventually(() => h.slack.message(page.channel, page.ts)?.text.startsWith("🚨"));
    const pageBlocks = JSON.stringify(h.slack.message(page.channel, page.ts)?.blocks);
    expect(pageBlocks).toContain("Escalated to Playback");
    expect(buttonIds(h.slack.message(page.channel, page.ts)?.blocks)).not.toContain("alert.escalate");
    // Nobody outside the team heard of it.
    for (const other of ["U02BBB", "U03AAA", "U03BBB"]) expect(escalationDms(h, other)).toHaveLength(0);

    // Delivering again (a retried job) reaches nobody twice.
    await enqueueTeamSync(h.app.queues.escalate, { id: page.id, version: 999 });
    await settled(h);
    for (const m of PLAYBACK) expect(escalationDms(h, m)).toHaveLength(1);
    expect(h.slack.messages("C0PLAYBACK")).toHaveLength(1);
  });

  it("the first member to acknowledge takes the alert; the others' DMs say so", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await escalated(h, page);
    const dmOf = (u: string) => escalationDms(h, u)[0]!;
    const dm = dmOf("U01BBB");
    await press(h, "alert.ack", page, "U01BBB", { channel: dm.channel, ts: dm.ts });
    await eventually(async () => (await stored(h, page.id)).assignee === "U01BBB");
    expect(await stored(h, page.id)).toMatchObject({ state: "acked", assignedTeam: "playback" });
    await eventually(() =>
      ["U01AAA", "U01CCC"].every((u) =>
        JSON.stringify(h.slack.message(dmOf(u).channel, dmOf(u).ts)?.blocks).includes(
          "Acknowledged by <@U01BBB>",
        ),
      ),
    );
    await eventually(() =>
      JSON.stringify(h.slack.message(dm.channel, dm.ts)?.blocks).includes("You acknowledged this alert"),
    );
    for (const u of PLAYBACK)
      expect(buttonIds(h.slack.message(dmOf(u).channel, dmOf(u).ts)?.blocks)).toEqual([]);
    const post = h.slack.messages("C0PLAYBACK")[0]!;
    await eventually(() =>
      JSON.stringify(h.slack.message("C0PLAYBACK", post.ts)?.blocks).includes("Acknowledged by <@U01BBB>"),
    );

    // A later press in another member's DM is refused there and changes nothing.
    const late = dmOf("U01CCC");
    await press(h, "alert.ack", page, "U01CCC", { channel: late.channel, ts: late.ts });
    const e = await ephemeralTo(h, "U01CCC", "<@U01BBB> has already acknowledged this alert");
    expect(e.channel).toBe(late.channel);
    expect(await stored(h, page.id)).toMatchObject({ assignee: "U01BBB" });
    for (const m of PLAYBACK) expect(escalationDms(h, m)).toHaveLength(1);
  });

  it("reaches every member exactly once when Slack fails on the way", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    // The on-call DM is out; from now on only the broadcast DMs the team's members.
    await h.slack.waitFor((c) => isDmPost(c) && c.response.ok);
    // The first member is reached, then Slack fails with a 500: the job retries and skips that member.
    const member = (args: Readonly<Record<string, unknown>>) => PLAYBACK.includes(String(args.channel));
    h.slack.failNext("chat.postMessage", { delayMs: 0 }, 1, member);
    h.slack.failNext("chat.postMessage", { status: 500 }, 1, member);
    await escalated(h, page);
    await settled(h);
    for (const m of PLAYBACK) expect(escalationDms(h, m)).toHaveLength(1);
    expect(h.slack.callsTo("chat.postMessage").filter((c) => c.status === 500)).toHaveLength(1);
  });

  it("waits out Slack's rate limit, then reaches every member once", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await h.slack.waitFor((c) => isDmPost(c) && c.response.ok);
    h.slack.failNext("chat.postMessage", { status: 429, retryAfterSec: 1 }, 1, (args) =>
      PLAYBACK.includes(String(args.channel)),
    );
    const started = Date.now();
    await escalated(h, page);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    for (const m of PLAYBACK) expect(escalationDms(h, m)).toHaveLength(1);
    expect(h.slack.callsTo("chat.postMessage").filter((c) => c.status === 429)).toHaveLength(1);
  });

  it("finds a DM sent before a crash by its metadata instead of sending it again", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    // The crash: Slack took U01AAA's DM, the worker died before recording it (its claim is left).
    const dm = h.slack.dmChannel("U01AAA");
    await fetch(`${h.slack.url}conversations.open`, {
      method: "POST",
      headers: { authorization: "Bearer xoxb-test", "content-type": "application/json" },
      body: JSON.stringify({ users: "U01AAA" }),
    });
    await fetch(`${h.slack.url}chat.postMessage`, {
      method: "POST",
      headers: { authorization: "Bearer xoxb-test", "content-type": "application/json" },
      body: JSON.stringify({
        channel: dm,
        text: "🚨 Escalated to your team: before the crash",
        metadata: { event_type: SENT_EVENT, event_payload: { alert_id: page.id, name: "dm:U01AAA" } },
      }),
    });
    await h.app.delivery.claimSent(page.id, "dm:U01AAA");
    await escalated(h, page);
    expect(escalationDms(h, "U01AAA").map((m) => m.text)).toEqual([
      "🚨 Escalated to your team: before the crash",
    ]);
  });

  it("does not DM the member who escalated", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    // U01AAA is both a rotation participant and a member of Playback.
    const res = await submit(h, page, "U01AAA", "complex");
    expect(res.status).toBe(200);
    await eventually(() => ["U01BBB", "U01CCC"].every((m) => escalationDms(h, m).length === 1));
    await eventually(() => h.slack.messages("C0PLAYBACK").length === 1);
    expect(escalationDms(h, "U01AAA")).toHaveLength(0);
  });
});

describe("Escalate modal submission", () => {
  it("asks for a reason, and for words when the reason is 'something else'", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const none = await submit(h, page, "U02AAA", null);
    expect(JSON.parse(none.body)).toEqual({
      response_action: "errors",
      errors: { reason: "Pick why the runbook does not get you there." },
    });
    const other = await submit(h, page, "U02AAA", "other", "   ");
    expect(JSON.parse(other.body)).toMatchObject({
      response_action: "errors",
      errors: { detail: expect.any(String) },
    });
    expect((await stored(h, page.id)).version).toBe(1);
  });

  it("shows a refusal in the modal when the alert is already escalated, and for a stranger", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await escalated(h, page);
    const again = JSON.parse((await submit(h, page, "U01AAA", "complex")).body);
    expect(again.response_action).toBe("update");
    expect(JSON.stringify(again.view)).toContain("already escalated to Playback by <@U02AAA>");
    const stranger = JSON.parse((await submit(h, page, "U0OUTSIDER", "complex")).body);
    expect(JSON.stringify(stranger.view)).toContain("Only the participants");
    await settled(h);
    for (const m of PLAYBACK) expect(escalationDms(h, m)).toHaveLength(1);
  });

  it("escapes the typed reason, so the team's channel, DMs and thread are pinged only by the bot's mentions", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const res = await submit(
      h,
      page,
      "U02AAA",
      "other",
      "<!channel> & <@U0ADMIN>: see <https://evil.example|this>",
    );
    expect(res.body).toBe("");
    const escaped = "&lt;!channel&gt; &amp; &lt;@U0ADMIN&gt;: see &lt;https://evil.example|this&gt;";
    expect((await stored(h, page.id)).escalation?.reason).toBe(escaped);
    await eventually(() => h.slack.messages("C0PLAYBACK").length === 1, 8_000, "team post");
    await eventually(() => PLAYBACK.every((m) => escalationDms(h, m).length === 1), 8_000, "every DM");
    const post = h.slack.messages("C0PLAYBACK")[0]!;
    const dm = escalationDms(h, "U01AAA")[0]!;
    for (const m of [post, dm]) {
      const shown = JSON.stringify([m.text, m.blocks]);
      expect(shown).toContain(escaped);
      for (const raw of ["<!channel>", "<@U0ADMIN>", "<https://evil"]) expect(shown).not.toContain(raw);
    }
    await eventually(() => threadTexts(h, page).some((t) => t.endsWith(escaped)));
  });

  it("escalates a handed-off alert to the same team", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const page = await pageAlert(h);
    await press(h, "alert.handoff", page, "U02AAA");
    await eventually(async () => (await stored(h, page.id)).state === "handed_off");
    await eventually(() => h.slack.messages("C0PLAYBACK").length === 1);
    const res = await submit(h, page, "U01BBB", "complex", "needs the CDN vendor");
    expect(res.body).toBe("");
    await eventually(() => ["U01AAA", "U01CCC"].every((m) => escalationDms(h, m).length === 1));
    await eventually(() => h.slack.messages("C0PLAYBACK").length === 2);
    expect((await stored(h, page.id)).escalation?.reason).toBe(
      "The problem is complex: needs the CDN vendor",
    );
  });
});
