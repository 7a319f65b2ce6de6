// Alerts in Redis. Every change is a compare-and-set in one Lua script (group pointer, alert version,
// indexes and timeline together), so several bot replicas can update the same alert safely: the
// loser of a race re-reads and re-applies its pure transition.

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
import { Keys } from "../../platform/redis/keys";
import type { IncomingGroup } from "./intake/types";

const COMMIT = `
local latest = redis.call('HGET', KEYS[1], 'latest')
if not latest then latest = '' end
if ARGV[1] ~= '*' and latest ~= ARGV[1] then return 0 end
local v = redis.call('HGET', KEYS[2], 'v')
if not v then v = '0' end
if v ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[2], 'v', ARGV[3], 'doc', ARGV[4])
if ARGV[1] ~= '*' then redis.call('HSET', KEYS[1], 'latest', ARGV[5]) end
if ARGV[6] == '1' then
  redis.call('SADD', KEYS[4], ARGV[8])
  redis.call('SADD', KEYS[5], ARGV[8])
else
  redis.call('SREM', KEYS[4], ARGV[8])
  redis.call('SREM', KEYS[5], ARGV[8])
end
redis.call('ZADD', KEYS[6], ARGV[7], ARGV[8])
for i = 9, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
return 1
`;

export class ConflictError extends Error {
  constructor(id: string) {
    super(`alert ${id} kept changing under us; gave up after several attempts`);
    this.name = "ConflictError";
  }
}

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

const MAX_ATTEMPTS = 8;

export class AlertStore {
  readonly keys: Keys;

  constructor(
    readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
    redis.defineCommand("oncallCommit", { numberOfKeys: 6, lua: COMMIT });
  }

  async get(id: string): Promise<Alert | null> {
    const doc = await this.redis.hget(this.keys.alert(id), "doc");
    return doc ? (JSON.parse(doc) as Alert) : null;
  }

  async getMany(ids: readonly string[]): Promise<Alert[]> {
    if (!ids.length) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hget(this.keys.alert(id), "doc");
    const res = (await pipe.exec()) ?? [];
    return res.flatMap(([, doc]) => (typeof doc === "string" ? [JSON.parse(doc) as Alert] : []));
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
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const groupKey = this.keys.group(group.groupId);
      const latestOcc = await this.redis.hget(groupKey, "latest");
      const latest = latestOcc ? await this.get(`${group.groupId}-${latestOcc}`) : null;
      const outcome = applyNotification(latest, group, now, deps.hasRunbook);
      if (outcome.kind === "ignore") return { kind: "ignored", reason: outcome.reason, alert: latest };
      if (outcome.kind === "update") {
        if (await this.commit(outcome.alert, latest!.version, latestOcc ?? "", outcome.events)) {
          return { kind: "updated", alert: outcome.alert, previous: latest!, events: outcome.events };
        }
        continue;
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
      if (await this.commit(opened.alert, 0, latestOcc ?? "", opened.events)) {
        return { kind: "opened", alert: opened.alert, events: opened.events };
      }
    }
    throw new ConflictError(group.groupId);
  }

  /** Applies a pure transition to an alert with compare-and-set, re-reading on conflict. */
  async update(id: string, transition: (alert: Alert) => Transition): Promise<UpdateResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const before = await this.get(id);
      if (!before)
        return { ok: false, reason: "This alert is not known (it may have expired).", alert: null };
      const t = transition(before);
      if (!t.ok) return { ok: false, reason: t.reason, alert: before };
      const next: Alert = { ...t.alert, version: before.version + 1 };
      if (await this.commit(next, before.version, "*", t.events)) {
        return { ok: true, alert: next, before, events: t.events };
      }
    }
    throw new ConflictError(id);
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
    const res = await (this.redis as unknown as CommitCommand).oncallCommit(
      k.group(alert.groupId),
      k.alert(alert.id),
      k.events(alert.id),
      k.openByRotation(alert.route.rotationId),
      k.openByTeam(alert.route.teamId),
      k.alertsByTime(),
      expectedLatest === "*" ? "*" : expectedLatest,
      String(expectedVersion),
      String(alert.version),
      JSON.stringify(alert),
      String(alert.occurrence),
      isOpen(alert) ? "1" : "0",
      String(Date.parse(alert.createdAt)),
      alert.id,
      ...events.map((e) => JSON.stringify(e)),
    );
    return res === 1;
  }
}

interface CommitCommand {
  oncallCommit(...args: string[]): Promise<number>;
}
