// The alert page's buttons through the running app: signed block_actions from the fake Slack, the
// stored alert, the page rewritten in place, the thread, and the ephemeral refusals.

import { describe, expect, it } from "vitest";
import { enqueueTeamSync } from "../../src/features/escalation/jobs";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness } from "../support/harness";
import { settled } from "../support/settled";
import {
  buttonIds,
  ephemeralTo,
  firingPayload,
  pageAlert,
  press,
  resolvedPayload,
  stored,
  threadTexts,
} from "./alert-press";

const bot = harnessPerTest();

const pageUpdates = (hh: Harness, ts: string) =>
  hh.slack.callsTo("chat.update").filter((c) => c.args.ts === ts && c.response.ok);

describe("Acknowledge", () => {
  it("makes the presser the assignee, rewrites the page in place and notes it in the thread", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const res = await press(h, "alert.ack", page, "U02AAA");
    expect(res.status).toBe(200);
    const update = await h.slack.waitFor((c) => c.method === "chat.update" && c.args.ts === page.ts);
    const a = await stored(h, page.id);
    expect(a).toMatchObject({ state: "acked", assignee: "U02AAA", ackedAt: "2026-11-25T10:00:00.000Z" });
    expect(JSON.stringify(update.args.blocks)).toContain("Assignee: <@U02AAA>");
    expect(buttonIds(update.args.blocks as unknown[])).not.toContain("alert.ack");
    expect(buttonIds(update.args.blocks as unknown[])).toContain("alert.resolve");
    await eventually(() => threadTexts(h, page).includes("<@U02AAA> acknowledged"));
    expect((await h.app.alerts.events(page.id)).map((e) => e.type)).toEqual(["opened", "acked"]);
    expect(h.slack.messages(page.channel)).toHaveLength(1);
  });

  it("answers a second press ephemerally and changes nothing", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await press(h, "alert.ack", page, "U02AAA");
    await eventually(async () => (await stored(h, page.id)).state === "acked");
    await eventually(() => pageUpdates(h, page.ts).length === 1);
    const version = (await stored(h, page.id)).version;
    await press(h, "alert.ack", page, "U01AAA");
    await ephemeralTo(h, "U01AAA", "<@U02AAA> has already acknowledged this alert");
    await press(h, "alert.ack", page, "U02AAA");
    await ephemeralTo(h, "U02AAA", "You have already acknowledged this alert.");
    expect((await stored(h, page.id)).version).toBe(version);
    expect((await h.app.alerts.events(page.id)).filter((e) => e.type === "acked")).toHaveLength(1);
    await settled(h);
    expect(pageUpdates(h, page.ts)).toHaveLength(1);
  });

  it("tells someone outside the rotation and the owning team who may act, and changes nothing", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await press(h, "alert.ack", page, "U0OUTSIDER");
    const e = await ephemeralTo(h, "U0OUTSIDER", "Only the participants and admins");
    expect(e.channel).toBe(page.channel);
    // A member of another team in the rotation is no participant either.
    await press(h, "alert.resolve", page, "U02BBB");
    await ephemeralTo(h, "U02BBB", "members of Playback may act");
    const a = await stored(h, page.id);
    expect(a).toMatchObject({ state: "firing", assignee: null, version: 1 });
  });

  it("lets a member of the owning team and an admin act", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await press(h, "alert.ack", page, "U01CCC");
    await eventually(async () => (await stored(h, page.id)).assignee === "U01CCC");
    await press(h, "alert.resolve", page, "U0ADMIN");
    await eventually(async () => (await stored(h, page.id)).resolvedBy === "U0ADMIN");
  });

  it("answers a press with an unknown alert id ephemerally", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await press(h, "alert.ack", { ...page, id: "ffffffffffffffff-9" }, "U02AAA");
    await ephemeralTo(h, "U02AAA", "This alert is not known");
  });
});

