// Incidents and their postmortems in Redis. Numbers come from INCR; every change is a compare-and-set
// on the incident's version in one Lua script (with the open set, and with the postmortem when one is
// saved), so several replicas can note, link, resolve and edit at once: the loser re-reads and
// re-applies its pure transition.

import type { Redis } from "ioredis";
import { Keys } from "../../platform/redis/keys";
import type { Incident, IncidentTransition } from "./incident";
import type { Postmortem } from "./postmortem";

/** KEYS: seq, declared. ARGV: ttl seconds. Returns {number, fresh}. */
const RESERVE = `
if KEYS[2] ~= '' then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {tonumber(existing), 0} end
end
local n = redis.call('INCR', KEYS[1])
if KEYS[2] ~= '' then redis.call('SET', KEYS[2], n, 'EX', ARGV[1]) end
return {n, 1}
`;

/** KEYS: incident, by-time, open. ARGV: doc, declaredAt ms, id, open flag. */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'v', '1', 'doc', ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
if ARGV[4] == '1' then redis.call('SADD', KEYS[3], ARGV[3]) end
return 1
`;

/**
 * KEYS: incident, open, postmortem (may be unused). ARGV: expected incident version, next version,
 * doc, id, open flag, then optionally expected postmortem version, next version, postmortem doc.
 */
const COMMIT = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v or v ~= ARGV[1] then return 0 end
if ARGV[6] then
  local pv = redis.call('HGET', KEYS[3], 'v') or '0'
  if pv ~= ARGV[6] then return 0 end
  redis.call('HSET', KEYS[3], 'v', ARGV[7], 'doc', ARGV[8])
end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'doc', ARGV[3])
if ARGV[5] == '1' then redis.call('SADD', KEYS[2], ARGV[4]) else redis.call('SREM', KEYS[2], ARGV[4]) end
return 1
`;

const MAX_ATTEMPTS = 8;
/** How long a retried declaration (the same modal submission) finds the incident it created. */
const DECLARE_DEDUPE_SECONDS = 24 * 3600;

export class IncidentConflictError extends Error {
  constructor(id: string) {
    super(`incident ${id} kept changing under us; gave up after several attempts`);
    this.name = "IncidentConflictError";
  }
}

export type IncidentUpdate =
  | { readonly ok: true; readonly incident: Incident; readonly before: Incident }
  | { readonly ok: false; readonly reason: string; readonly incident: Incident | null };

/** What saving a postmortem does: the postmortem, and the facts it changes on the incident. */
export type PostmortemChange =
  | { readonly ok: true; readonly postmortem: Postmortem; readonly incident: IncidentTransition }
  | { readonly ok: false; readonly reason: string };

export type PostmortemSave =
  | { readonly ok: true; readonly incident: Incident; readonly postmortem: Postmortem }
  | { readonly ok: false; readonly reason: string };

interface IncidentCommands {
  incidentReserve(seq: string, declared: string, ttl: string): Promise<[number, number]>;
  incidentCreate(...args: string[]): Promise<number>;
  incidentCommit(...args: string[]): Promise<number>;
}

export class IncidentStore {
  readonly keys: Keys;

  constructor(
    readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
    redis.defineCommand("incidentReserve", { numberOfKeys: 2, lua: RESERVE });
    redis.defineCommand("incidentCreate", { numberOfKeys: 3, lua: CREATE });
    redis.defineCommand("incidentCommit", { numberOfKeys: 3, lua: COMMIT });
  }

  private get cmd(): IncidentCommands {
    return this.redis as unknown as IncidentCommands;
  }

  async get(id: string): Promise<Incident | null> {
    const doc = await this.redis.hget(this.keys.incident(id), "doc");
    return doc ? (JSON.parse(doc) as Incident) : null;
  }

  async getMany(ids: readonly string[]): Promise<Incident[]> {
    if (!ids.length) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hget(this.keys.incident(id), "doc");
    const res = (await pipe.exec()) ?? [];
    return res.flatMap(([, doc]) => (typeof doc === "string" ? [JSON.parse(doc) as Incident] : []));
  }

  async postmortem(incidentId: string): Promise<Postmortem | null> {
    const doc = await this.redis.hget(this.keys.postmortem(incidentId), "doc");
    return doc ? (JSON.parse(doc) as Postmortem) : null;
  }

  async postmortems(incidentIds: readonly string[]): Promise<Map<string, Postmortem>> {
    const out = new Map<string, Postmortem>();
    if (!incidentIds.length) return out;
    const pipe = this.redis.pipeline();
    for (const id of incidentIds) pipe.hget(this.keys.postmortem(id), "doc");
    const res = (await pipe.exec()) ?? [];
    res.forEach(([, doc], i) => {
      if (typeof doc === "string") out.set(incidentIds[i]!, JSON.parse(doc) as Postmortem);
    });
    return out;
  }

