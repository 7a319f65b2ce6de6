// The alert model: one alert is one occurrence of one Alertmanager group, handled as a whole.
// Pure: every transition takes the current alert and `now` and returns the next alert plus the
// events to record, or a refusal that says why. The store applies them atomically.

import type { IncomingGroup, IncomingInstance, InstanceStatus } from "./incoming";
import { escapeMrkdwn, listSome, MAX_REPLY_TEXT, truncate } from "./mrkdwn";

export type AlertState = "firing" | "acked" | "handed_off" | "escalated" | "remediating" | "resolved";

export interface AlertInstance {
  readonly fingerprint: string;
  readonly status: InstanceStatus;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string | null;
  readonly generatorUrl: string | null;
  readonly lastSeenAt: string;
}

/** Where routing sent the alert when it opened. */
export interface AlertRoute {
  readonly rotationId: string;
  readonly serviceId: string | null;
  /** The owning team; null when unrouted. */
  readonly teamId: string | null;
  /** True when no service matched and the fallback rotation was paged. */
  readonly unrouted: boolean;
  /** True when the owning team is ejected: the page goes to the team's own channel and members. */
  readonly ejected: boolean;
  /** Slack channel of the page. */
  readonly channel: string;
  /** Who was on call when the alert opened (null: nobody could be found). */
  readonly oncallUser: string | null;
}

export interface Alert {
  /** `<groupId>-<occurrence>`: safe in Redis keys, Slack action values and BullMQ job ids. */
  readonly id: string;
  readonly groupId: string;
  readonly occurrence: number;
  readonly previousId: string | null;
  readonly source: IncomingGroup["source"];
  readonly groupKey: string;
  /** The group's alertname; with mixed names, the first instance's. */
  readonly name: string;
  readonly title: string | null;
  readonly severity: string | null;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalUrl: string | null;
  readonly state: AlertState;
  /** Bumped by every change; timers and jobs compare it instead of trusting their own data. */
  readonly version: number;
  readonly route: AlertRoute;
  readonly assignee: string | null;
  /** Set when handed off to the owning team. */
  readonly assignedTeam: string | null;
  /** The most recent instances in full, at most the instance limit (firing ones first). */
  readonly instances: readonly AlertInstance[];
  /**
   * The instances beyond the limit, by fingerprint and status only (as Alertmanager's own
   * `truncatedAlerts` counts what it left out). Optional: alerts stored before the limit lack it.
   */
  readonly truncated?: TruncatedInstances | null;
  /** Alert names among the instances that have no runbook entry. */
  readonly missingRunbooks: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly ackedAt: string | null;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  /** Re-pages sent by the escalation timer so far. */
  readonly repages: number;
  readonly escalation: { readonly by: string; readonly reason: string; readonly at: string } | null;
  /** The answer to "was this actionable?" after resolving: the noise report's input. */
  readonly answer: { readonly actionable: boolean; readonly by: string; readonly at: string } | null;
  /**
   * Remediation runs in flight (their job ids) and the state the alert returns to when the last one
   * ends; null when none runs. Optional: alerts stored before remediation existed lack it.
   */
  readonly remediating?: RemediatingState | null;
  /**
   * The group's own labels (Alertmanager's `groupLabels`): what a silence of the whole group
   * matches. Optional: alerts stored before silences existed lack it.
   */
  readonly groupLabels?: Readonly<Record<string, string>>;
  /** The Alertmanager silence created from Slack that mutes this group now; null when none. */
  readonly silence?: AlertSilence | null;
}

/** A silence of the alert's group in Alertmanager, created with the page's Silence button. */
export interface AlertSilence {
  /** Alertmanager's silence id. */
  readonly id: string;
  /** Slack user id of whoever silenced it. */
  readonly by: string;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly comment: string | null;
}

/** Instances an alert no longer keeps in full: their fingerprints, by status. */
export interface TruncatedInstances {
  readonly firing: readonly string[];
  /** The most recently dropped last; at most TRUNCATED_CAP. */
  readonly resolved: readonly string[];
}

