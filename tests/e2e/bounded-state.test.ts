// The bounded-state settings reach the running bot: ALERT_INSTANCE_LIMIT bounds what the page lists
// (and says how many more there are), ALERT_RETENTION_DAYS sets the expiry when the webhook resolves
// the alert, and the report digest is stored with it.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { harnessPerTest } from "../support/e2e";
import { settled } from "../support/settled";

const FIXTURES = new URL("../fixtures/payloads/", import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8"));

const harness = harnessPerTest();

describe("bounded state in the running bot", () => {
  it("lists one instance of two, then expires the resolved alert after the configured days", async () => {
    const h = await harness.start({ settings: { alertInstanceLimit: 1, alertRetentionDays: 7 } });
    const res = await h.webhook("/webhooks/alertmanager", fixture("alertmanager-v4-firing.json"));
    const { alert } = (await res.json()) as { alert: { id: string } };
    const stored = await h.app.alerts.get(alert.id);
    expect(stored?.instances).toHaveLength(1);
    expect(stored?.truncated?.firing).toHaveLength(1);
    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL",
    );
    const text = JSON.stringify(page.args.blocks);
    expect(text).toContain("2 of 2 instances firing");
    expect(text).toContain("and 1 more");
    expect(text).toContain("1 older instance not listed: the alert keeps the 1 most recent in full");

    const keys = h.app.alerts.keys;
    expect(await h.app.redis.pttl(keys.alert(alert.id))).toBe(-1);
    // Alertmanager reports the whole group resolved: both instances, the one not listed too.
    const firing = fixture("alertmanager-v4-firing.json");
    const resolved = {
      ...firing,
      status: "resolved",
      alerts: firing.alerts.map((i: Record<string, unknown>) => ({
        ...i,
        status: "resolved",
        endsAt: "2026-11-25T10:05:00Z",
      })),
    };
    expect(
      ((await (await h.webhook("/webhooks/alertmanager", resolved)).json()) as { status: string }).status,
    ).toBe("updated");
    expect((await h.app.alerts.get(alert.id))?.state).toBe("resolved");
    await settled(h);
    for (const key of [keys.alert(alert.id), keys.events(alert.id), keys.delivery(alert.id)]) {
      const pttl = await h.app.redis.pttl(key);
      expect(pttl, key).toBeGreaterThan((7 * 86_400 - 60) * 1000);
      expect(pttl, key).toBeLessThanOrEqual(7 * 86_400 * 1000);
    }
    const day = (await h.app.alerts.get(alert.id))!.createdAt.slice(0, 10);
    expect(await h.app.redis.hexists(keys.alertDigests(day), alert.id)).toBe(1);
  });
});
