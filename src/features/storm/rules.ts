// When a channel's new pages become a storm, and what a storm's digest counts. Pure.
//
// Slack posts about one message per second per channel (a short burst allowed). When new alerts
// for a channel come faster than that, one page each only queues up behind the channel's bucket:
// the pages arrive minutes late and bury each other. So past a burst within a short window, the
// channel's further new alerts fold into one storm message instead, updated in place, until every
// alert in it has resolved. The store (`admit-storm-alert-4.lua`) applies `admission` atomically.

import type { Alert } from "../../core/alert";
import { awaitingAck } from "../../core/alert-actions";

export interface StormSettings {
  /** More than this many new pages for one channel within `windowMs` open a storm. */
  readonly threshold: number;
  readonly windowMs: number;
  /** Entries the digest lists by alert name and by service before summing the rest. */
  readonly top: number;
  /** The digest is rewritten at most this often (changes in between coalesce into one update). */
  readonly digestEveryMs: number;
}

export const DEFAULT_STORM: StormSettings = { threshold: 4, windowMs: 5_000, top: 5, digestEveryMs: 3_000 };

export type Admission = "fold" | "open" | "page";

/**
 * What happens to a channel's new alert: into the open storm (`fold`), the first of a new storm
 * (`open`: the `recent` new alerts, this one included, are more than the threshold), or a page.
 */
export function admission(
  openStorm: boolean,
  recent: number,
  s: Pick<StormSettings, "threshold">,
): Admission {
  if (openStorm) return "fold";
  return recent > s.threshold ? "open" : "page";
}

export type StormAlertState = "firing" | "acknowledged" | "resolved";

/** How the digest counts an alert: taken by anyone (acknowledged, handed off, escalated) is not firing. */
export function stormState(alert: Pick<Alert, "state" | "assignee" | "assignedTeam">): StormAlertState {
  if (alert.state === "resolved") return "resolved";
  return awaitingAck(alert) ? "firing" : "acknowledged";
}

export interface TopEntry {
  readonly key: string;
  readonly count: number;
}

export interface Top {
  readonly entries: readonly TopEntry[];
  /** Entries beyond the top: how many different keys, and how many alerts they hold. */
  readonly otherKeys: number;
  readonly otherCount: number;
}

/** The `n` largest counts (ties by key, so the digest does not reshuffle), the rest summed. */
export function topN(keys: readonly string[], n: number): Top {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const entries = sorted.slice(0, Math.max(0, n)).map(([key, count]) => ({ key, count }));
  const rest = sorted.slice(entries.length);
  return { entries, otherKeys: rest.length, otherCount: rest.reduce((sum, [, c]) => sum + c, 0) };
}

/** The service an alert counts under in a digest; unrouted alerts under "(no service)". */
export const NO_SERVICE = "(no service)";

export interface StormSummary {
  readonly alerts: number;
  readonly firing: number;
  readonly acknowledged: number;
  readonly resolved: number;
  readonly byName: Top;
  readonly byService: Top;
  /** Every alert in it has resolved. */
  readonly closed: boolean;
}

export type SummaryAlert = Pick<Alert, "name" | "state" | "assignee" | "assignedTeam" | "route">;

export function summarise(alerts: readonly SummaryAlert[], top: number): StormSummary {
  const states = alerts.map(stormState);
  const count = (s: StormAlertState) => states.filter((x) => x === s).length;
  const resolved = count("resolved");
  return {
    alerts: alerts.length,
    firing: count("firing"),
    acknowledged: count("acknowledged"),
    resolved,
    byName: topN(
      alerts.map((a) => a.name),
      top,
    ),
    byService: topN(
      alerts.map((a) => a.route.serviceId ?? NO_SERVICE),
      top,
    ),
    closed: alerts.length > 0 && resolved === alerts.length,
  };
}

/** One page of a list (0-based), for the Show alerts modal. */
export interface ListPage<T> {
  readonly items: readonly T[];
  readonly page: number;
  readonly pages: number;
}

export function pageOf<T>(items: readonly T[], page: number, perPage: number): ListPage<T> {
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  return { items: items.slice(p * perPage, (p + 1) * perPage), page: p, pages };
}

/** Which escalation messages a storm sends once, whatever number of its alerts reach that step. */
export function stormRepageName(step: number): string {
  return `repage:${step}`;
}

export function stormBroadcastName(teamId: string): string {
  return `broadcast:${teamId}`;
}
