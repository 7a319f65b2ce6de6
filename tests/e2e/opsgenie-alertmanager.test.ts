// The real Alertmanager (Debian's prometheus-alertmanager) pointed at the bot through its own
// opsgenie_configs, changed only in api_url and api_key: one page per group, updated as the group
// changes, resolved when the group resolves.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAlertmanager, startAlertmanager } from "../support/alertmanager";
import { eventually, type Harness, startHarness, WEBHOOK_TOKEN } from "../support/harness";
import { freePort } from "../support/ports";
import { settled } from "../support/settled";

let h: Harness;
let am: RunningAlertmanager;
let amUrl = "";

beforeAll(async () => {
  h = await startHarness();
  // An existing set-up's receiver: only api_url and api_key point at the bot.
  am = await startAlertmanager(
    await freePort(),
    `route:
  receiver: oncall
  group_by: [alertname, job]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: oncall
    opsgenie_configs:
      - api_key: ${WEBHOOK_TOKEN}
        api_url: ${h.app.url}/
        send_resolved: true
        update_alerts: true
`,
  );
  amUrl = am.url;
}, 30_000);

afterAll(async () => {
  await am?.stop();
  await h?.close();
});

/** Pushes alerts to Alertmanager as Prometheus does (its API v2), firing for an hour or ended. */
async function push(instances: readonly string[], state: "firing" | "resolved") {
  const now = Date.now();
  const body = instances.map((instance) => ({
    labels: { alertname: "HighErrorRate", job: "stream-api", severity: "page", instance },
    annotations: { summary: `5xx above 5% on ${instance}` },
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(state === "firing" ? now + 3_600_000 : now - 1_000).toISOString(),
  }));
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

const topLevelPages = () =>
  h.slack
    .callsTo("chat.postMessage")
    .filter((c) => c.args.channel === "C0ONCALL" && !c.args.thread_ts && c.response.ok);

describe("Alertmanager's opsgenie_configs pointed at the bot", () => {
  it("pages once per group, updates the page as the group changes, and resolves it with the group", async () => {
    await push(["stream-api-1:8080", "stream-api-2:8080"], "firing");
    const page = await eventually(
      () => topLevelPages()[0],
      15_000,
      `the page (Alertmanager log: ${am.log()})`,
    );
    const ts = page.response.ts as string;
    const text = JSON.stringify(page.args.blocks);
    expect(text).toContain("HighErrorRate · stream-api (Playback)");
    expect(text).toContain("runbooks/HighErrorRate.md");
    expect(text).toContain("alert.ack");
    // Alertmanager may flush the group before it holds both alerts (group_wait is 1s); either way the
    // page comes to say two are firing.
    await eventually(
      () =>
        JSON.stringify(h.slack.message("C0ONCALL", ts)?.blocks).includes(
          "[FIRING:2] HighErrorRate stream-api",
        ),
      15_000,
      `the page to show 2 firing (Alertmanager log: ${am.log()})`,
    );
    const alerts = await h.app.alerts.openAlerts({ rotationId: "merged" });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      source: "opsgenie",
      name: "HighErrorRate",
      route: { serviceId: "stream-api", teamId: "playback" },
    });

    // A third instance joins the group: Alertmanager re-sends the alert and updates its message.
    await push(["stream-api-1:8080", "stream-api-2:8080", "stream-api-3:8080"], "firing");
    await eventually(
      () => JSON.stringify(h.slack.message("C0ONCALL", ts)?.blocks).includes("[FIRING:3] HighErrorRate"),
      15_000,
      `the page to show 3 firing (Alertmanager log: ${am.log()})`,
    );

    // Every alert of the group ends: Alertmanager closes the alert by its alias.
    await push(["stream-api-1:8080", "stream-api-2:8080", "stream-api-3:8080"], "resolved");
    await eventually(
      () => h.slack.message("C0ONCALL", ts)?.text.startsWith("✅"),
      15_000,
      `the page to show resolved (Alertmanager log: ${am.log()})`,
    );
    const resolved = await h.app.alerts.get(alerts[0]!.id);
    expect(resolved).toMatchObject({ state: "resolved", resolvedBy: "opsgenie" });
    await settled(h);
    expect(topLevelPages()).toHaveLength(1);
    expect(await h.app.alerts.openAlerts({ rotationId: "merged" })).toHaveLength(0);
  }, 45_000);
});