/** Instances an alert keeps in full unless configured otherwise (ALERT_INSTANCE_LIMIT). */
export const DEFAULT_INSTANCE_LIMIT = 50;
/**
 * Fingerprints kept per status beyond the limit, at most: the oldest are forgotten first, so one
 * alert stays bounded however much its group churns (a forgotten one that comes back is new again).
 */
export const TRUNCATED_CAP = 2_000;

export interface RemediatingState {
  readonly runs: readonly string[];
  readonly priorState: Exclude<AlertState, "remediating">;
}

export type AlertEventType =
  | "opened"
  | "instance_joined"
  | "instance_resolved"
  | "instance_refired"
  | "repeat"
  | "resolved"
  | "acked"
  | "handed_off"
  | "escalated"
  | "repaged"
  | "remediation"
  | "answered"
  | "silenced"
  | "silence_ended"
  | "delivery_failed"
  | "note";

/** One entry of an alert's timeline (its audit log). */
export interface AlertEvent {
  readonly at: string;
  readonly type: AlertEventType;
  /** Slack user id, or "alertmanager"/"bot". */
  readonly actor: string;
  /** Human text for the thread and the timeline. */
  readonly text: string;
  /** Whether the thread under the page should show it. */
  readonly thread: boolean;
}

export function alertId(groupId: string, occurrence: number): string {
  return `${groupId}-${occurrence}`;
}

export function parseAlertId(id: string): { groupId: string; occurrence: number } | null {
  const m = /^([0-9a-f]{8,64})-(\d{1,9})$/.exec(id);
  if (!m) return null;
  return { groupId: m[1]!, occurrence: Number(m[2]) };
}

export function isOpen(alert: Alert): boolean {
  return alert.state !== "resolved";
}

/** The firing instances kept in full (see `instanceCounts` for all of them). */
export function firingInstances(alert: Alert): AlertInstance[] {
  return alert.instances.filter((i) => i.status === "firing");
}

/** How many instances the alert has, firing and in all, those kept in full and the rest. */
export function instanceCounts(alert: Pick<Alert, "instances" | "truncated">): {
  firing: number;
  total: number;
  /** Of `total`, those not kept in full. */
  notKept: number;
} {
  const tf = alert.truncated?.firing.length ?? 0;
  const notKept = tf + (alert.truncated?.resolved.length ?? 0);
  const firing = alert.instances.filter((i) => i.status === "firing").length + tf;
  return { firing, total: alert.instances.length + notKept, notKept };
}

/** Most recent first: firing before resolved, then the last seen, then the last started. */
function recency(a: AlertInstance, b: AlertInstance): number {
  const firing = Number(b.status === "firing") - Number(a.status === "firing");
  return firing || b.lastSeenAt.localeCompare(a.lastSeenAt) || b.startsAt.localeCompare(a.startsAt);
}

/**
 * Keeps the `limit` most recent of `all` in full (in their order) and moves the rest into the
 * fingerprint lists, each list capped at TRUNCATED_CAP (the oldest forgotten).
 */
export function boundInstances(
  all: readonly AlertInstance[],
  earlier: TruncatedInstances,
  limit: number,
): { instances: AlertInstance[]; truncated: TruncatedInstances | null } {
  const keep = new Set([...all].sort(recency).slice(0, Math.max(1, limit)));
  const firing = [...earlier.firing];
  const resolved = [...earlier.resolved];
  for (const i of all) if (!keep.has(i)) (i.status === "firing" ? firing : resolved).push(i.fingerprint);
  const truncated =
    firing.length || resolved.length
      ? { firing: firing.slice(-TRUNCATED_CAP), resolved: resolved.slice(-TRUNCATED_CAP) }
      : null;
  return { instances: all.filter((i) => keep.has(i)), truncated };
}

/** Every alert name in the group, in instance order. */
export function alertNames(alert: Pick<Alert, "instances" | "name">): string[] {
  const names = new Set<string>();
  for (const i of alert.instances) names.add(i.labels.alertname ?? alert.name);
  if (names.size === 0) names.add(alert.name);
  return [...names];
}

