// Alerts in Redis. Every change is a compare-and-set in one Lua script (commit-alert-9.lua: group
// pointer, alert version, indexes and timeline together), so several bot replicas can update the
// same alert safely: the loser of a race re-reads and re-applies its pure transition.
// State stays bounded: a resolved alert, its timeline, Slack bookkeeping and group pointer expire
// after the retention period (set by the same script), while a compact digest of each resolved
// occurrence, kept per creation day for longer, answers the noise and load reports.

import type { Redis } from "ioredis";
import {
  type Alert,
  type AlertEvent,
  type AlertRoute,
  applyNotification,
  isOpen,
  openAlert,
  parseAlertId,
} from "../../core/alert";
import type { Transition } from "../../core/alert-actions";
import { alertOutcome, fromOutcomeDigest, type OutcomeDigest, outcomeDigest } from "../../core/outcome";
import { DAY_MS } from "../../core/tz";
import { commitAlert } from "../../platform/redis/scripts";
import { DocumentStore, LOST_RACE, retryOnConflict } from "../../platform/redis/store";
import type { IncomingGroup } from "./intake/types";

export type IngestResult =
  | { readonly kind: "opened"; readonly alert: Alert; readonly events: readonly AlertEvent[] }
  | {
      readonly kind: "updated";
      readonly alert: Alert;
      readonly previous: Alert;
      readonly events: readonly AlertEvent[];
    }
  | { readonly kind: "ignored"; readonly reason: string; readonly alert: Alert | null };

export type UpdateResult =
  | {
      readonly ok: true;
      readonly alert: Alert;
      readonly before: Alert;
      readonly events: readonly AlertEvent[];
    }
  | { readonly ok: false; readonly reason: string; readonly alert: Alert | null };

/** Days a resolved alert is kept unless configured otherwise (ALERT_RETENTION_DAYS). */
export const DEFAULT_RETENTION_DAYS = 90;
/** Days a day's report digests are kept unless configured otherwise (ALERT_REPORT_RETENTION_DAYS). */
export const DEFAULT_REPORT_RETENTION_DAYS = 400;

