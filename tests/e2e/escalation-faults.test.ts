// Escalation timers under faults, through the running app (real Redis, BullMQ and Bolt, the fake
// Slack), with a one-second ack_timeout: an acknowledgement that lands while a re-page is being
// sent, and a hand-off the owning team ignores.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness } from "../support/harness";
import { settled } from "../support/settled";
import { dmsTo, orgWithEscalation, pageAlert, press, stored } from "./alert-press";

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
