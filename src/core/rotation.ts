// The rotation engine: who is on call when. Pure; time and state come in as parameters.
//
// Schedule model. Slot boundaries are wall-clock times in the rotation's time zone:
//   boundary(k) = anchor + k * length   (wall clock), resolved to an instant by tz.ts's DST rules
// where the anchor is `handoff.time` on `start` (for weekly shifts, on the first `handoff.day` on or
// after `start`) and length is N hours, N days or N weeks of wall clock. Slot k runs from boundary(k)
// to boundary(k+1) and belongs to participants[k mod n]; k < 0 extends the cycle backwards, so
// somebody is always on call. Hand-offs therefore stay at the same local time across DST: a 1w shift
// spanning a change lasts 167 or 169 hours, a 12h shift on the change day 11 or 13.
//
// With hour shifts a boundary can fall in a spring-forward gap: it moves to the transition instant
// (first existing instant), and a slot whose both ends land there has zero length and is skipped —
// its participant misses that one turn; every other slot keeps its owner.
//
// Rotation objects are treated as immutable (the loaded config is deeply frozen), so their
// derived constants are memoized per object.

import type { Participant, Rotation, Weekday } from "./config";
import { DAY_MS, getZone, HOUR_MS, MINUTE_MS, parseLocalDate, weekdayOfDay, type Zone } from "./tz";

export interface Override {
  readonly id: string;
  readonly rotationId: string;
  readonly user: string;
  readonly from: Date;
  readonly to: Date;
  readonly createdBy: string;
}

export interface Shift {
  readonly rotationId: string;
  /** Who is on call. */
  readonly user: string;
  /**
   * The team they represent: for an override by a participant, that participant's team; for an
   * override by a non-participant, the scheduled slot's team.
   */
  readonly team: string;
  /** Inclusive. */
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
  /** Who the schedule had before overrides (after skipping ejected teams). */
  readonly scheduledUser: string;
  readonly overrideId: string | null;
}

export interface RotationState {
  readonly overrides?: readonly Override[];
  readonly ejectedTeams?: ReadonlySet<string>;
}

const SUNDAY_FIRST: readonly Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface Compiled {
  readonly id: string;
  readonly zone: Zone;
  /** Wall time of boundary 0. */
  readonly anchorWall: number;
  /** Slot length in wall-clock ms. */
  readonly slotWall: number;
  readonly participants: readonly Participant[];
  /** Teams each user represents, in participant order. */
  readonly teamsOfUser: ReadonlyMap<string, readonly string[]>;
}

const compiledCache = new WeakMap<Rotation, Compiled>();

function compile(rotation: Rotation): Compiled {
  const cached = compiledCache.get(rotation);
  if (cached) return cached;
  const where = `rotation "${rotation.id}"`;
  const { unit, amount } = rotation.shift;
  if (!Number.isInteger(amount) || amount <= 0) {
    throw new RangeError(`${where}: shift length must be a positive whole number, got ${amount}`);
  }
  const { hour, minute } = rotation.handoff.time;
  if (
    !Number.isInteger(hour) ||
    hour < 0 ||
    hour > 23 ||
    !Number.isInteger(minute) ||
    minute < 0 ||
    minute > 59
  ) {
    throw new RangeError(`${where}: invalid hand-off time ${hour}:${minute}`);
  }
  let day: number;
  try {
    day = parseLocalDate(rotation.start);
  } catch (err) {
    throw new RangeError(`${where}: start: ${(err as Error).message}`);
  }
  if (unit === "w") {
    const target = SUNDAY_FIRST.indexOf(rotation.handoff.day);
    if (target < 0) throw new RangeError(`${where}: invalid hand-off day "${rotation.handoff.day}"`);
    day += (target - weekdayOfDay(day) + 7) % 7;
  }
  const unitMs = unit === "h" ? HOUR_MS : unit === "d" ? DAY_MS : unit === "w" ? 7 * DAY_MS : Number.NaN;
  if (Number.isNaN(unitMs)) throw new RangeError(`${where}: unknown shift unit "${unit}"`);
  const teamsOfUser = new Map<string, string[]>();
  for (const p of rotation.participants) {
    const teams = teamsOfUser.get(p.user);
    if (teams) teams.push(p.team);
    else teamsOfUser.set(p.user, [p.team]);
  }
  const compiled: Compiled = {
    id: rotation.id,
    zone: getZone(rotation.timezone),
    anchorWall: day * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS,
    slotWall: amount * unitMs,
    participants: rotation.participants,
    teamsOfUser,
  };
  compiledCache.set(rotation, compiled);
  return compiled;
}

