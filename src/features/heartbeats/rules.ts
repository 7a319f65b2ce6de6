// When a heartbeat counts as missed. Pure: the last ping, when the bot started watching and now
// are passed in (ms since the epoch).

import type { Heartbeat } from "../../core/config";
import { formatDuration } from "../../core/duration";

/** The alert name of every missed-heartbeat page (its runbook entry, if any, is found by it). */
export const HEARTBEAT_ALERT_NAME = "HeartbeatMissed";

export type HeartbeatStatus =
  /** Pinged within its interval and grace; `dueBy` is the last moment the next ping may come. */
  | { readonly kind: "ok"; readonly lastPingAt: number; readonly dueBy: number }
  /**
   * No ping in time, but the bot itself started too recently to tell: pings sent while it was down
   * were lost, so senders get one interval (and grace) after start-up to reach it.
   */
  | { readonly kind: "starting"; readonly lastPingAt: number | null; readonly dueBy: number }
  /** Missed: nothing arrived by `since`. */
  | { readonly kind: "missed"; readonly lastPingAt: number | null; readonly since: number };

/**
 * The heartbeat's status at `now`. `startedAt` is when the bot (the latest replica to start) began
 * watching: the later of it and the last ping is where the interval counts from.
 */
export function heartbeatStatus(
  hb: Heartbeat,
  lastPingAt: number | null,
  startedAt: number,
  now: number,
): HeartbeatStatus {
  const allowance = hb.intervalMs + hb.graceMs;
  if (lastPingAt !== null && now <= lastPingAt + allowance) {
    return { kind: "ok", lastPingAt, dueBy: lastPingAt + allowance };
  }
  const from = Math.max(lastPingAt ?? startedAt, startedAt);
  if (now <= from + allowance) return { kind: "starting", lastPingAt, dueBy: from + allowance };
  return { kind: "missed", lastPingAt, since: from + allowance };
}

/** "last ping 12m ago", or "no ping yet" for a heartbeat that never pinged. */
export function lastPingText(lastPingAt: number | null, now: number): string {
  return lastPingAt === null ? "no ping yet" : `last ping ${formatDuration(now - lastPingAt)} ago`;
}

/** The page's title: "HeartbeatMissed: prometheus-prod, last ping 12m ago". */
export function missedSummary(hb: Heartbeat, lastPingAt: number | null, now: number): string {
  return `${HEARTBEAT_ALERT_NAME}: ${hb.name}, ${lastPingText(lastPingAt, now)}`;
}

/** The alert's description: what the heartbeat promises and what its silence means. */
export function missedDescription(hb: Heartbeat): string {
  const every = formatDuration(hb.intervalMs);
  const grace = hb.graceMs > 0 ? ` plus ${formatDuration(hb.graceMs)} grace` : "";
  const via = hb.alertname ? ` (or its always-firing alert ${hb.alertname})` : "";
  return [
    `Heartbeat ${hb.name} must ping at least every ${every}${grace}${via}, and it stopped.`,
    "Whatever sends it (Prometheus, Alertmanager, a cron job) may be down or unable to reach the bot, so alerts it should send may not arrive either.",
    `Check that sender and its route to the bot first; the page resolves itself on the next ping.`,
  ].join(" ");
}

/** Which configured heartbeat an alert with this name pings; null when it pings none. */
export function heartbeatOfAlert(
  heartbeats: readonly Heartbeat[],
  alertname: string | undefined,
): Heartbeat | null {
  if (!alertname) return null;
  return heartbeats.find((h) => h.alertname === alertname) ?? null;
}