function toInstance(i: IncomingInstance, now: Date): AlertInstance {
  return {
    fingerprint: i.fingerprint,
    status: i.status,
    labels: i.labels,
    annotations: i.annotations,
    startsAt: i.startsAt,
    endsAt: i.endsAt,
    generatorUrl: i.generatorUrl,
    lastSeenAt: now.toISOString(),
  };
}

function groupName(group: IncomingGroup): string {
  return group.commonLabels.alertname ?? group.instances[0]?.labels.alertname ?? "alert";
}

export interface OpenAlertInput {
  readonly group: IncomingGroup;
  readonly occurrence: number;
  readonly previousId: string | null;
  readonly route: AlertRoute;
  readonly hasRunbook: (alertName: string) => boolean;
  readonly now: Date;
  /** Instances kept in full; DEFAULT_INSTANCE_LIMIT when absent. */
  readonly instanceLimit?: number;
}

/** A new occurrence of a group: the page to send. */
export function openAlert(input: OpenAlertInput): { alert: Alert; events: AlertEvent[] } {
  const { group, now, route } = input;
  const at = now.toISOString();
  const all = group.instances.map((i) => toInstance(i, now));
  const name = groupName(group);
  const missingRunbooks = alertNames({ name, instances: all }).filter((n) => !input.hasRunbook(n));
  const { instances, truncated } = boundInstances(
    all,
    { firing: [], resolved: [] },
    input.instanceLimit ?? DEFAULT_INSTANCE_LIMIT,
  );
  const alert: Alert = {
    id: alertId(group.groupId, input.occurrence),
    groupId: group.groupId,
    occurrence: input.occurrence,
    previousId: input.previousId,
    source: group.source,
    groupKey: group.groupKey,
    name,
    title: group.title,
    severity: group.commonLabels.severity ?? null,
    commonLabels: group.commonLabels,
    commonAnnotations: group.commonAnnotations,
    externalUrl: group.externalUrl,
    state: "firing",
    version: 1,
    route,
    assignee: null,
    assignedTeam: null,
    instances,
    truncated,
    missingRunbooks,
    groupLabels: group.groupLabels,
    createdAt: at,
    updatedAt: at,
    ackedAt: null,
    resolvedAt: null,
    resolvedBy: null,
    repages: 0,
    escalation: null,
    answer: null,
    remediating: null,
  };
  const firing = all.filter((i) => i.status === "firing").length;
  const events: AlertEvent[] = [
    {
      at,
      type: "opened",
      actor: group.source,
      text: `Paged ${route.oncallUser ? `<@${route.oncallUser}>` : "nobody (no one on call)"}: ${firing} of ${all.length} instances firing${route.unrouted ? " (unrouted: no service matched)" : ""}`,
      thread: false,
    },
  ];
  return { alert, events };
}

export type NotificationOutcome =
  | { readonly kind: "open"; readonly previous: Alert | null }
  | { readonly kind: "update"; readonly alert: Alert; readonly events: AlertEvent[] }
  | { readonly kind: "ignore"; readonly reason: string };

/** How much of one instance's name a timeline text shows. */
const MAX_INSTANCE_NAME = 200;

/**
 * An instance's name for people: its `instance`, `pod` or `host` label, else its fingerprint, cut
 * to MAX_INSTANCE_NAME (a 45,000-character label would make Slack refuse the message with
 * msg_too_long). Raw text: escape it where it is rendered.
 */
export function instanceName(i: Pick<AlertInstance, "labels" | "fingerprint">): string {
  return truncate(i.labels.instance ?? i.labels.pod ?? i.labels.host ?? i.fingerprint, MAX_INSTANCE_NAME);
}

function describeInstance(i: Pick<AlertInstance, "labels" | "fingerprint">): string {
  // Label values come from outside; in a thread reply "<!channel>" would ping everyone.
  return escapeMrkdwn(instanceName(i));
}

/** "Joined: a, b and 3 more", cut to a thread reply's length. */
function instanceList(lead: string, names: readonly string[]): string {
  return truncate(`${lead}: ${listSome(names)}`, MAX_REPLY_TEXT);
}

