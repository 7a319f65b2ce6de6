// Escalation timers under faults, through the running app (real Redis, BullMQ and Bolt, the fake
// Slack), with a one-second ack_timeout: an acknowledgement that lands while a re-page is being
// sent, and a hand-off the owning team ignores.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness } from "../support/harness";
import { settled } from "../support/settled";
import { dmsTo, orgWithEscalation, type PagedAlert, pageAlert, press, stored } from "./alert-press";

let org: ReturnType<typeof orgWithEscalation>;
beforeAll(() => {
  org = orgWithEscalation("{ ack_timeout: 1s, repeats: 2 }");
});
afterAll(() => org.remove());

const bot = harnessPerTest();

function reminders(hh: Harness, user: string) {
  return dmsTo(hh, user).filter((m) => m.text.startsWith("⏰"));
}

describe("an acknowledgement during a re-page", () => {
  it("stops the re-page DM: the state is checked when sending, not from before", async () => {
    const h = await bot.start({ configDir: org.dir });
    const page = await pageAlert(h);
    // The timer applies its step, then asks Slack for the page's permalink before the DM: hold
    // that answer, so the acknowledgement lands between the step and the send.
    h.slack.failNext("chat.getPermalink", { delayMs: 1_500 });
    await eventually(async () => (await stored(h, page.id)).repages === 1, 5_000, "first re-page applied");
    await press(h, "alert.ack", page, "U02AAA");
    await eventually(async () => (await stored(h, page.id)).state === "acked", 3_000, "acknowledged");
    await h.slack.waitFor((c) => c.method === "chat.getPermalink", { timeoutMs: 5_000 });
    await settled(h);
    expect(reminders(h, "U02AAA")).toHaveLength(0);
    expect(await stored(h, page.id)).toMatchObject({ state: "acked", assignee: "U02AAA", repages: 1 });
  });
});

/** Pages, acknowledges and hands the alert to Playback as the on-call engineer. */
async function handedOff(h: Harness): Promise<PagedAlert> {
  const page = await pageAlert(h);
  await press(h, "alert.ack", page, "U02AAA");
  await eventually(async () => (await stored(h, page.id)).state === "acked");
  await press(h, "alert.handoff", page, "U02AAA");
  await eventually(async () => (await stored(h, page.id)).state === "handed_off", 3_000, "handed off");
  return page;
}

describe("a hand-off the owning team ignores", () => {
  it("keeps an acknowledgement timeout towards the team, then re-pages the on-call engineer", async () => {
    // Wednesday 11:00 in Berlin: inside Playback's workday.
    const h = await bot.start({ configDir: org.dir, now: "2026-11-25T10:00:00Z" });
    const page = await handedOff(h);
    // Nobody in Playback takes it within the rotation's ack_timeout (1 s): back to on-call.
    await eventually(
      () => dmsTo(h, "U02AAA").some((m) => m.text.startsWith("⏰ Playback did not take")),
      6_000,
      "the on-call engineer re-paged",
    );
    // The DM goes first, then the alert changes.
    await eventually(
      async () => (await stored(h, page.id)).assignedTeam === null,
      3_000,
      "back with on-call",
    );
    expect(await stored(h, page.id)).toMatchObject({ assignedTeam: null, assignee: null });
    const events = await h.app.alerts.events(page.id);
    expect(events.map((e) => e.text)).toContain(
      "Playback did not take this alert within 1s: it is back with on-call, paging <@U02AAA> again",
    );
    // Its escalation timers run again: still nobody, so it escalates to every member of Playback.
    await eventually(async () => (await stored(h, page.id)).state === "escalated", 10_000, "escalation");
  }, 20_000);

  it("does nothing once someone in the team acknowledged it", async () => {
    const h = await bot.start({ configDir: org.dir, now: "2026-11-25T10:00:00Z" });
    const page = await handedOff(h);
    await press(h, "alert.ack", page, "U01BBB");
    await eventually(
      async () => (await stored(h, page.id)).assignee === "U01BBB",
      3_000,
      "taken by the team",
    );
    await new Promise((r) => setTimeout(r, 1_200));
    await settled(h);
    expect(await stored(h, page.id)).toMatchObject({
      state: "acked",
      assignee: "U01BBB",
      assignedTeam: "playback",
    });
    expect(reminders(h, "U02AAA")).toHaveLength(0);
  });
});
