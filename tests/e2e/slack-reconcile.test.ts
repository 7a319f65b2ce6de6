// A Slack outage longer than the notify job's retries, through the running app: the fake Slack
// answers 5xx until the sync job has spent every attempt (two here, instead of twelve), then
// recovers. The reconciler (every second here) brings the alert back into the queue: the page
// appears, once.

import { describe, expect, it } from "vitest";
import { reconcileSlack } from "../../src/features/paging/reconcile";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness } from "../support/harness";
import { settled } from "../support/settled";
import { firingPayload, pageAlert, resolvedPayload } from "./alert-press";

const bot = harnessPerTest();

/** Calls to `method` the fake Slack failed with a 500 (the outage). */
function failed(h: Harness, method: string): number {
  return h.slack.calls.filter((c) => c.method === method && c.status === 500).length;
}

describe("the Slack reconciler", () => {
  it("posts a page whose sync job gave up during a Slack outage, once Slack answers again", async () => {
    const h = await bot.start({ settings: { notifyAttempts: 2, slackReconcileEveryMs: 1_000 } });
    // The outage: every attempt of the sync fails with a 500.
    h.slack.failNext("chat.postMessage", { status: 500 }, 2);
    const res = await h.webhook("/webhooks/alertmanager", firingPayload());
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { alert: { id: string } }).alert.id;
    // Both attempts the sync job has are spent on the outage; no attempt of its own is left.
    await eventually(() => failed(h, "chat.postMessage") === 2, 8_000, "both attempts to fail");

    const page = await eventually(async () => (await h.app.delivery.get(id)).ts, 8_000, "the page");
    expect(h.slack.messages("C0ONCALL").filter((m) => m.ts === page)).toHaveLength(1);
    // Two more runs of the reconciler find nothing behind: no second page.
    const runs = await h.app.queues.schedule.getCompletedCount();
    await eventually(
      async () => (await h.app.queues.schedule.getCompletedCount()) >= runs + 2,
      5_000,
      "two more runs",
    );
    expect(h.slack.messages("C0ONCALL")).toHaveLength(1);
    expect((await h.app.delivery.get(id)).dmTs).not.toBeNull();
  });

  it("brings a page up to date after a resolve whose sync gave up during an outage", async () => {
    const h = await bot.start({ settings: { notifyAttempts: 2, slackReconcileEveryMs: 1_000 } });
    const page = await pageAlert(h);
    await settled(h, { horizonMs: 0 });
    // The outage starts just as the alert resolves: every attempt to rewrite the page fails.
    h.slack.failNext("chat.update", { status: 500 }, 2);
    expect((await h.webhook("/webhooks/alertmanager", resolvedPayload(firingPayload()))).status).toBe(200);
    const resolved = await h.app.alerts.get(page.id);
    expect(resolved?.state).toBe("resolved");
    await eventually(() => failed(h, "chat.update") === 2, 8_000, "both attempts to fail");
    // No longer open, yet not forgotten: the page shows the resolve once Slack answers again.
    await eventually(
      () => h.slack.message(page.channel, page.ts)?.text.startsWith("✅"),
      8_000,
      "the page rewritten as resolved",
    );
    await eventually(
      async () => (await h.app.delivery.get(page.id)).renderedVersion >= resolved!.version,
      3_000,
      "the resolve recorded as shown",
    );
  });

  it("runs once at a time across replicas, and leaves alerts Slack is up to date on alone", async () => {
    const h = await bot.start();
    const res = await h.webhook("/webhooks/alertmanager", firingPayload());
    const id = ((await res.json()) as { alert: { id: string } }).alert.id;
    await eventually(async () => (await h.app.delivery.get(id)).dmTs, 8_000, "page and DM");
    await settled(h);
    const rt = h.app.runtime;
    const [a, b] = await Promise.all([reconcileSlack(rt), reconcileSlack(rt)]);
    expect([a.kind, b.kind].sort()).toEqual(["done", "locked"]);
    const done = a.kind === "done" ? a : b;
    expect(done).toMatchObject({ kind: "done", checked: 1, requeued: [] });
    // Up to date: no longer pending, so later runs only look at it while it is open.
    expect(await h.app.delivery.pendingIds()).toEqual([]);
  });
});