function boundary(c: Compiled, k: number): number {
  return c.zone.fromWall(c.anchorWall + k * c.slotWall);
}

interface Slot {
  k: number;
  start: number;
  end: number;
}

/** The non-empty slot containing t: estimated from elapsed wall time, then corrected by a step or two. */
function slotAt(c: Compiled, t: number): Slot {
  let k = Math.floor((c.zone.toWall(t) - c.anchorWall) / c.slotWall);
  let start = boundary(c, k);
  while (t < start) {
    k--;
    start = boundary(c, k);
  }
  let end = boundary(c, k + 1);
  while (t >= end) {
    k++;
    start = end;
    end = boundary(c, k + 1);
  }
  return { k, start, end };
}

/** Index of the participant covering slot k: the scheduled one, or the next whose team is not ejected. */
function ownerIndex(c: Compiled, k: number, ejected: ReadonlySet<string> | undefined): number {
  const n = c.participants.length;
  if (n === 0) return -1;
  const scheduled = ((k % n) + n) % n;
  if (!ejected || ejected.size === 0) return scheduled;
  for (let j = 0; j < n; j++) {
    const i = (scheduled + j) % n;
    if (!ejected.has(c.participants[i]!.team)) return i;
  }
  return -1;
}

/**
 * The team an override's user stands for: the slot's own team if they represent it, else their first
 * team that is not ejected, else their first team; a non-participant stands in for the slot's team.
 */
function overrideTeam(
  c: Compiled,
  user: string,
  slotTeam: string,
  ejected: ReadonlySet<string> | undefined,
): string {
  const teams = c.teamsOfUser.get(user);
  if (!teams) return slotTeam;
  if (teams.includes(slotTeam)) return slotTeam;
  return teams.find((team) => !ejected?.has(team)) ?? teams[0]!;
}