describe("Resolve", () => {
  it("closes the alert, rewrites the page and asks in the thread whether it was actionable", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await press(h, "alert.resolve", page, "U02AAA");
    await eventually(() => h.slack.message(page.channel, page.ts)?.text.startsWith("✅"));
    const a = await stored(h, page.id);
    expect(a).toMatchObject({ state: "resolved", resolvedBy: "U02AAA" });
    expect(await h.app.alerts.openIds({ rotationId: "merged" })).toEqual([]);
    const question = await eventually(() =>
      h.slack.thread(page.channel, page.ts).find((m) => m.text === "Was this alert actionable?"),
    );
    expect(buttonIds(question.blocks)).toEqual(["alert.actionable", "alert.noise"]);
    // The question follows the resolution in the thread.
    expect(threadTexts(h, page)).toEqual([
      "<@U02AAA> resolved this alert by hand",
      "Was this alert actionable?",
    ]);
    expect(buttonIds(h.slack.message(page.channel, page.ts)?.blocks)).toEqual(["alert.incident"]);
  });

  it("stores the answer for the noise report and shows it on the question", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await press(h, "alert.resolve", page, "U02AAA");
    const question = await eventually(() =>
      h.slack.thread(page.channel, page.ts).find((m) => m.text === "Was this alert actionable?"),
    );
    const onQuestion = { ts: question.ts, threadTs: page.ts };
    await press(h, "alert.noise", page, "U01AAA", onQuestion);
    await eventually(async () => (await stored(h, page.id)).answer?.actionable === false);
    expect((await stored(h, page.id)).answer).toMatchObject({ actionable: false, by: "U01AAA" });
    await eventually(() => h.slack.message(page.channel, question.ts)?.text === "Recorded as noise");
    await eventually(() =>
      threadTexts(h, page).includes("<@U01AAA>: this alert was noise (counted for the noise report)"),
    );
    await press(h, "alert.noise", page, "U02AAA", onQuestion);
    const again = await ephemeralTo(h, "U02AAA", "Already recorded as noise by <@U01AAA>");
    expect(again.threadTs).toBe(page.ts);
    // A correction is taken.
    await press(h, "alert.actionable", page, "U02AAA", onQuestion);
    await eventually(async () => (await stored(h, page.id)).answer?.actionable === true);
  });

  it("answers a press on a resolved alert ephemerally", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await press(h, "alert.resolve", page, "U02AAA");
    await eventually(async () => (await stored(h, page.id)).state === "resolved");
    const version = (await stored(h, page.id)).version;
    for (const action of ["alert.ack", "alert.resolve", "alert.handoff", "alert.escalate"]) {
      await press(h, action, page, "U01AAA");
    }
    await eventually(
      () =>
        h.slack.ephemerals(page.channel, "U01AAA").filter((e) => e.text.includes("already resolved"))
          .length === 4,
    );
    expect((await stored(h, page.id)).version).toBe(version);
    expect(h.slack.views()).toHaveLength(0);
  });

  it("asks the same question when Alertmanager resolves the alert", async () => {
    const h = await bot.start();
    const payload = firingPayload();
    const page = await pageAlert(h, payload);
    await h.webhook("/webhooks/alertmanager", resolvedPayload(payload));
    await eventually(() => threadTexts(h, page).includes("Was this alert actionable?"));
    expect(threadTexts(h, page)).toEqual([
      "Resolved: stream-api-7f9c:8080, stream-api-2b11:8080",
      "Resolved: all 2 instances have resolved",
      "Was this alert actionable?",
    ]);
    // A repeated resolved notification does not ask again.
    await h.webhook("/webhooks/alertmanager", resolvedPayload(payload));
    await settled(h);
    expect(threadTexts(h, page).filter((t) => t === "Was this alert actionable?")).toHaveLength(1);
  });
});

