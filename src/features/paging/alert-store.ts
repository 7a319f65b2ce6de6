// Alerts in Redis. Every change is a compare-and-set in one Lua script (commit-alert-6.lua: group
// pointer, alert version, indexes and timeline together), so several bot replicas can update the
// same alert safely: the loser of a race re-reads and re-applies its pure transition.

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

export class AlertStore extends DocumentStore<Alert> {
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

  /** Alert ids created in [from, to). */
  async idsCreatedBetween(from: Date, to: Date): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.alertsByTime(), from.getTime(), `(${to.getTime()}`);
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
      const outcome = applyNotification(latest, group, now, deps.hasRunbook);
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
    return commitAlert(
      this.redis,
      {
        group: k.group(alert.groupId),
        alert: k.alert(alert.id),
        events: k.events(alert.id),
        openByRotation: k.openByRotation(alert.route.rotationId),
        openByTeam: k.openByTeam(alert.route.teamId),
        alertsByTime: k.alertsByTime(),
      },
      {
        expectedLatest,
        expectedVersion,
        version: alert.version,
        doc: JSON.stringify(alert),
        occurrence: alert.occurrence,
        open: isOpen(alert),
        createdAtMs: Date.parse(alert.createdAt),
        id: alert.id,
        events: events.map((e) => JSON.stringify(e)),
      },
    );
  }
}
