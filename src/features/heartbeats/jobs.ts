// Pings in, misses out. A ping (HTTP or a heartbeat's always-firing alert) is recorded and ends an
// outage at once; the check, a repeating job on the schedule queue, pages misses. A missed
// heartbeat is an alert group like any webhook's (group key `heartbeat:<name>`), received through
// the same intake as `/oncall page`, so its page, buttons and timers are those of every alert.
//
// Exactly one page per outage: the outage is claimed in Redis with a script that also checks no ping
// came in meanwhile, and the alert store keeps one open alert per group, so replicas racing (or a
// checker retried after a crash) update the page instead of opening another.

import type { AlertRoute } from "../../core/alert";
import type { Heartbeat, OncallConfig } from "../../core/config";
import type { RoutingState } from "../../core/routing";
import type { Runtime } from "../../runtime";
import { singleInstanceGroup } from "../paging/intake/group";
import { type ManualTarget, manualRoute } from "../paging/intake/manual";
import { receiveGroup } from "../paging/intake/receive";
import type { IncomingGroup } from "../paging/intake/types";
import {
  HEARTBEAT_ALERT_NAME,
  type HeartbeatStatus,
  heartbeatStatus,
  missedDescription,
  missedSummary,
} from "./rules";
import type { HeartbeatStore } from "./store";

export const HEARTBEAT_CHECK_JOB = "heartbeat-check";
export const HEARTBEAT_SCHEDULER_ID = "heartbeat-check";
export const DEFAULT_CHECK_EVERY_MS = 5_000;

function target(config: OncallConfig, hb: Heartbeat): ManualTarget {
  if (hb.target.kind === "rotation") {
    const rotation = config.rotations.find((r) => r.id === hb.target.id);
    if (rotation) return { kind: "rotation", rotation };
  } else {
    const team = config.teams.find((t) => t.id === hb.target.id);
    if (team) return { kind: "team", team };
  }
  // The config check refuses unknown targets; a config built by hand lands here.
  throw new Error(`heartbeat ${hb.name}: ${hb.target.kind} ${hb.target.id} is not configured`);
}

/** The heartbeat's alert group: firing while it is missed, resolved when pings are back. */
export function heartbeatGroup(
  hb: Heartbeat,
  status: "firing" | "resolved",
  text: { readonly summary: string; readonly description: string },
  at: Date,
): IncomingGroup {
  const labels: Record<string, string> = {
    alertname: HEARTBEAT_ALERT_NAME,
    heartbeat: hb.name,
    severity: "page",
    // The page lists instances by this label.
    instance: `heartbeat ${hb.name}`,
    [hb.target.kind]: hb.target.id,
  };
  const annotations = { summary: text.summary, description: text.description };
  return singleInstanceGroup({
    source: "heartbeat",
    groupKey: `heartbeat:${hb.name}`,
    status,
    groupLabels: { heartbeat: hb.name },
    labels,
    annotations,
    at,
  });
}

async function send(rt: Runtime, hb: Heartbeat, group: IncomingGroup): Promise<void> {
  const to = target(rt.config, hb);
  await receiveGroup(group, rt, {
    route: (now: Date, state: RoutingState): AlertRoute => manualRoute(rt.config, to, now, state),
  });
}

async function resolve(rt: Runtime, store: HeartbeatStore, hb: Heartbeat): Promise<void> {
  const now = rt.now();
  const text = {
    summary: `${HEARTBEAT_ALERT_NAME}: ${hb.name}, pinging again`,
    description: missedDescription(hb),
  };
  await send(rt, hb, heartbeatGroup(hb, "resolved", text, now));
  await store.endOutage(hb.name);
  rt.log.info({ heartbeat: hb.name }, "heartbeat back: page resolved");
}

/** Records a ping; ends the heartbeat's outage (resolving its page) if it was missed. */
export async function recordPing(rt: Runtime, store: HeartbeatStore, hb: Heartbeat): Promise<void> {
  const now = rt.now().getTime();
  await store.ping(hb.name, now);
  rt.metrics.heartbeatSincePing.set({ heartbeat: hb.name }, 0);
  if ((await store.get(hb.name)).outage !== null) await resolve(rt, store, hb);
}

export type CheckOutcome =
  | { readonly kind: "ok" | "starting" }
  | { readonly kind: "paged" | "already-paged" | "ended-meanwhile" | "back" }
  | { readonly kind: "stale" };

/** Checks one heartbeat: pages a new miss once, resolves the page of one that pings again. */
export async function checkHeartbeat(
  rt: Runtime,
  store: HeartbeatStore,
  hb: Heartbeat,
  startedAt: number,
): Promise<CheckOutcome> {
  const now = rt.now();
  const record = await store.get(hb.name);
  if (record.lastPingAt !== null) {
    rt.metrics.heartbeatSincePing.set({ heartbeat: hb.name }, (now.getTime() - record.lastPingAt) / 1000);
  }
  const status: HeartbeatStatus = heartbeatStatus(hb, record.lastPingAt, startedAt, now.getTime());
  if (status.kind === "ok") {
    // A ping that recorded itself but failed to resolve (Redis blinked) is finished here.
    if (record.outage === null) return { kind: "ok" };
    await resolve(rt, store, hb);
    return { kind: "back" };
  }
  // While the bot itself is new, an outage it paged before stays open: only a ping ends it.
  if (status.kind === "starting") return { kind: "starting" };
  const { claim, outage } = await store.claimMiss(hb.name, status.lastPingAt);
  if (claim === "stale") return { kind: "stale" };
  if (claim === "paged") return { kind: "already-paged" };
  const text = {
    summary: missedSummary(hb, status.lastPingAt, now.getTime()),
    description: missedDescription(hb),
  };
  await send(rt, hb, heartbeatGroup(hb, "firing", text, new Date(status.since)));
  if (!(await store.markPaged(hb.name, outage))) {
    // A ping ended the outage while its page was being stored; that ping found no page to resolve.
    await resolve(rt, store, hb);
    return { kind: "ended-meanwhile" };
  }
  rt.log.warn(
    { heartbeat: hb.name, lastPingAt: status.lastPingAt, since: status.since },
    "heartbeat missed: paged",
  );
  return { kind: "paged" };
}

/** One check of every heartbeat. */
export async function checkHeartbeats(
  rt: Runtime,
  store: HeartbeatStore,
): Promise<Record<string, CheckOutcome>> {
  const startedAt = await store.startedAt(rt.now().getTime());
  const out: Record<string, CheckOutcome> = {};
  for (const hb of rt.config.heartbeats) out[hb.name] = await checkHeartbeat(rt, store, hb, startedAt);
  return out;
}

/** The check's repeating job scheduler; removed when no heartbeat is configured. */
export async function scheduleHeartbeatCheck(rt: Runtime, everyMs: number): Promise<void> {
  const queue = rt.queues.schedule;
  if (rt.config.heartbeats.length === 0) {
    await queue.removeJobScheduler(HEARTBEAT_SCHEDULER_ID);
    return;
  }
  await queue.upsertJobScheduler(
    HEARTBEAT_SCHEDULER_ID,
    { every: everyMs },
    {
      name: HEARTBEAT_CHECK_JOB,
      data: {},
      opts: { removeOnComplete: { count: 20 }, removeOnFail: { count: 100 } },
    },
  );
}
