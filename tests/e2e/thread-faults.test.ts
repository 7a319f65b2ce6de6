// An alert's thread under faults, through the running app and the fake Slack: a label far over
// Slack's limits, and a reply Slack refuses for good. Neither may stop the replies after it.

import { describe, expect, it } from "vitest";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness } from "../support/harness";
import { settled } from "../support/settled";
import { firingPayload, type PagedAlert, pageAlert, press, stored, threadTexts } from "./alert-press";

const bot = harnessPerTest();

/** The test group with one more instance, whose `instance` label is `instance`. */
function withInstance(instance: string, fingerprint: string): Record<string, unknown> {
  const p = firingPayload();
  const alerts = p.alerts as Record<string, unknown>[];
  const first = alerts[0] as { labels: Record<string, string> };
  return { ...p, alerts: [...alerts, { ...first, labels: { ...first.labels, instance }, fingerprint }] };
}

async function ackAndWait(h: Harness, page: PagedAlert): Promise<void> {
  await press(h, "alert.ack", page, "U02AAA");
  await eventually(
    () => threadTexts(h, page).some((t) => t.includes("<@U02AAA> acknowledged")),
    8_000,
    "the acknowledgement in the thread",
  );
}

describe("an alert's thread", () => {
  it("takes a 45,000-character instance label: the reply is cut to Slack's limit and later replies follow", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await settled(h);
    const huge = `pod-${"x".repeat(45_000)}`;
    expect((await h.webhook("/webhooks/alertmanager", withInstance(huge, "0f0f0f0f0f0f0f0f"))).status).toBe(
      200,
    );
    await ackAndWait(h, page);
    const joined = threadTexts(h, page).find((t) => t.startsWith("Joined: pod-xxx"));
    expect(joined).toBeDefined();
    expect(joined!.length).toBeLessThan(4_000);
    expect(joined!.endsWith("…")).toBe(true);
    // Stored as well as posted: the timeline keeps no 45,000-character text either.
    const events = await h.app.alerts.events(page.id);
    expect(Math.max(...events.map((e) => e.text.length))).toBeLessThan(4_000);
  });

  it("skips a reply Slack refuses for good, notes it on the timeline, and posts the ones after it", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await settled(h);
    // The next post is the "Joined" reply; Slack refuses it for good.
    h.slack.failNext("chat.postMessage", { error: "msg_too_long" });
    expect(
      (await h.webhook("/webhooks/alertmanager", withInstance("pod-new", "1e1e1e1e1e1e1e1e"))).status,
    ).toBe(200);
    await ackAndWait(h, page);
    expect(threadTexts(h, page).some((t) => t.startsWith("Joined:"))).toBe(false);
    const events = await h.app.alerts.events(page.id);
    const note = events.find((e) => e.type === "delivery_failed");
    expect(note?.text).toContain("msg_too_long");
    expect(note?.text).toContain("Joined: pod-new");
    expect(note?.thread).toBe(false);
    expect((await stored(h, page.id)).state).toBe("acked");
  });
});
