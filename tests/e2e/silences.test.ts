// Silences from Slack against the real Alertmanager (Debian's prometheus-alertmanager) on a loopback
// port, sending its webhook to the bot: the Silence button, its modal, the silence in Alertmanager
// with the group's labels as matchers, the group going quiet under it, Expire silence, the end of a
// silence noted in the thread, and an unreachable Alertmanager answered ephemerally.

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSilence, expireSilence } from "../../src/features/silences/alertmanager";
import { startSilence } from "../../src/features/silences/rules";
import { type RunningAlertmanager, startAlertmanager } from "../support/alertmanager";
import { eventually, type Harness, slashCommand, startHarness, WEBHOOK_TOKEN } from "../support/harness";
import { freePort } from "../support/ports";
import { newTriggerId, type ViewStateValue, viewSubmissionBody } from "../support/slack-requests";
import {
  buttonIds,
  ephemeralTo,
  firingPayload,
  type PagedAlert,
  pageAlert,
  press,
  threadTexts,
} from "./alert-press";

/** How often Alertmanager re-sends a firing group that did not change. */
const REPEAT_S = 2;

let h: Harness;
let am: RunningAlertmanager;
let amUrl = "";

beforeAll(async () => {
  const port = await freePort();
  amUrl = `http://127.0.0.1:${port}`;
  // Alertmanager works in real time: so does the bot's clock here, or its silences would end in the past.
  h = await startHarness({
    now: new Date().toISOString(),
    settings: { alertmanager: { url: amUrl, authorization: null } },
  });
  // The usual receiver: Alertmanager's webhook to the bot, with the bot's bearer token.
  am = await startAlertmanager(
    port,
    `route:
  receiver: oncall
  group_by: [alertname, job]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: ${REPEAT_S}s
receivers:
  - name: oncall
    webhook_configs:
      - url: ${h.app.url}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: ${WEBHOOK_TOKEN}
`,
  );
}, 30_000);

afterAll(async () => {
  await am?.stop();
  await h?.close();
});

/** Pushes firing alerts of one group (alertname, job) to Alertmanager, as Prometheus does. */
async function push(job: string, instances: readonly string[]) {
  const now = Date.now();
  const body = instances.map((instance) => ({
    labels: { alertname: "HighErrorRate", job, severity: "page", instance },
    annotations: { summary: `5xx above 5% on ${instance}` },
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 3_600_000).toISOString(),
  }));
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

interface AmSilence {
  id: string;
  status: { state: string };
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  createdBy: string;
  comment: string;
  endsAt: string;
}

async function silences(): Promise<AmSilence[]> {
  return (await (await fetch(`${amUrl}/api/v2/silences`)).json()) as AmSilence[];
}

async function webhookHits(): Promise<number> {
  const metric = await h.app.metrics.alertsReceived.get();
  return metric.values.filter((v) => v.labels.source === "alertmanager").reduce((n, v) => n + v.value, 0);
}

/** Waits for the page of the group with `job`, and returns it. */
async function pageOf(job: string): Promise<PagedAlert> {
  const alert = await eventually(
    async () =>
      (await h.app.alerts.openAlerts({ rotationId: "merged" })).find((a) => a.commonLabels.job === job),
    15_000,
    `the alert of ${job} (Alertmanager log: ${am.log()})`,
  );
  const d = await eventually(
    async () => {
      const x = await h.app.delivery.get(alert.id);
      return x.ts && x.channel ? { channel: x.channel, ts: x.ts } : undefined;
    },
    15_000,
    "the page",
  );
  return { id: alert.id, ...d };
}

/** Presses Silence, checks the modal, and submits it with `values`; returns Slack's answer. */
async function silenceVia(page: PagedAlert, user: string, values: ReturnType<typeof choose>) {
  const opened = h.slack.callsTo("views.open").length;
  const triggerId = newTriggerId();
  await press(h, "alert.silence", page, user, { triggerId });
  const open = await eventually(() => h.slack.callsTo("views.open")[opened], 8_000, "the Silence modal");
  expect(open.args.trigger_id).toBe(triggerId);
  const view = open.args.view as Record<string, unknown>;
  expect(view.callback_id).toBe("alert.silence");
  return h.slackPost(
    viewSubmissionBody({
      callbackId: "alert.silence",
      privateMetadata: String(view.private_metadata),
      values,
      userId: user,
    }),
  );
}

