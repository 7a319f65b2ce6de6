// Reads the alert occurrences of a time window as the noise and load reports need them. Resolved
// ones come from the per-day report digests (compact, and kept after the alerts themselves have
// expired); the others (still open, or stored before digests existed) from the alerts and their
// timelines. Read-only; chunked pipelines keep a month of alerts to a handful of round trips.

import type { Alert, AlertEvent } from "../../core/alert";
import { type AlertOutcome, alertOutcome } from "../../core/outcome";
import type { AlertStore } from "../paging/alert-store";

const CHUNK = 500;

export interface WindowOccurrences {
  /** Created in [from, to), oldest first. */
  readonly occurrences: AlertOutcome[];
  /** Earlier occurrences that in-window ones name as previous (for flapping). */
  readonly earlier: Pick<Alert, "id" | "resolvedAt">[];
}

async function eventsOf(store: AlertStore, ids: readonly string[]): Promise<Map<string, AlertEvent[]>> {
  const out = new Map<string, AlertEvent[]>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const pipe = store.redis.pipeline();
    for (const id of chunk) pipe.lrange(store.keys.events(id), 0, -1);
    const res = (await pipe.exec()) ?? [];
    chunk.forEach((id, j) => {
      const raw = res[j]?.[1];
      out.set(id, Array.isArray(raw) ? raw.map((e) => JSON.parse(String(e)) as AlertEvent) : []);
    });
  }
  return out;
}

async function alertsOf(store: AlertStore, ids: readonly string[]): Promise<Alert[]> {
  const out: Alert[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await store.getMany(ids.slice(i, i + CHUNK))));
  return out;
}

/** Creation time, then id in Redis' byte order: the order of the by-time index. */
function byCreation(a: AlertOutcome, b: AlertOutcome): number {
  const t = Date.parse(a.alert.createdAt) - Date.parse(b.alert.createdAt);
  if (t) return t;
  return a.alert.id < b.alert.id ? -1 : a.alert.id > b.alert.id ? 1 : 0;
}

export async function readOccurrences(store: AlertStore, from: Date, to: Date): Promise<WindowOccurrences> {
  const [ids, digests] = await Promise.all([
    store.idsCreatedBetween(from, to),
    store.digestsCreatedBetween(from, to),
  ]);
  const digested = new Set(digests.map((d) => d.occurrence.alert.id));
  const alerts = await alertsOf(
    store,
    ids.filter((id) => !digested.has(id)),
  );
  const events = await eventsOf(
    store,
    alerts.map((a) => a.id),
  );
  const occurrences = [
    ...alerts.map((a) => alertOutcome(a, events.get(a.id) ?? [])),
    ...digests.map((d) => d.occurrence),
  ].sort(byCreation);
  const known = new Set(occurrences.map((o) => o.alert.id));
  const earlier = new Map<string, Pick<Alert, "id" | "resolvedAt">>();
  for (const d of digests) {
    if (d.previous && !known.has(d.previous.id)) earlier.set(d.previous.id, d.previous);
  }
  const earlierIds = [
    ...new Set(alerts.flatMap((a) => (a.previousId && !known.has(a.previousId) ? [a.previousId] : []))),
  ].filter((id) => !earlier.has(id));
  for (const a of await alertsOf(store, earlierIds)) earlier.set(a.id, a);
  return { occurrences, earlier: [...earlier.values()] };
}