describe("Hand to owning team", () => {
  it("inside the team's workday assigns the alert to the team and posts in its channel once", async () => {
    // Wednesday 11:00 in Berlin.
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const page = await pageAlert(h);
    await press(h, "alert.ack", page, "U02AAA");
    await eventually(async () => (await stored(h, page.id)).state === "acked");
    await press(h, "alert.handoff", page, "U02AAA");
    const post = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0PLAYBACK" && c.response.ok,
    );
    const a = await stored(h, page.id);
    expect(a).toMatchObject({ state: "handed_off", assignedTeam: "playback", assignee: null });
    const text = JSON.stringify(post.args.blocks);
    for (const m of ["U01AAA", "U01BBB", "U01CCC"]) expect(text).toContain(`<@${m}>`);
    expect(text).toContain("<@U02AAA> handed *HighErrorRate · stream-api (Playback)* to Playback");
    expect(text).toContain(`/archives/${page.channel}/p${page.ts.replace(".", "")}`);
    expect(buttonIds(post.args.blocks as unknown[])).toEqual(["alert.ack"]);
    await eventually(() =>
      threadTexts(h, page).includes("<@U02AAA> handed this alert to Playback (<#C0PLAYBACK>)"),
    );
    await eventually(
      () => !buttonIds(h.slack.message(page.channel, page.ts)?.blocks).includes("alert.handoff"),
    );
    expect(JSON.stringify(h.slack.message(page.channel, page.ts)?.blocks)).toContain("Handed to Playback");

    // A second press is refused; a repeated delivery job posts nothing new.
    await press(h, "alert.handoff", page, "U02AAA");
    await ephemeralTo(h, "U02AAA", "already handed to Playback");
    await enqueueTeamSync(h.app.queues.escalate, { id: page.id, version: 999 });
    await settled(h);
    expect(h.slack.messages("C0PLAYBACK")).toHaveLength(1);

    // A team member takes it from the team post; the post says so.
    const teamPost = h.slack.messages("C0PLAYBACK")[0]!;
    await press(h, "alert.ack", page, "U01BBB", { channel: "C0PLAYBACK", ts: teamPost.ts });
    await eventually(async () => (await stored(h, page.id)).assignee === "U01BBB");
    await eventually(() =>
      JSON.stringify(h.slack.message("C0PLAYBACK", teamPost.ts)?.blocks).includes(
        "Acknowledged by <@U01BBB>",
      ),
    );
    expect(buttonIds(h.slack.message("C0PLAYBACK", teamPost.ts)?.blocks)).toEqual([]);
  });

  it("outside the workday refuses, saying when the workday begins and that escalation is the way", async () => {
    // Saturday 11:00 in Berlin.
    const h = await bot.start({ now: "2026-11-28T10:00:00Z" });
    const page = await pageAlert(h);
    await press(h, "alert.handoff", page, "U02AAA");
    const e = await ephemeralTo(h, "U02AAA", "outside its workday");
    expect(e.text).toContain("Their workday begins Mon 30 Nov, 09:00 Europe/Berlin (09:00 your time)");
    expect(e.text).toContain("press Escalate to page every member of Playback");
    expect(await stored(h, page.id)).toMatchObject({ state: "firing", assignedTeam: null, version: 1 });
    expect(h.slack.messages("C0PLAYBACK")).toHaveLength(0);

    // Wednesday 21:00 in Berlin: tomorrow morning.
    h.clock.set("2026-11-25T20:00:00Z");
    await press(h, "alert.handoff", page, "U02AAA");
    await ephemeralTo(h, "U02AAA", "Their workday begins Thu 26 Nov, 09:00 Europe/Berlin");

    // Christmas Day is a public holiday in Germany, and so is the 26th (a Saturday): Monday it is.
    h.clock.set("2026-12-25T10:00:00Z");
    await press(h, "alert.handoff", page, "U02AAA");
    await ephemeralTo(h, "U02AAA", "Their workday begins Mon 28 Dec, 09:00 Europe/Berlin");
    expect((await stored(h, page.id)).version).toBe(1);
  });

  it("writes the workday start in the team's and the presser's time zones", async () => {
    // Thursday 20:00 in New York: Payments' workday ended at 17:00.
    const h = await bot.start({ now: "2026-11-27T01:00:00Z" });
    const page = await pageAlert(h, firingPayload("checkout"));
    await press(h, "alert.handoff", page, "U02AAA");
    // Thanksgiving was Thursday; Friday 09:00 in New York is 15:00 in Berlin (the presser's zone).
    await ephemeralTo(h, "U02AAA", "Fri 27 Nov, 09:00 America/New_York (15:00 your time)");
  });
});
