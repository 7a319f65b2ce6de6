// Ops load per team: what a team's services cost the rotation, measured against the rotation's
// `load_limits`. A team whose services page more than the limit, on average over the rotation's
// window, is eligible for ejection: it then carries its own pages. Pure.

import type { OncallConfig, Rotation, Team } from "../../core/config";
import { type AlertOutcome, median, percentile, timeToAck, timeToResolve } from "../../core/outcome";
import { DAY_MS } from "../../core/tz";
import { isInWorkday } from "../../core/workday";

export const WEEK_MS = 7 * DAY_MS;

export interface LoadInput {
  readonly config: Pick<OncallConfig, "teams" | "rotations">;
  /**
   * Occurrences created before `now`, reaching back at least `weeks` weeks and each team's rotation
   * window (`load_limits.window`); older ones are ignored.
   */
  readonly occurrences: readonly AlertOutcome[];
  readonly now: Date;
  /** The window the figures cover: the `weeks` weeks before `now` (a fraction for days: 1/7 a day). */
  readonly weeks: number;
  /** Only these teams (in this order); default every team in config order. */
  readonly teamIds?: readonly string[];
  /** Teams ejected now. */
  readonly ejected?: ReadonlySet<string>;
}

export interface LoadLimit {
  readonly rotationId: string;
  readonly rotationName: string;
  readonly pagesPerWeek: number;
  readonly windowWeeks: number;
}

export interface TeamLoad {
  readonly teamId: string;
  readonly teamName: string;
  /** Pages the team's services made in the window (occurrences routed to the team). */
  readonly pages: number;
  /** Of those, pages that fired outside the team's own workday. */
  readonly outsideWorkday: number;
  /** Alerts handed off to the team. */
  readonly handOffs: number;
  /** Alerts escalated to every member of the team. */
  readonly escalations: number;
  /** Pages of alerts with no runbook entry (a rule violation counted against the team). */
  readonly noRunbook: number;
  /** The alert names without a runbook entry among them, sorted. */
  readonly noRunbookNames: readonly string[];
  readonly medianAckMs: number | null;
  readonly medianResolveMs: number | null;
  readonly p90ResolveMs: number | null;
  /** `pages / weeks`. */
  readonly pagesPerWeek: number;
  /** The team's rotation's limit; null for a team in no rotation (it carries its own load). */
  readonly limit: LoadLimit | null;
  /** Pages per week over the rotation's window, oldest week first (empty without a limit). */
  readonly weekly: readonly number[];
  /** Average pages per week over the rotation's window; null without a limit. */
  readonly windowPagesPerWeek: number | null;
  /** Over the limit on average over the rotation's window. */
  readonly overLimit: boolean;
  readonly ejected: boolean;
  /** Over the limit, still in its rotation: an admin may eject it. */
  readonly eligibleForEjection: boolean;
}

export interface LoadReport {
  readonly from: Date;
  readonly to: Date;
  readonly weeks: number;
  readonly teams: readonly TeamLoad[];
  /** Pages in the window that matched no service (no team to count them against). */
  readonly unrouted: number;
}

function limitOf(rotation: Rotation | undefined): LoadLimit | null {
  if (!rotation) return null;
  return {
    rotationId: rotation.id,
    rotationName: rotation.name,
    pagesPerWeek: rotation.loadLimits.pagesPerWeek,
    windowWeeks: rotation.loadLimits.windowWeeks,
  };
}

function createdMs(o: AlertOutcome): number {
  return Date.parse(o.alert.createdAt);
}