export interface AlertStoreOptions {
  /** Instances an alert keeps in full; DEFAULT_INSTANCE_LIMIT when absent. */
  readonly instanceLimit?: number;
  /** Seconds a resolved alert and its keys live (0: forever); DEFAULT_RETENTION_DAYS when absent. */
  readonly retentionSeconds?: number;
  /** Seconds, from the start of its day, a report digest lives; DEFAULT_REPORT_RETENTION_DAYS when absent. */
  readonly reportRetentionSeconds?: number;
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export class AlertStore extends DocumentStore<Alert> {
  readonly instanceLimit: number | undefined;
  readonly retentionSeconds: number;
  readonly reportRetentionSeconds: number;

  constructor(redis: Redis, prefix: string, options: AlertStoreOptions = {}) {
    super(redis, prefix);
    this.instanceLimit = options.instanceLimit;
    this.retentionSeconds = options.retentionSeconds ?? DEFAULT_RETENTION_DAYS * 86_400;
    this.reportRetentionSeconds = options.reportRetentionSeconds ?? DEFAULT_REPORT_RETENTION_DAYS * 86_400;
  }

  protected documentKey(id: string): string {
    return this.keys.alert(id);
  }

  async latestOfGroup(groupId: string): Promise<Alert | null> {
    const latest = await this.redis.hget(this.keys.group(groupId), "latest");
    return latest ? this.get(`${groupId}-${latest}`) : null;
  }

  async events(id: string): Promise<AlertEvent[]> {
    const raw = await this.redis.lrange(this.keys.events(id), 0, -1);
    return raw.map((e) => JSON.parse(e) as AlertEvent);
  }

  async openIds(scope: { rotationId: string } | { teamId: string | null }): Promise<string[]> {
    const key =
      "rotationId" in scope ? this.keys.openByRotation(scope.rotationId) : this.keys.openByTeam(scope.teamId);
    return (await this.redis.smembers(key)).sort();
  }

  async openAlerts(scope: { rotationId: string } | { teamId: string | null }): Promise<Alert[]> {
    return this.getMany(await this.openIds(scope));
  }

  /**
   * Ids of open alerts created in [from, to) (and of resolved ones stored before digests existed):
   * a resolved alert leaves the index, its digest stands in for it.
   */
  async idsCreatedBetween(from: Date, to: Date): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.alertsByTime(), from.getTime(), `(${to.getTime()}`);
  }

  /** The report digests of resolved alerts created in [from, to), read from each day's hash. */
  async digestsCreatedBetween(from: Date, to: Date): Promise<OutcomeDigest[]> {
    if (to.getTime() <= from.getTime()) return [];
    const days: string[] = [];
    for (let d = Date.parse(utcDay(from.getTime())); d < to.getTime(); d += DAY_MS) days.push(utcDay(d));
    const pipe = this.redis.pipeline();
    for (const day of days) pipe.hvals(this.keys.alertDigests(day));
    const res = (await pipe.exec()) ?? [];
    const out: OutcomeDigest[] = [];
    for (const [, values] of res) {
      for (const raw of Array.isArray(values) ? values : []) {
        const d = fromOutcomeDigest(String(raw));
        const t = d ? Date.parse(d.occurrence.alert.createdAt) : Number.NaN;
        if (d && t >= from.getTime() && t < to.getTime()) out.push(d);
      }
    }
    return out;
  }

  /**
   * Applies a webhook notification for a group: updates the open alert, or opens a new occurrence
   * (routing it with `route`), atomically. Returns what happened.
   */
  async ingest(
    group: IncomingGroup,
    now: Date,
    deps: { route: (group: IncomingGroup) => Promise<AlertRoute>; hasRunbook: (name: string) => boolean },
  ): Promise<IngestResult> {
    let route: AlertRoute | null = null;
    return retryOnConflict("alert", group.groupId, async () => {
      const groupKey = this.keys.group(group.groupId);
      const latestOcc = await this.redis.hget(groupKey, "latest");
      const latest = latestOcc ? await this.get(`${group.groupId}-${latestOcc}`) : null;
      const outcome = applyNotification(latest, group, now, deps.hasRunbook, this.instanceLimit);
      if (outcome.kind === "ignore") return { kind: "ignored", reason: outcome.reason, alert: latest };
      if (outcome.kind === "update") {
        if (!(await this.commit(outcome.alert, latest!.version, latestOcc ?? "", outcome.events)))
          return LOST_RACE;
        return { kind: "updated", alert: outcome.alert, previous: latest!, events: outcome.events };
      }
      route ??= await deps.route(group);
      const occurrence = (latest?.occurrence ?? 0) + 1;
      const opened = openAlert({
        group,
        occurrence,
        previousId: latest?.id ?? null,
        route,
        hasRunbook: deps.hasRunbook,
        now,
        ...(this.instanceLimit === undefined ? {} : { instanceLimit: this.instanceLimit }),
      });
      if (!(await this.commit(opened.alert, 0, latestOcc ?? "", opened.events))) return LOST_RACE;
      return { kind: "opened", alert: opened.alert, events: opened.events };
    });
  }

  /** Applies a pure transition to an alert with compare-and-set, re-reading on conflict. */
  async update(id: string, transition: (alert: Alert) => Transition): Promise<UpdateResult> {
    return retryOnConflict("alert", id, async () => {
      const before = await this.get(id);
      if (!before)
        return { ok: false, reason: "This alert is not known (it may have expired).", alert: null };
      const t = transition(before);
      if (!t.ok) return { ok: false, reason: t.reason, alert: before };
      const next: Alert = { ...t.alert, version: before.version + 1 };
      if (!(await this.commit(next, before.version, "*", t.events))) return LOST_RACE;
      return { ok: true, alert: next, before, events: t.events };
    });
  }

  /** Appends events without changing the alert (e.g. a delivery failure). */
  async appendEvents(id: string, events: readonly AlertEvent[]): Promise<void> {
    if (!events.length) return;
    await this.redis.rpush(this.keys.events(id), ...events.map((e) => JSON.stringify(e)));
  }

  private async commit(
    alert: Alert,
    expectedVersion: number,
    expectedLatest: string,
    events: readonly AlertEvent[],
  ): Promise<boolean> {
    if (!parseAlertId(alert.id)) throw new Error(`malformed alert id ${alert.id}`);
    const k = this.keys;
    const open = isOpen(alert);
    const createdMs = Date.parse(alert.createdAt);
    const nowMs = Date.parse(alert.updatedAt);
    return commitAlert(
      this.redis,
      {
        group: k.group(alert.groupId),
        alert: k.alert(alert.id),
        events: k.events(alert.id),
        openByRotation: k.openByRotation(alert.route.rotationId),
        openByTeam: k.openByTeam(alert.route.teamId),
        alertsByTime: k.alertsByTime(),
        delivery: k.delivery(alert.id),
        sent: k.sentMessages(alert.id),
        digests: k.alertDigests(utcDay(createdMs)),
      },
      {
        expectedLatest,
        expectedVersion,
        version: alert.version,
        doc: JSON.stringify(alert),
        occurrence: alert.occurrence,
        open,
        createdAtMs: createdMs,
        id: alert.id,
        retentionSeconds: this.retentionSeconds,
        digest: open ? null : await this.digestOf(alert, events, nowMs),
        events: events.map((e) => JSON.stringify(e)),
      },
    );
  }

  /**
   * The report digest of a resolved alert: its outcome over the whole timeline (stored events and
   * this commit's) and when its previous occurrence resolved. Null once its day is past keeping.
   * A concurrent commit that changed the timeline also changed the version, so the script refuses
   * this one and the retry reads again.
   */
  private async digestOf(
    alert: Alert,
    events: readonly AlertEvent[],
    nowMs: number,
  ): Promise<{ value: string; ttlSeconds: number } | null> {
    const dayStart = Date.parse(utcDay(Date.parse(alert.createdAt)));
    const ttlSeconds = (dayStart + this.reportRetentionSeconds * 1000 - nowMs) / 1000;
    if (!(ttlSeconds > 0)) return null;
    const [stored, previous] = await Promise.all([
      this.events(alert.id),
      alert.previousId ? this.get(alert.previousId) : null,
    ]);
    const o = alertOutcome(alert, [...stored, ...events]);
    return { value: outcomeDigest(o, previous?.resolvedAt ?? null), ttlSeconds };
  }
}
