// Incidents and their postmortems in Redis. Numbers come from INCR; every change is a compare-and-set
// on the incident's version in one Lua script (with the open set, and with the postmortem when one is
// saved), so several replicas can note, link, resolve and edit at once: the loser re-reads and
// re-applies its pure transition.

import type { Redis } from "ioredis";
import { commitIncident, createIncident, reserveIncidentNumber } from "../../platform/redis/scripts";
import { DocumentStore, LOST_RACE, retryOnConflict } from "../../platform/redis/store";
import type { Incident, IncidentTransition } from "./incident";
import type { Postmortem } from "./postmortem";

/** How long a retried declaration (the same modal submission) finds the incident it created. */
const DECLARE_DEDUPE_SECONDS = 24 * 3600;

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

export class IncidentStore extends DocumentStore<Incident> {
  protected documentKey(id: string): string {
    return this.keys.incident(id);
  }

  async postmortem(incidentId: string): Promise<Postmortem | null> {
    return this.readDoc<Postmortem>(this.keys.postmortem(incidentId));
  }

  async postmortems(incidentIds: readonly string[]): Promise<Map<string, Postmortem>> {
    const docs = await this.readDocs<Postmortem>(incidentIds.map((id) => this.keys.postmortem(id)));
    const out = new Map<string, Postmortem>();
    docs.forEach((pm, i) => {
      if (pm) out.set(incidentIds[i]!, pm);
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
    const { number, fresh } = await reserveIncidentNumber(
      this.redis,
      { seq: this.keys.incidentSeq(), declared: declaredKey },
      DECLARE_DEDUPE_SECONDS,
    );
    const incident = build(number);
    if (!fresh) {
      const existing = await this.get(incident.id);
      if (existing) return { incident: existing, created: false };
      // The first attempt took the number but died before storing: finish its work.
    }
    const created = await createIncident(
      this.redis,
      {
        incident: this.keys.incident(incident.id),
        byTime: this.keys.incidentsByTime(),
        open: this.keys.incidentsOpen(),
      },
      {
        doc: JSON.stringify(incident),
        declaredAtMs: Date.parse(incident.declaredAt),
        id: incident.id,
        open: incident.status === "open",
      },
    );
    if (!created) {
      const existing = await this.get(incident.id);
      if (existing) return { incident: existing, created: false };
    }
    return { incident, created };
  }

  /** Applies a pure transition with compare-and-set, re-reading on conflict. */
  async update(id: string, transition: (incident: Incident) => IncidentTransition): Promise<IncidentUpdate> {
    return retryOnConflict("incident", id, async () => {
      const before = await this.get(id);
      if (!before) return { ok: false, reason: unknownIncident(id), incident: null };
      const t = transition(before);
      if (!t.ok) return { ok: false, reason: t.reason, incident: before };
      const next: Incident = { ...t.incident, version: before.version + 1 };
      if (!(await this.commit(next, before.version))) return LOST_RACE;
      return { ok: true, incident: next, before };
    });
  }

  /** Stores a postmortem and the incident facts it changes together, or neither. */
  async savePostmortem(
    id: string,
    change: (incident: Incident, previous: Postmortem | null) => PostmortemChange,
  ): Promise<PostmortemSave> {
    return retryOnConflict("incident", id, async () => {
      const [incident, previous] = await Promise.all([this.get(id), this.postmortem(id)]);
      if (!incident) return { ok: false, reason: unknownIncident(id) };
      const c = change(incident, previous);
      if (!c.ok) return c;
      if (!c.incident.ok) return { ok: false, reason: c.incident.reason };
      const next: Incident = { ...c.incident.incident, version: incident.version + 1 };
      const pm: Postmortem = { ...c.postmortem, version: (previous?.version ?? 0) + 1 };
      const saved = await this.commit(next, incident.version, {
        previous: previous?.version ?? 0,
        postmortem: pm,
      });
      if (!saved) return LOST_RACE;
      return { ok: true, incident: next, postmortem: pm };
    });
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
    return commitIncident(
      this.redis,
      {
        incident: this.keys.incident(incident.id),
        open: this.keys.incidentsOpen(),
        postmortem: this.keys.postmortem(incident.id),
      },
      {
        expectedVersion,
        version: incident.version,
        doc: JSON.stringify(incident),
        id: incident.id,
        open: incident.status === "open",
        ...(pm && {
          postmortem: {
            expectedVersion: pm.previous,
            version: pm.postmortem.version,
            doc: JSON.stringify(pm.postmortem),
          },
        }),
      },
    );
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