const choose = (
  choice: string,
  comment = "",
  custom = "",
): Record<string, Record<string, ViewStateValue>> => ({
  duration: { choice: { type: "static_select", selected_option: { value: choice } } },
  custom: { text: { type: "plain_text_input", value: custom } },
  comment: { text: { type: "plain_text_input", value: comment } },
});

const pageBlocks = (page: PagedAlert) => h.slack.message(page.channel, page.ts)?.blocks;

describe("Silence from Slack, against the real Alertmanager", () => {
  it("silences the group with its labels; the firing group stops re-notifying; Expire silence ends it", async () => {
    await push("stream-api", ["stream-api-1:8080", "stream-api-2:8080"]);
    const page = await pageOf("stream-api");
    expect(buttonIds(pageBlocks(page))).toContain("alert.silence");

    // Before: Alertmanager re-sends the firing group every REPEAT_S seconds.
    const before = await webhookHits();
    await eventually(async () => (await webhookHits()) >= before + 2, 15_000, `re-sends (log: ${am.log()})`);

    // The modal: 1 hour first and chosen, then 4 hours, the team's next workday, custom.
    const opened = h.slack.callsTo("views.open").length;
    await press(h, "alert.silence", page, "U02AAA");
    const open = await eventually(() => h.slack.callsTo("views.open")[opened], 8_000, "the modal");
    const blocks = (open.args.view as { blocks: { block_id?: string; element?: Record<string, unknown> }[] })
      .blocks;
    const select = blocks.find((b) => b.block_id === "duration")?.element as {
      options: { value: string }[];
      initial_option: { value: string };
    };
    expect(select.options.map((o) => o.value)).toEqual(["1h", "4h", "workday", "custom"]);
    expect(select.initial_option.value).toBe("1h");
    const text = JSON.stringify(blocks);
    expect(text).toContain("1 hour");
    expect(text).toContain("Until Playback's next workday");
    expect(text).toContain('alertname=\\"HighErrorRate\\"');

    const startedAt = Date.now();
    const res = await silenceVia(page, "U02AAA", choose("1h", "deploy <!channel> rolling back"));
    expect(res.status).toBe(200);
    expect(res.body).toBe("");

    const [made] = await eventually(
      async () => {
        const all = (await silences()).filter((s) => s.status.state === "active");
        return all.length ? all : undefined;
      },
      8_000,
      "the silence in Alertmanager",
    );
    expect(made!.matchers).toEqual([
      { name: "alertname", value: "HighErrorRate", isRegex: false, isEqual: true },
      { name: "job", value: "stream-api", isRegex: false, isEqual: true },
    ]);
    expect(made!.createdBy).toBe("u02aaa (Slack U02AAA)");
    expect(made!.comment).toBe(
      `Silenced from Slack (shared-oncall alert ${page.id}, HighErrorRate): deploy <!channel> rolling back`,
    );
    const hour = Date.parse(made!.endsAt) - startedAt;
    expect(hour).toBeGreaterThan(3_590_000);
    expect(hour).toBeLessThan(3_610_000);

    // The page says who silenced until when, and offers Expire silence instead of Silence.
    await eventually(
      () => JSON.stringify(pageBlocks(page)).includes("Silenced in Alertmanager until"),
      8_000,
      "page",
    );
    expect(JSON.stringify(pageBlocks(page))).toContain("by <@U02AAA>");
    expect(buttonIds(pageBlocks(page))).toContain("alert.unsilence");
    expect(buttonIds(pageBlocks(page))).not.toContain("alert.silence");
    await eventually(
      () =>
        threadTexts(h, page).some(
          (t) =>
            t.startsWith("🔕 <@U02AAA> silenced this group in Alertmanager until") &&
            t.endsWith(": deploy &lt;!channel&gt; rolling back"),
        ),
      8_000,
      "the thread note",
    );
    const stored = await h.app.alerts.get(page.id);
    expect(stored?.silence).toMatchObject({ id: made!.id, by: "U02AAA" });
    // Its end is a delayed job, due when the silence ends.
    const job = await h.app.queues.schedule.getJob(`silence-end-${made!.id}`);
    expect(await job?.getState()).toBe("delayed");
    expect(job!.opts.delay).toBeGreaterThan(3_590_000);

    // Alertmanager marks the group's alerts silenced by it, and stops sending them.
    await eventually(
      async () => {
        const alerts = (await (await fetch(`${amUrl}/api/v2/alerts?silenced=true`)).json()) as {
          status: { silencedBy: string[] };
          labels: Record<string, string>;
        }[];
        const ours = alerts.filter((a) => a.labels.job === "stream-api");
        return ours.length === 2 && ours.every((a) => a.status.silencedBy.includes(made!.id));
      },
      8_000,
      "both alerts silenced in Alertmanager",
    );
    await new Promise((r) => setTimeout(r, 1_500)); // a notification already under way may land
    const quiet = await webhookHits();
    await new Promise((r) => setTimeout(r, 3 * REPEAT_S * 1000));
    expect(await webhookHits()).toBe(quiet);

    // The noise report counts the silence: an open alert silenced without "actionable" is noise.
    h.clock.advance(1_000); // the window ends before "now": the page and its silence are in it
    const noise = await slashCommand(h, "/oncall", "U02AAA", "noise 7");
    expect(JSON.stringify(noise.args)).toContain("1 silence ·");

    // Expire silence: Alertmanager expires it, the page offers Silence again, the group notifies again.
    await press(h, "alert.unsilence", page, "U01AAA");
    await eventually(
      async () => (await silences()).find((s) => s.id === made!.id)?.status.state === "expired",
      8_000,
      "the silence expired in Alertmanager",
    );
    await eventually(() => buttonIds(pageBlocks(page)).includes("alert.silence"), 8_000, "Silence again");
    expect(JSON.stringify(pageBlocks(page))).not.toContain("Silenced in Alertmanager");
    await eventually(
      () => threadTexts(h, page).some((t) => t.startsWith("🔔 <@U01AAA> expired the silence")),
      8_000,
      "the thread note",
    );
    await eventually(
      async () => (await h.app.queues.schedule.getJob(`silence-end-${made!.id}`)) === undefined,
      8_000,
      "the silence's end job gone",
    );
    await eventually(async () => (await webhookHits()) > quiet, 15_000, "notifications again");
  }, 60_000);

  it("notes in the thread when a silence runs out", async () => {
    await push("search-api", ["search-api-1:8080"]);
    const page = await pageOf("search-api");
    const res = await silenceVia(page, "U01AAA", choose("custom", "", "2m"));
    expect(res.body).toBe("");
    const alert = await eventually(
      async () => (await h.app.alerts.get(page.id))?.silence ?? undefined,
      8_000,
      "silence",
    );
    expect(Date.parse(alert.endsAt) - Date.parse(alert.startsAt)).toBe(120_000);
    const job = await eventually(() => h.app.queues.schedule.getJob(`silence-end-${alert.id}`), 8_000, "job");
    // Two minutes on: the bot's clock, and the queue's timer (promoted rather than waited for).
    h.clock.advance(120_000);
    await job.promote();
    await eventually(
      () => threadTexts(h, page).some((t) => t.startsWith("🔔 The silence has expired")),
      8_000,
      "the expiry note",
    );
    await eventually(() => buttonIds(pageBlocks(page)).includes("alert.silence"), 8_000, "Silence again");
    expect((await h.app.alerts.get(page.id))?.silence).toBeNull();
  }, 30_000);

  it("asks again for a bad duration, and refuses strangers at the button and at the modal", async () => {
    await push("checkout", ["checkout-1:8080"]);
    const page = await pageOf("checkout");
    const bad = await silenceVia(page, "U03AAA", choose("custom", "", "soon"));
    expect(JSON.parse(bad.body)).toEqual({
      response_action: "errors",
      errors: { custom: '"soon" is not a duration; type e.g. "30m", "2h" or "1d12h".' },
    });
    const opened = h.slack.callsTo("views.open").length;
    await press(h, "alert.silence", page, "U0OUTSIDER");
    await ephemeralTo(h, "U0OUTSIDER", "Only the participants");
    expect(h.slack.callsTo("views.open")).toHaveLength(opened);
    const forged = await h.slackPost(
      viewSubmissionBody({
        callbackId: "alert.silence",
        privateMetadata: JSON.stringify({ alertId: page.id, channel: page.channel, threadTs: null }),
        values: choose("1h"),
        userId: "U0OUTSIDER",
      }),
    );
    expect(JSON.parse(forged.body)).toMatchObject({ response_action: "update" });
    expect(forged.body).toContain("Only the participants");
    expect((await silences()).filter((s) => s.matchers.some((m) => m.value === "checkout"))).toEqual([]);
  }, 30_000);
});