function requireTime(date: Date, what: string): number {
  const t = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${what}: invalid date`);
  return t;
}

interface ActiveOverride {
  readonly o: Override;
  readonly from: number;
  readonly to: number;
}

/** This rotation's non-empty overrides, in array order (later entries win). */
function activeOverrides(c: Compiled, overrides: readonly Override[] | undefined): ActiveOverride[] {
  const out: ActiveOverride[] = [];
  if (!overrides) return out;
  for (const o of overrides) {
    if (o.rotationId !== c.id) continue;
    const from = o.from.getTime();
    const to = o.to.getTime();
    if (from < to) out.push({ o, from, to });
  }
  return out;
}

function makeShift(
  c: Compiled,
  owner: Participant,
  start: number,
  end: number,
  winner: Override | null,
  ejected: ReadonlySet<string> | undefined,
): Shift {
  return {
    rotationId: c.id,
    user: winner ? winner.user : owner.user,
    team: winner ? overrideTeam(c, winner.user, owner.team, ejected) : owner.team,
    start: new Date(start),
    end: new Date(end),
    scheduledUser: owner.user,
    overrideId: winner ? winner.id : null,
  };
}

/**
 * Who is on call at `at`. The returned shift is the whole slot, or — where overrides cut the slot —
 * the piece containing `at`. Null only if every participant's team is ejected (overrides do not
 * revive a rotation with nobody left in it).
 */
export function shiftAt(rotation: Rotation, at: Date, state?: RotationState): Shift | null {
  const t = requireTime(at, "shiftAt");
  const c = compile(rotation);
  const ejected = state?.ejectedTeams;
  const slot = slotAt(c, t);
  const idx = ownerIndex(c, slot.k, ejected);
  if (idx < 0) return null;
  const owner = c.participants[idx]!;
  const overrides = state?.overrides;
  if (!overrides || overrides.length === 0) return makeShift(c, owner, slot.start, slot.end, null, ejected);

  let win = -1;
  for (let i = 0; i < overrides.length; i++) {
    const o = overrides[i]!;
    if (o.rotationId === c.id && o.from.getTime() <= t && t < o.to.getTime()) win = i;
  }
  // The piece is the largest interval around t with the same winner: overrides that could beat it
  // (all of them with no winner, later ones with one) do not cover t, so each lies wholly before or
  // wholly after t and bounds the piece on that side.
  let lo = slot.start;
  let hi = slot.end;
  if (win >= 0) {
    lo = Math.max(lo, overrides[win]!.from.getTime());
    hi = Math.min(hi, overrides[win]!.to.getTime());
  }
  for (let i = win + 1; i < overrides.length; i++) {
    const o = overrides[i]!;
    if (o.rotationId !== c.id) continue;
    const from = o.from.getTime();
    const to = o.to.getTime();
    if (!(from < to)) continue;
    if (to <= t) lo = Math.max(lo, to);
    else if (from > t) hi = Math.min(hi, from);
  }
  return makeShift(c, owner, lo, hi, win >= 0 ? overrides[win]! : null, ejected);
}

/** A slot cut into maximal pieces with one winning override (or none) each. */
function pieces(
  start: number,
  end: number,
  overrides: readonly ActiveOverride[],
): [number, number, Override | null][] {
  const inSlot = overrides.filter((a) => a.from < end && a.to > start);
  if (inSlot.length === 0) return [[start, end, null]];
  const cuts = new Set<number>([start, end]);
  for (const a of inSlot) {
    if (a.from > start) cuts.add(a.from);
    if (a.to < end) cuts.add(a.to);
  }
  const points = [...cuts].sort((x, y) => x - y);
  const out: [number, number, Override | null][] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i]!;
    const b = points[i + 1]!;
    let winner: Override | null = null;
    for (const ov of inSlot) if (ov.from <= a && ov.to >= b) winner = ov.o;
    const last = out[out.length - 1];
    if (last && last[2] === winner) last[1] = b;
    else out.push([a, b, winner]);
  }
  return out;
}

/**
 * The shifts covering [from, to), in order and without gaps. Slots overlapping the range are returned
 * whole; overrides cut a slot into pieces (each override piece clipped to the override and to the
 * slot, so a piece has one scheduled user and one team), and only pieces overlapping the range are
 * returned. Consecutive slots stay separate shifts even when the same person has both (e.g. covering
 * for an ejected team). Empty if from >= to or every participant's team is ejected.
 */
export function shiftsBetween(rotation: Rotation, from: Date, to: Date, state?: RotationState): Shift[] {
  const f = requireTime(from, "shiftsBetween");
  const e = requireTime(to, "shiftsBetween");
  const out: Shift[] = [];
  if (!(f < e)) return out;
  const c = compile(rotation);
  const ejected = state?.ejectedTeams;
  const overrides = activeOverrides(c, state?.overrides);
  let { k, start, end } = slotAt(c, f);
  while (start < e) {
    if (end > start) {
      const idx = ownerIndex(c, k, ejected);
      if (idx < 0) return [];
      const owner = c.participants[idx]!;
      for (const [a, b, winner] of pieces(start, end, overrides)) {
        if (b > f && a < e) out.push(makeShift(c, owner, a, b, winner, ejected));
      }
    }
    k++;
    start = end;
    end = boundary(c, k + 1);
  }
  return out;
}

/** Scheduled hand-off instants in [from, to), ascending, regardless of overrides and ejections. */
export function handoffsBetween(rotation: Rotation, from: Date, to: Date): Date[] {
  const f = requireTime(from, "handoffsBetween");
  const e = requireTime(to, "handoffsBetween");
  const out: Date[] = [];
  if (!(f < e)) return out;
  const c = compile(rotation);
  let { k, start: b } = slotAt(c, f);
  let last = Number.NaN;
  while (b < e) {
    if (b >= f && b !== last) {
      out.push(new Date(b));
      last = b;
    }
    k++;
    b = boundary(c, k);
  }
  return out;
}
