// The noise report: which alerts page people for nothing. Per alert name and owning team, over the
// occurrences that fired in a window: how often it fired, was acknowledged, was answered "noise" or
// "actionable", resolved by itself, flapped; how fast people acknowledged it. Ranked by the number of
// noisy occurrences, so the worst ones can be fixed or deleted. Pure.

import type { Alert } from "../../core/alert";
import { type AlertOutcome, median, previousIdOf, type ReportedAlert, timeToAck } from "../../core/outcome";

/** A later occurrence firing within this long after the previous one resolved is flapping. */
export const FLAP_WINDOW_MS = 60 * 60_000;
/** How many of the noisiest alerts are marked "fix or delete" by default. */
export const FIX_OR_DELETE_TOP = 3;

export interface NoiseInput {
  /** Occurrences to consider; those created outside [from, to) are ignored. */
  readonly occurrences: readonly AlertOutcome[];
  /**
   * Occurrences before the window that in-window ones name as `previousId`: only flapping reads
   * them (the first occurrence in the window may flap on one that resolved just before it).
   */
  readonly earlier?: readonly Pick<Alert, "id" | "resolvedAt">[];
  readonly from: Date;
  readonly to: Date;
  /** How many of the noisiest (with at least one noisy occurrence) to mark "fix or delete". */
  readonly top?: number;
  /** Silences made from Slack (features/silences' log); those made outside [from, to) are ignored. */
  readonly silences?: readonly SilenceMade[];
}

/** One silence of an alert's group, as the noise report counts it. */
export interface SilenceMade {
  readonly alertId: string;
  readonly name: string;
  readonly teamId: string | null;
  /** When it was made (ISO). */
  readonly at: string;
}

export interface NoiseRow {
  /** The alert name (`alertname`). */
  readonly name: string;
  /** The owning team; null for alerts that matched no service. */
  readonly teamId: string | null;
  readonly fired: number;
  readonly acked: number;
  readonly answeredNoise: number;
  readonly answeredActionable: number;
  /** Resolved by the source before anyone acknowledged or acted on it. */
  readonly resolvedBySelf: number;
  /** Fired again within an hour of the previous occurrence of its group resolving. */
  readonly flapping: number;
  /** Silences made from Slack in the window (an occurrence may be silenced more than once). */
  readonly silenced: number;
  /** Median time from page to acknowledgement over the acknowledged ones; null if none was. */
  readonly medianAckMs: number | null;
  /**
   * Occurrences that were noise by any sign: answered "noise", or resolved by themselves, flapping or
   * silenced without anyone answering "actionable". Each occurrence counts once.
   */
  readonly noisy: number;
  /** 1-based place in the ranking. */
  readonly rank: number;
  readonly fixOrDelete: boolean;
}

export interface NoiseReport {
  readonly from: Date;
  readonly to: Date;
  /** Noisiest first. */
  readonly rows: readonly NoiseRow[];
  readonly fired: number;
  readonly noisy: number;
}

interface Tally {
  name: string;
  teamId: string | null;
  fired: number;
  acked: number;
  answeredNoise: number;
  answeredActionable: number;
  resolvedBySelf: number;
  flapping: number;
  silenced: number;
  ackMs: number[];
  noisy: number;
}

function inWindow(alert: Pick<ReportedAlert, "createdAt">, from: Date, to: Date): boolean {
  const t = Date.parse(alert.createdAt);
  return t >= from.getTime() && t < to.getTime();
}

/** Whether the occurrence fired within FLAP_WINDOW_MS of its group's previous occurrence resolving. */
export function isFlapping(
  alert: ReportedAlert,
  resolvedAtOf: (id: string) => string | null | undefined,
): boolean {
  const prev = previousIdOf(alert);
  if (!prev) return false;
  const resolvedAt = resolvedAtOf(prev);
  if (!resolvedAt) return false;
  const gap = Date.parse(alert.createdAt) - Date.parse(resolvedAt);
  return gap >= 0 && gap <= FLAP_WINDOW_MS;
}

export function noiseReport(input: NoiseInput): NoiseReport {
  const { from, to } = input;
  const resolvedAt = new Map<string, string | null>();
  for (const e of input.earlier ?? []) resolvedAt.set(e.id, e.resolvedAt);
  for (const o of input.occurrences) resolvedAt.set(o.alert.id, o.alert.resolvedAt);

  const silencedIds = new Set<string>();
  const silencesByKey = new Map<string, number>();
  for (const s of input.silences ?? []) {
    if (!inWindow({ createdAt: s.at }, from, to)) continue;
    silencedIds.add(s.alertId);
    const key = JSON.stringify([s.name, s.teamId]);
    silencesByKey.set(key, (silencesByKey.get(key) ?? 0) + 1);
  }

  const tallies = new Map<string, Tally>();
  for (const o of input.occurrences) {
    const a = o.alert;
    if (!inWindow(a, from, to)) continue;
    const key = JSON.stringify([a.name, a.route.teamId]);
    let t = tallies.get(key);
    if (!t) {
      t = {
        name: a.name,
        teamId: a.route.teamId,
        fired: 0,
        acked: 0,
        answeredNoise: 0,
        answeredActionable: 0,
        resolvedBySelf: 0,
        flapping: 0,
        silenced: 0,
        ackMs: [],
        noisy: 0,
      };
      tallies.set(key, t);
    }
    t.fired++;
    const ack = timeToAck(a);
    if (ack !== null) {
      t.acked++;
      t.ackMs.push(ack);
    }
    const saidNoise = a.answer?.actionable === false;
    const saidActionable = a.answer?.actionable === true;
    if (saidNoise) t.answeredNoise++;
    if (saidActionable) t.answeredActionable++;
    const bySelf = o.outcome === "resolved_by_itself";
    if (bySelf) t.resolvedBySelf++;
    const flapping = isFlapping(a, (id) => resolvedAt.get(id));
    if (flapping) t.flapping++;
    const silenced = silencedIds.has(a.id);
    // A person's "actionable" outweighs what the timeline suggests.
    if (saidNoise || (!saidActionable && (bySelf || flapping || silenced))) t.noisy++;
  }
  for (const [key, t] of tallies) t.silenced = silencesByKey.get(key) ?? 0;

  const sorted = [...tallies.values()].sort(
    (x, y) =>
      y.noisy - x.noisy ||
      y.fired - x.fired ||
      y.answeredNoise - x.answeredNoise ||
      x.name.localeCompare(y.name) ||
      (x.teamId ?? "").localeCompare(y.teamId ?? ""),
  );
  const top = input.top ?? FIX_OR_DELETE_TOP;
  const rows: NoiseRow[] = sorted.map((t, i) => ({
    name: t.name,
    teamId: t.teamId,
    fired: t.fired,
    acked: t.acked,
    answeredNoise: t.answeredNoise,
    answeredActionable: t.answeredActionable,
    resolvedBySelf: t.resolvedBySelf,
    flapping: t.flapping,
    silenced: t.silenced,
    medianAckMs: median(t.ackMs),
    noisy: t.noisy,
    rank: i + 1,
    fixOrDelete: i < top && t.noisy > 0,
  }));
  return {
    from,
    to,
    rows,
    fired: rows.reduce((n, r) => n + r.fired, 0),
    noisy: rows.reduce((n, r) => n + r.noisy, 0),
  };
}