function teamLoad(
  team: Team,
  input: LoadInput,
  mine: readonly AlertOutcome[],
  received: { handOffs: number; escalations: number },
): TeamLoad {
  const now = input.now.getTime();
  const from = now - input.weeks * WEEK_MS;
  const inWindow = mine.filter((o) => createdMs(o) >= from);
  const ack: number[] = [];
  const resolve: number[] = [];
  const missing = new Set<string>();
  let outsideWorkday = 0;
  let noRunbook = 0;
  for (const o of inWindow) {
    if (!isInWorkday(team, new Date(o.alert.createdAt))) outsideWorkday++;
    if (o.alert.missingRunbooks.length) {
      noRunbook++;
      for (const n of o.alert.missingRunbooks) missing.add(n);
    }
    const a = timeToAck(o.alert);
    if (a !== null) ack.push(a);
    const r = timeToResolve(o.alert);
    if (r !== null) resolve.push(r);
  }

  // Routing pages a team in several rotations through the first; its limit is that one's.
  const limit = limitOf(input.config.rotations.find((r) => r.teams.includes(team.id)));
  const weekly: number[] = [];
  if (limit) {
    for (let w = limit.windowWeeks; w > 0; w--) {
      const start = now - w * WEEK_MS;
      const end = start + WEEK_MS;
      weekly.push(mine.filter((o) => createdMs(o) >= start && createdMs(o) < end).length);
    }
  }
  const windowPagesPerWeek = limit ? weekly.reduce((s, n) => s + n, 0) / limit.windowWeeks : null;
  const overLimit = limit !== null && windowPagesPerWeek !== null && windowPagesPerWeek > limit.pagesPerWeek;
  const ejected = input.ejected?.has(team.id) ?? false;
  return {
    teamId: team.id,
    teamName: team.name,
    pages: inWindow.length,
    outsideWorkday,
    handOffs: received.handOffs,
    escalations: received.escalations,
    noRunbook,
    noRunbookNames: [...missing].sort(),
    medianAckMs: median(ack),
    medianResolveMs: median(resolve),
    p90ResolveMs: percentile(resolve, 90),
    pagesPerWeek: inWindow.length / input.weeks,
    limit,
    weekly,
    windowPagesPerWeek,
    overLimit,
    ejected,
    eligibleForEjection: overLimit && !ejected,
  };
}

export function loadReport(input: LoadInput): LoadReport {
  if (!(Number.isFinite(input.weeks) && input.weeks > 0)) {
    throw new RangeError(`weeks must be a positive number, got ${input.weeks}`);
  }
  const now = input.now.getTime();
  const from = now - input.weeks * WEEK_MS;
  const past = input.occurrences.filter((o) => createdMs(o) < now);
  const byTeam = new Map<string, AlertOutcome[]>();
  const received = new Map<string, { handOffs: number; escalations: number }>();
  const receivedBy = (id: string) => {
    let r = received.get(id);
    if (!r) {
      r = { handOffs: 0, escalations: 0 };
      received.set(id, r);
    }
    return r;
  };
  let unrouted = 0;
  for (const o of past) {
    const a = o.alert;
    const inWindow = createdMs(o) >= from;
    if (a.route.teamId === null) {
      if (inWindow) unrouted++;
      continue;
    }
    const list = byTeam.get(a.route.teamId) ?? [];
    list.push(o);
    byTeam.set(a.route.teamId, list);
    if (!inWindow) continue;
    const target = a.assignedTeam ?? a.route.teamId;
    if (o.handedOff) receivedBy(target).handOffs++;
    if (a.escalation) receivedBy(target).escalations++;
  }
  const teams = input.teamIds
    ? input.teamIds.map((id) => {
        const t = input.config.teams.find((x) => x.id === id);
        if (!t) throw new RangeError(`unknown team "${id}"`);
        return t;
      })
    : input.config.teams;
  return {
    from: new Date(from),
    to: input.now,
    weeks: input.weeks,
    teams: teams.map((t) =>
      teamLoad(t, input, byTeam.get(t.id) ?? [], received.get(t.id) ?? { handOffs: 0, escalations: 0 }),
    ),
    unrouted,
  };
}

/** How far back a load report needs occurrences: its own window or the longest rotation window. */
export function loadLookbackWeeks(config: Pick<OncallConfig, "rotations">, weeks: number): number {
  return Math.max(weeks, ...config.rotations.map((r) => r.loadLimits.windowWeeks));
}
