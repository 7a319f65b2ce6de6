// Shared steps of the button, escalation and timer suites: page an alert, press its buttons as a
// given user, and read back what Slack shows.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Alert } from "../../src/core/alert";
import { eventually, type Harness, ORG_DIR } from "../support/harness";
import { blockActionsBody, newTriggerId } from "../support/slack-requests";

const FIXTURES = new URL("../fixtures/payloads/", import.meta.url);

export function firingPayload(job = "stream-api"): Record<string, unknown> {
  const p = JSON.parse(readFileSync(new URL("alertmanager-v4-firing.json", FIXTURES), "utf8"));
  if (job !== "stream-api") {
    p.groupKey = `{}:{alertname="HighErrorRate", job="${job}"}`;
    p.commonLabels = { ...p.commonLabels, job };
    p.groupLabels = { ...p.groupLabels, job };
    p.alerts = p.alerts.map((a: { labels: Record<string, string> }) => ({
      ...a,
      labels: { ...a.labels, job },
    }));
  }
  return p;
}

export function resolvedPayload(payload: Record<string, unknown>): Record<string, unknown> {
  return {
    ...payload,
    status: "resolved",
    alerts: (payload.alerts as Record<string, unknown>[]).map((a) => ({
      ...a,
      status: "resolved",
      endsAt: "2026-11-25T10:05:00Z",
    })),
  };
}

export interface PagedAlert {
  readonly id: string;
  /** The page's channel and ts. */
  readonly channel: string;
  readonly ts: string;
}

/** Sends a firing notification and waits until its page is in Slack. */
export async function pageAlert(h: Harness, payload = firingPayload()): Promise<PagedAlert> {
  const res = await h.webhook("/webhooks/alertmanager", payload);
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  const id = ((await res.json()) as { alert: { id: string } }).alert.id;
  const page = await eventually(
    async () => {
      const d = await h.app.delivery.get(id);
      return d.ts && d.channel ? { channel: d.channel, ts: d.ts } : undefined;
    },
    8_000,
    "page posted",
  );
  return { id, ...page };
}

export interface PressOptions {
  readonly channel?: string;
  readonly ts?: string;
  readonly triggerId?: string;
  /** The pressed message's thread, when the button sits on a reply. */
  readonly threadTs?: string;
}

/** The block_actions body of `user` pressing a button on the page (or on another message). */
export function pressBody(actionId: string, page: PagedAlert, user: string, opts: PressOptions = {}): string {
  return blockActionsBody({
    actionId,
    value: page.id,
    userId: user,
    channelId: opts.channel ?? page.channel,
    messageTs: opts.ts ?? page.ts,
    triggerId: opts.triggerId ?? newTriggerId(),
    ...(opts.threadTs ? { message: { thread_ts: opts.threadTs } } : {}),
  });
}

/** Presses a button on the page (or on another message) as `user`. */
export async function press(
  h: Harness,
  actionId: string,
  page: PagedAlert,
  user: string,
  opts: PressOptions = {},
): Promise<{ status: number; body: string }> {
  return h.slackPost(pressBody(actionId, page, user, opts));
}

export async function stored(h: Harness, id: string): Promise<Alert> {
  const a = await h.app.alerts.get(id);
  if (!a) throw new Error(`alert ${id} not stored`);
  return a;
}

/** Waits for an ephemeral to `user` containing `text`. */
export function ephemeralTo(h: Harness, user: string, text: string) {
  return eventually(
    () => h.slack.ephemerals(undefined, user).find((e) => e.text.includes(text)),
    8_000,
    `ephemeral to ${user} containing "${text}"`,
  );
}

/** Thread replies under the page, as text. */
export function threadTexts(h: Harness, page: PagedAlert): string[] {
  return h.slack.thread(page.channel, page.ts).map((m) => m.text);
}

/** Top-level messages the bot posted to a user's DM. */
export function dmsTo(h: Harness, user: string) {
  return h.slack.messages(h.slack.dmChannel(user));
}

/** The action ids of every button in some blocks. */
export function buttonIds(blocks: readonly unknown[] | null | undefined): string[] {
  return (
    JSON.stringify(blocks ?? [])
      .match(/"action_id":"[^"]+"/g)
      ?.map((m) => m.slice(13, -1)) ?? []
  );
}

/** A copy of the test org with another `escalation:` line in the merged rotation; remove() when done. */
export function orgWithEscalation(escalation: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "oncall-org-"));
  cpSync(ORG_DIR, dir, { recursive: true });
  const file = join(dir, "schedules", "rotations", "merged.yaml");
  const yaml = readFileSync(file, "utf8").replace(/^escalation:.*$/m, `escalation: ${escalation}`);
  writeFileSync(file, yaml);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