/**
 * What a notification for a group does given the group's latest alert: update it in place while it
 * is open, open a new occurrence when it fires again after resolving, or nothing.
 */
export function applyNotification(
  latest: Alert | null,
  group: IncomingGroup,
  now: Date,
  hasRunbook: (alertName: string) => boolean = () => true,
  instanceLimit: number = DEFAULT_INSTANCE_LIMIT,
): NotificationOutcome {
  const anyFiring = group.instances.some((i) => i.status === "firing");
  if (!latest || !isOpen(latest)) {
    if (!anyFiring) return { kind: "ignore", reason: "resolved notification for a group with no open alert" };
    return { kind: "open", previous: latest };
  }
  const at = now.toISOString();
  const byFp = new Map(latest.instances.map((i) => [i.fingerprint, i]));
  // Instances beyond the limit are known by fingerprint and status only.
  const truncFiring = new Set(latest.truncated?.firing ?? []);
  const truncResolved = new Set(latest.truncated?.resolved ?? []);
  const events: AlertEvent[] = [];
  const joined: string[] = [];
  const resolved: string[] = [];
  const refired: string[] = [];
  let repeats = 0;
  for (const inc of group.instances) {
    const fp = inc.fingerprint;
    const prev =
      byFp.get(fp)?.status ?? (truncFiring.has(fp) ? "firing" : truncResolved.has(fp) ? "resolved" : null);
    const next = toInstance(inc, now);
    if (!prev) {
      joined.push(describeInstance(inc));
    } else if (prev === "firing" && inc.status === "resolved") {
      resolved.push(describeInstance(inc));
    } else if (prev === "resolved" && inc.status === "firing") {
      refired.push(describeInstance(inc));
    } else if (inc.status === "firing") {
      repeats++;
    }
    truncFiring.delete(fp);
    truncResolved.delete(fp);
    byFp.set(fp, next);
  }
  const merged = [...byFp.values()];
  const { instances, truncated } = boundInstances(
    merged,
    { firing: [...truncFiring], resolved: [...truncResolved] },
    instanceLimit,
  );
  const counts = instanceCounts({ instances, truncated });
  const source = group.source;
  if (joined.length) {
    events.push({
      at,
      type: "instance_joined",
      actor: source,
      text: instanceList("Joined", joined),
      thread: true,
    });
  }
  if (refired.length) {
    events.push({
      at,
      type: "instance_refired",
      actor: source,
      text: instanceList("Firing again", refired),
      thread: true,
    });
  }
  if (resolved.length) {
    events.push({
      at,
      type: "instance_resolved",
      actor: source,
      text: instanceList("Resolved", resolved),
      thread: true,
    });
  }
  const stillFiring = counts.firing;
  const allResolved = stillFiring === 0;
  if (allResolved) {
    events.push({
      at,
      type: "resolved",
      actor: source,
      text: `Resolved: all ${counts.total} instances have resolved`,
      thread: true,
    });
  } else if (!events.length && repeats > 0) {
    events.push({
      at,
      type: "repeat",
      actor: source,
      text: `Still firing: ${stillFiring} of ${counts.total} instances`,
      thread: true,
    });
  }
  const missing = new Set(latest.missingRunbooks);
  for (const n of alertNames({ name: latest.name, instances: merged })) if (!hasRunbook(n)) missing.add(n);
  const alert: Alert = {
    ...latest,
    instances,
    truncated,
    missingRunbooks: [...missing],
    state: allResolved ? "resolved" : latest.state,
    version: latest.version + 1,
    updatedAt: at,
    resolvedAt: allResolved ? at : latest.resolvedAt,
    resolvedBy: allResolved ? source : latest.resolvedBy,
  };
  return { kind: "update", alert, events };
}

/** A change to an alert: `previous` is null when the alert was just opened. */
export interface AlertChange {
  readonly alert: Alert;
  readonly previous: Alert | null;
  readonly events: readonly AlertEvent[];
}
