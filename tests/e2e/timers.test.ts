// Escalation timers through the running app: BullMQ delayed jobs with a one-second ack_timeout (a
// copy of the test org), so re-pages and the escalation happen while the test watches.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertEvent } from "../../src/core/alert";
import { timerJobId } from "../../src/features/escalation/jobs";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness } from "../support/harness";
import { settled } from "../support/settled";
import {
  dmsTo,
  firingPayload,
  orgWithEscalation,
  pageAlert,
  press,
  stored,
  threadTexts,
} from "./alert-press";

let org: ReturnType<typeof orgWithEscalation>;
beforeAll(() => {
  org = orgWithEscalation("{ ack_timeout: 1s, repeats: 2 }");
});
afterAll(() => org.remove());

const bot = harnessPerTest();

const PLAYBACK = ["U01AAA", "U01BBB", "U01CCC"];

const ofType = (events: AlertEvent[], type: AlertEvent["type"]) => events.filter((e) => e.type === type);

function reminders(hh: Harness, user: string) {
  return dmsTo(hh, user).filter((m) => m.text.startsWith("⏰ Still not acknowledged"));
}

async function jobState(hh: Harness, id: string): Promise<string | null> {
  const job = await hh.app.queues.escalate.getJob(id);
  return job ? job.getState() : null;
}

describe("escalation timers", () => {
  it("re-page the on-call engineer twice, then escalate to every member of the owning team", async () => {
    const h = await bot.start({ configDir: org.dir });
    const page = await pageAlert(h);
    expect(await jobState(h, timerJobId(page.id, 1))).toBe("delayed");

    await eventually(async () => (await stored(h, page.id)).state === "escalated", 8_000, "escalation");
    const a = await stored(h, page.id);
    expect(a).toMatchObject({
      repages: 3,
      assignedTeam: "playback",
      escalation: { by: "bot", reason: "not acknowledged after 2 re-pages" },
    });
    const events = await h.app.alerts.events(page.id);
    expect(ofType(events, "repaged").map((e) => e.text)).toEqual([
      "Not acknowledged yet: paging <@U02AAA> again (1)",
      "Not acknowledged yet: paging <@U02AAA> again (2)",
    ]);
    expect(ofType(events, "escalated")).toHaveLength(1);
    // Each re-page reached the on-call engineer by DM and the thread.
    await eventually(() => reminders(h, "U02AAA").length === 2);
    expect(reminders(h, "U02AAA").map((m) => m.text.slice(0, 40))).toEqual([
      "⏰ Still not acknowledged (re-page 1 of 2",
      "⏰ Still not acknowledged (re-page 2 of 2",
    ]);
    await eventually(() =>
      threadTexts(h, page).includes(
        "Escalated to every member of Playback: not acknowledged after 2 re-pages",
      ),
    );
    expect(threadTexts(h, page).filter((t) => t.startsWith("Not acknowledged yet"))).toHaveLength(2);
    // The broadcast: every member of Playback, once.
    await eventually(() =>
      PLAYBACK.every((m) => dmsTo(h, m).filter((d) => d.text.startsWith("🚨 Escalated")).length === 1),
    );
    await eventually(() => h.slack.messages("C0PLAYBACK").length === 1);
    // Nothing more happens afterwards.
    await settled(h);
    expect(ofType(await h.app.alerts.events(page.id), "repaged")).toHaveLength(2);
    expect(reminders(h, "U02AAA")).toHaveLength(2);
  });

  it("stop when the alert is acknowledged: pending timers are removed and nothing re-pages", async () => {
    const h = await bot.start({ configDir: org.dir });
    const page = await pageAlert(h);
    await press(h, "alert.ack", page, "U02AAA");
    await eventually(async () => (await stored(h, page.id)).state === "acked");
    await eventually(
      async () => (await jobState(h, timerJobId(page.id, 1))) === null,
      2_000,
      "timer removed",
    );
    await settled(h);
    const a = await stored(h, page.id);
    expect(a).toMatchObject({ state: "acked", repages: 0, escalation: null });
    expect(ofType(await h.app.alerts.events(page.id), "repaged")).toHaveLength(0);
    expect(reminders(h, "U02AAA")).toHaveLength(0);
  });

  it("stop after an acknowledgement that comes between re-pages", async () => {
    const h = await bot.start({ configDir: org.dir });
    const page = await pageAlert(h);
    await eventually(async () => (await stored(h, page.id)).repages === 1, 5_000, "first re-page");
    await press(h, "alert.ack", page, "U02AAA");
    await eventually(async () => (await stored(h, page.id)).state === "acked");
    const repages = (await stored(h, page.id)).repages;
    await settled(h);
    expect(await stored(h, page.id)).toMatchObject({ state: "acked", repages, escalation: null });
    expect(h.slack.messages("C0PLAYBACK")).toHaveLength(0);
  });

  it("do nothing when they fire after the alert changed, even if their job was not removed", async () => {
    const h = await bot.start({ configDir: org.dir });
    const page = await pageAlert(h);
    await press(h, "alert.resolve", page, "U02AAA");
    await eventually(async () => (await stored(h, page.id)).state === "resolved");
    const version = (await stored(h, page.id)).version;
    // A stale timer, as one left behind by a crash would be.
    await h.app.queues.escalate.add(
      "timer",
      { kind: "timer", alertId: page.id, step: 1 },
      { jobId: "timer-left-behind" },
    );
    await eventually(async () => (await jobState(h, "timer-left-behind")) === "completed");
    const job = await h.app.queues.escalate.getJob("timer-left-behind");
    expect(String(job?.returnvalue)).toContain("stale");
    expect(await stored(h, page.id)).toMatchObject({ version, repages: 0 });
  });

  it("survive a restart of the bot and fire once", async () => {
    const h = await bot.start({ configDir: org.dir });
    const page = await pageAlert(h);
    expect(await jobState(h, timerJobId(page.id, 1))).toBe("delayed");
    await h.restart();
    await eventually(async () => (await stored(h, page.id)).state === "escalated", 8_000, "escalation");
    const events = await h.app.alerts.events(page.id);
    expect(ofType(events, "repaged").map((e) => e.text.slice(-3))).toEqual(["(1)", "(2)"]);
    expect(ofType(events, "escalated")).toHaveLength(1);
    await eventually(() => reminders(h, "U02AAA").length === 2);
    await settled(h);
    expect(reminders(h, "U02AAA")).toHaveLength(2);
  });

  it("only re-page an unrouted alert and say in the thread that there is no team to escalate to", async () => {
    const h = await bot.start({ configDir: org.dir });
    const page = await pageAlert(h, firingPayload("unknown-job"));
    await eventually(async () => (await stored(h, page.id)).repages === 3, 8_000, "last step");
    expect(await stored(h, page.id)).toMatchObject({ state: "firing", escalation: null, assignedTeam: null });
    await eventually(() => threadTexts(h, page).some((t) => t.includes("no owning team to escalate to")));
    expect(reminders(h, "U02AAA")).toHaveLength(2);
    for (const ch of ["C0PLAYBACK", "C0SEARCH", "C0PAYMENTS"]) expect(h.slack.messages(ch)).toHaveLength(0);
  });
});