  /**
   * Declares an incident: takes the next number and stores what `build` makes of it. With a
   * `requestId` (e.g. a modal submission Slack may deliver twice) a repeat returns the incident the
   * first one created instead of declaring another.
   */
  async declare(
    build: (n: number) => Incident,
    requestId?: string,
  ): Promise<{ incident: Incident; created: boolean }> {
    const declaredKey = requestId ? this.keys.incidentDeclared(requestId) : "";
    const [n, fresh] = await this.cmd.incidentReserve(
      this.keys.incidentSeq(),
      declaredKey,
      String(DECLARE_DEDUPE_SECONDS),
    );
    const incident = build(Number(n));
    if (!fresh) {
      const existing = await this.get(incident.id);
      if (existing) return { incident: existing, created: false };
      // The first attempt took the number but died before storing: finish its work.
    }
    const created = await this.cmd.incidentCreate(
      this.keys.incident(incident.id),
      this.keys.incidentsByTime(),
      this.keys.incidentsOpen(),
      JSON.stringify(incident),
      String(Date.parse(incident.declaredAt)),
      incident.id,
      incident.status === "open" ? "1" : "0",
    );
    if (created !== 1) {
      const existing = await this.get(incident.id);
      if (existing) return { incident: existing, created: false };
    }
    return { incident, created: created === 1 };
  }

  /** Applies a pure transition with compare-and-set, re-reading on conflict. */
  async update(id: string, transition: (incident: Incident) => IncidentTransition): Promise<IncidentUpdate> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const before = await this.get(id);
      if (!before) return { ok: false, reason: unknownIncident(id), incident: null };
      const t = transition(before);
      if (!t.ok) return { ok: false, reason: t.reason, incident: before };
      const next: Incident = { ...t.incident, version: before.version + 1 };
      if (await this.commit(next, before.version)) return { ok: true, incident: next, before };
    }
    throw new IncidentConflictError(id);
  }

  /** Stores a postmortem and the incident facts it changes together, or neither. */
  async savePostmortem(
    id: string,
    change: (incident: Incident, previous: Postmortem | null) => PostmortemChange,
  ): Promise<PostmortemSave> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [incident, previous] = await Promise.all([this.get(id), this.postmortem(id)]);
      if (!incident) return { ok: false, reason: unknownIncident(id) };
      const c = change(incident, previous);
      if (!c.ok) return c;
      if (!c.incident.ok) return { ok: false, reason: c.incident.reason };
      const next: Incident = { ...c.incident.incident, version: incident.version + 1 };
      const pm: Postmortem = { ...c.postmortem, version: (previous?.version ?? 0) + 1 };
      if (await this.commit(next, incident.version, { previous: previous?.version ?? 0, postmortem: pm })) {
        return { ok: true, incident: next, postmortem: pm };
      }
    }
    throw new IncidentConflictError(id);
  }

  /** Ids declared in [from, to), oldest first. */
  async idsDeclaredBetween(from: Date, to: Date): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.incidentsByTime(), from.getTime(), `(${to.getTime()}`);
  }

  /** The `count` most recently declared ids, newest first. */
  async recentIds(count: number): Promise<string[]> {
    return this.redis.zrevrange(this.keys.incidentsByTime(), 0, count - 1);
  }

  /** Open incidents, newest first. */
  async openIncidents(): Promise<Incident[]> {
    const all = await this.getMany(await this.redis.smembers(this.keys.incidentsOpen()));
    return all.sort((a, b) => b.number - a.number);
  }

  private async commit(
    incident: Incident,
    expectedVersion: number,
    pm?: { previous: number; postmortem: Postmortem },
  ): Promise<boolean> {
    const args = [
      this.keys.incident(incident.id),
      this.keys.incidentsOpen(),
      this.keys.postmortem(incident.id),
      String(expectedVersion),
      String(incident.version),
      JSON.stringify(incident),
      incident.id,
      incident.status === "open" ? "1" : "0",
    ];
    if (pm) args.push(String(pm.previous), String(pm.postmortem.version), JSON.stringify(pm.postmortem));
    return (await this.cmd.incidentCommit(...args)) === 1;
  }
}

function unknownIncident(id: string): string {
  return `There is no incident ${id}. \`/incident list all\` shows the incidents there are.`;
}

const stores = new WeakMap<Redis, IncidentStore>();

/** One store per Redis connection, shared by the incident commands, modals and the review. */
export function incidentStore(redis: Redis, prefix: string): IncidentStore {
  let store = stores.get(redis);
  if (!store) {
    store = new IncidentStore(redis, prefix);
    stores.set(redis, store);
  }
  return store;
}
