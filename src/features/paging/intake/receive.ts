// Receiving an alert group: route it, store it durably, then hand delivery to the queue. Used by the
// webhooks and by `/oncall page`, so every page takes the same path.

import type { Alert, AlertChange, AlertRoute } from "../../../core/alert";
import type { OncallConfig } from "../../../core/config";
import { type RoutingState, routeAlert } from "../../../core/routing";
import type { Logger } from "../../../platform/log";
import type { Metrics } from "../../../platform/metrics";
import type { RotationStateStore } from "../../rotation/store";
import type { AlertStore, IngestResult } from "../alert-store";
import type { IncomingGroup } from "./types";

/**
 * Runs before a group is stored: returns the group to store, with what is no alert taken out (a
 * heartbeat's always-firing alert is a ping), or null when nothing of it is an alert.
 */
export type IntakeFilter = (group: IncomingGroup) => Promise<IncomingGroup | null>;

export interface ReceiverDeps {
  readonly config: OncallConfig;
  readonly alerts: AlertStore;
  readonly rotationState: RotationStateStore;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Runs the change hooks (delivery, timers, remediation) after the alert is stored. */
  readonly alertChanged: (change: AlertChange) => Promise<void>;
  readonly now: () => Date;
  readonly intakeFilters?: readonly IntakeFilter[];
  /** Waits for a Redis replica to hold the writes (Runtime.awaitReplicas); rejects when none did. */
  readonly awaitReplicas?: () => Promise<void>;
}

export interface ReceiveOptions {
  /** Routes to a named target instead of by labels (`/oncall page` names its rotation or team). */
  readonly route?: (now: Date, state: RoutingState) => AlertRoute;
  /** A page typed by a person carries its own context, so it needs no runbook entry. */
  readonly runbookRequired?: boolean;
}

export async function receiveGroup(
  incoming: IncomingGroup,
  deps: ReceiverDeps,
  opts: ReceiveOptions = {},
): Promise<IngestResult> {
  let group = incoming;
  for (const filter of deps.intakeFilters ?? []) {
    const kept = await filter(group);
    if (kept === null) return { kind: "ignored", reason: "not an alert (a heartbeat ping)", alert: null };
    group = kept;
  }
  const now = deps.now();
  const routeOf =
    opts.route ?? ((at: Date, state: RoutingState) => routeAlert(deps.config, group.commonLabels, at, state));
  const result = await deps.alerts.ingest(group, now, {
    route: async () => routeOf(now, await deps.rotationState.routingState()),
    hasRunbook: (name) => opts.runbookRequired === false || name in deps.config.runbooks,
  });
  deps.metrics.alertsReceived.inc({ source: group.source, status: group.status });
  logResult(deps.log, group, result);
  if (result.kind === "opened")
    await deps.alertChanged({ alert: result.alert, previous: null, events: result.events });
  if (result.kind === "updated") {
    await deps.alertChanged({ alert: result.alert, previous: result.previous, events: result.events });
  }
  if (result.kind === "ignored" && result.alert) {
    // A resolve that was stored but answered 503 (a hook failed after the commit) comes back as a
    // retry that changes nothing; its hooks may never have run, so the page would stay firing.
    // Hooks are idempotent: run them again for the stored alert with the events of its last change.
    const alert = result.alert;
    const events = (await deps.alerts.events(alert.id)).filter((e) => e.at === alert.updatedAt);
    await deps.alertChanged({ alert, previous: alert, events });
  }
  // Last: the alert and the jobs its hooks added are on a replica before the caller answers 2xx.
  await deps.awaitReplicas?.();
  return result;
}

function logResult(log: Logger, group: IncomingGroup, result: IngestResult) {
  const alert: Alert | null = result.alert;
  log.info(
    {
      groupId: group.groupId,
      source: group.source,
      outcome: result.kind,
      alertId: alert?.id,
      state: alert?.state,
      rotation: alert?.route.rotationId,
      unrouted: alert?.route.unrouted,
    },
    "alert notification",
  );
}