describe("the Alertmanager client", () => {
  const target = () => ({ url: amUrl, authorization: null });
  const check = (startsAt: Date) => ({
    matchers: [{ name: "alertname", value: "ClientCheck", isRegex: false as const, isEqual: true as const }],
    startsAt,
    endsAt: new Date(startsAt.getTime() + 60_000),
    createdBy: "test",
    comment: "client check",
  });

  it("takes a silence Alertmanager no longer has, or has expired, as expired", async () => {
    await expect(expireSilence(target(), randomUUID())).resolves.toBeUndefined();
    const id = await createSilence(target(), check(new Date()));
    await expireSilence(target(), id);
    await expect(expireSilence(target(), id)).resolves.toBeUndefined();
    expect((await silences()).find((s) => s.id === id)?.status.state).toBe("expired");
  });

  it("reports what Alertmanager refused, in its words", async () => {
    await expect(createSilence(target(), check(new Date("2020-01-01T00:00:00Z")))).rejects.toThrow(
      `Alertmanager at ${amUrl} answered 400: "Failed to create silence: end time can't be in the past"`,
    );
  });
});

describe("an unreachable Alertmanager", () => {
  it("answers the submission with an ephemeral error and silences nothing", async () => {
    const closed = await freePort();
    const hh = await startHarness({
      settings: { alertmanager: { url: `http://127.0.0.1:${closed}`, authorization: null } },
    });
    try {
      const page = await pageAlert(hh, firingPayload());
      expect(buttonIds(hh.slack.message(page.channel, page.ts)?.blocks)).toContain("alert.silence");
      const opened = hh.slack.callsTo("views.open").length;
      await press(hh, "alert.silence", page, "U02AAA");
      const open = await eventually(() => hh.slack.callsTo("views.open")[opened], 8_000, "the modal");
      const res = await hh.slackPost(
        viewSubmissionBody({
          callbackId: "alert.silence",
          privateMetadata: String((open.args.view as Record<string, unknown>).private_metadata),
          values: choose("4h"),
          userId: "U02AAA",
        }),
      );
      expect(res.status).toBe(200);
      const told = await eventually(
        () => hh.slack.ephemerals(page.channel, "U02AAA").find((e) => e.text.startsWith("Not silenced")),
        10_000,
        "the ephemeral error",
      );
      expect(told.text).toBe(
        `Not silenced: Alertmanager at http://127.0.0.1:${closed} did not answer (ECONNREFUSED). Nothing changed in Alertmanager; press Silence on the alert again once it answers.`,
      );
      const alert = await hh.app.alerts.get(page.id);
      expect(alert?.silence ?? null).toBeNull();
      expect(buttonIds(hh.slack.message(page.channel, page.ts)?.blocks)).toContain("alert.silence");

      // A silence made while Alertmanager answered: Expire silence now fails, and says the silence runs on.
      const silence = {
        id: "0f0e0d0c-0000-4000-8000-000000000001",
        by: "U02AAA",
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: null,
      };
      const res2 = await hh.app.alerts.update(page.id, (a) => startSilence(a, silence, new Date(), "later"));
      expect(res2.ok).toBe(true);
      await press(hh, "alert.unsilence", page, "U02AAA");
      const kept = await ephemeralTo(hh, "U02AAA", "The silence still runs");
      expect(kept.text).toContain(`Alertmanager at http://127.0.0.1:${closed} did not answer (ECONNREFUSED)`);
      expect(kept.text).toContain("Press Expire silence again once Alertmanager answers.");
      expect((await hh.app.alerts.get(page.id))?.silence?.id).toBe(silence.id);
    } finally {
      await hh.close();
    }
  });
});
