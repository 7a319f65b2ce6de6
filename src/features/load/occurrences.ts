// Reads the alert occurrences of a time window with their timelines, as the noise and load reports
// need them. Read-only; chunked pipelines keep a month of alerts to a handful of round trips.

import type { Alert, AlertEvent } from "../../core/alert";
import { type AlertOutcome, alertOutcome } from "../../core/outcome";
import type { AlertStore } from "../paging/alert-store";

const CHUNK = 500;

export interface WindowOccurrences {
  /** Created in [from, to), oldest first. */
  readonly occurrences: AlertOutcome[];
  /** Earlier occurrences that in-window ones name as previous (for flapping). */
  readonly earlier: Alert[];
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

export async function readOccurrences(store: AlertStore, from: Date, to: Date): Promise<WindowOccurrences> {
  const ids = await store.idsCreatedBetween(from, to);
  const alerts = await alertsOf(store, ids);
  const events = await eventsOf(
    store,
    alerts.map((a) => a.id),
  );
  const known = new Set(ids);
  const earlierIds = [
    ...new Set(alerts.flatMap((a) => (a.previousId && !known.has(a.previousId) ? [a.previousId] : []))),
  ];
  return {
    occurrences: alerts.map((a) => alertOutcome(a, events.get(a.id) ?? [])),
    earlier: await alertsOf(store, earlierIds),
  };
}
