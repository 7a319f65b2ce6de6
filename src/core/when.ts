// Reading the times people type in Slack ("tomorrow 18:00", "mon 10:00", "+2h") as instants.
// Pure: `now` and the reader's IANA time zone come in. Local wall times resolve with tz.ts's DST
// rules (a time skipped by spring-forward moves to the transition, a repeated one takes the first).
//
// Forms, one or two words:
//   2026-11-30T18:00[:ss][Z|±hh:mm]   ISO; with a zone or Z it is absolute, else local
//   2026-11-30 18:00 · 2026-11-30      a local date, with a time or at 00:00
//   today 18:00 · tomorrow 9:30        (today keeps its date even when the time has passed)
//   mon 10:00 · monday · fri 6pm       the next such day, or today if that time is still ahead
//   18:00 · 6pm · 6:30am · noon        the next such time
//   now · +2h · 90m · 1d · 1h30m       now, or a duration after the reference
// The reference (`after`) is `now` by default; for the end of a range it is the start, so in
// "fri 22:00 02:00" the 02:00 is the one after Friday 22:00, and "+2h" is two hours after the start.

import { DAY_MS, getZone, HOUR_MS, MINUTE_MS, weekdayOfDay, type Zone } from "./tz";

export class WhenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WhenError";
  }
}

export interface WhenOptions {
  readonly now: Date;
  /** IANA name, e.g. "Europe/Berlin". */
  readonly timeZone: string;
  /** Where relative forms (bare times, weekdays, durations) count from; defaults to `now`. */
  readonly after?: Date;
}

export const WHEN_EXAMPLES = '"2026-11-30 18:00", "tomorrow 18:00", "mon 10:00", "18:00", "now" or "+2h"';

const WEEKDAY_WORDS: Readonly<Record<string, number>> = {
  sun: 0,
  sunday: 0,
  mon: 1,
  monday: 1,
  tue: 2,
  tues: 2,
  tuesday: 2,
  wed: 3,
  weds: 3,
  wednesday: 3,
  thu: 4,
  thur: 4,
  thurs: 4,
  thursday: 4,
  fri: 5,
  friday: 5,
  sat: 6,
  saturday: 6,
};

const UNIT_MS: Readonly<Record<string, number>> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

/** What a day word means before the time is known. */
type DayPart =
  | { readonly kind: "date"; readonly day: number }
  | { readonly kind: "weekday"; readonly weekday: number };

/** Minutes after local midnight, or null when `word` is not a time of day; throws for 25:00 and the like. */
export function parseClock(word: string): number | null {
  const w = word.toLowerCase();
  if (w === "noon") return 12 * 60;
  if (w === "midnight") return 0;
  let m = /^(\d{1,2}):(\d{2})$/.exec(w);
  if (m) {
    const h = Number(m[1]);
    const min = Number(m[2]);
    if (h > 23 || min > 59) throw new WhenError(`${word} is not a time of day: use 00:00 to 23:59`);
    return h * 60 + min;
  }
  m = /^(\d{1,2})(?::(\d{2}))?(am|pm)$/.exec(w);
  if (m) {
    const h = Number(m[1]);
    const min = Number(m[2] ?? 0);
    if (h < 1 || h > 12 || min > 59) throw new WhenError(`${word} is not a time of day: use 1am to 12pm`);
    return ((h % 12) + (m[3] === "pm" ? 12 : 0)) * 60 + min;
  }
  return null;
}

/** Milliseconds of "+2h", "90m", "1h30m", "1d"; null when `word` is not a duration. */
export function parseDurationWord(word: string): number | null {
  const w = word.toLowerCase().replace(/^\+/, "");
  if (!/^(\d+[mhdw])+$/.test(w)) return null;
  let ms = 0;
  for (const [, n, unit] of w.matchAll(/(\d+)([mhdw])/g)) ms += Number(n) * UNIT_MS[unit!]!;
  if (ms <= 0) throw new WhenError(`${word} is an empty duration`);
  return ms;
}

/** Days since 1970-01-01 of a valid YYYY-MM-DD; throws for 2026-02-30. */
function localDay(y: string, mo: string, d: string): number {
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d));
  const date = new Date(ms);
  if (
    date.getUTCFullYear() !== Number(y) ||
    date.getUTCMonth() !== Number(mo) - 1 ||
    date.getUTCDate() !== Number(d)
  ) {
    throw new WhenError(`${y}-${mo}-${d} is not a date`);
  }
  return ms / DAY_MS;
}

function parseDayPart(word: string, zone: Zone, now: number): DayPart | null {
  const w = word.toLowerCase();
  const today = Math.floor(zone.toWall(now) / DAY_MS);
  if (w === "today") return { kind: "date", day: today };
  if (w === "tomorrow") return { kind: "date", day: today + 1 };
  const weekday = WEEKDAY_WORDS[w];
  if (weekday !== undefined) return { kind: "weekday", weekday };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(w);
  if (m) return { kind: "date", day: localDay(m[1]!, m[2]!, m[3]!) };
  return null;
}

/** The instant of a day part at `minutes` past local midnight, counted from `after` for weekdays. */
function resolveDay(part: DayPart, minutes: number, zone: Zone, after: number): number {
  const at = (day: number) => zone.fromWall(day * DAY_MS + minutes * MINUTE_MS);
  if (part.kind === "date") return at(part.day);
  const startDay = Math.floor(zone.toWall(after) / DAY_MS);
  for (let i = 0; i < 8; i++) {
    const day = startDay + i;
    if (weekdayOfDay(day) === part.weekday && at(day) > after) return at(day);
  }
  // Unreachable: within eight days every weekday comes round with its time still ahead.
  throw new WhenError("could not find that weekday");
}

/** The first instant after `after` showing `minutes` on the local clock. */
function nextClock(minutes: number, zone: Zone, after: number): number {
  const startDay = Math.floor(zone.toWall(after) / DAY_MS);
  for (let i = 0; i < 3; i++) {
    const t = zone.fromWall((startDay + i) * DAY_MS + minutes * MINUTE_MS);
    if (t > after) return t;
  }
  throw new WhenError("could not find that time");
}

/** A single word that is a whole time on its own, or null. */
function parseOneWord(word: string, zone: Zone, now: number, after: number): number | null {
  const w = word.toLowerCase();
  if (w === "now") return now;
  const iso = /^(\d{4})-(\d{2})-(\d{2})t(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(z|[+-]\d{2}:?\d{2})?$/.exec(w);
  if (iso) {
    const day = localDay(iso[1]!, iso[2]!, iso[3]!);
    const h = Number(iso[4]);
    const min = Number(iso[5]);
    const sec = Number(iso[6] ?? 0);
    if (h > 23 || min > 59 || sec > 59) throw new WhenError(`${word} has no such time of day`);
    const wall = day * DAY_MS + h * HOUR_MS + min * MINUTE_MS + sec * 1000;
    const zoneText = iso[7];
    if (!zoneText) return zone.fromWall(wall);
    if (zoneText === "z") return wall;
    const off = /^([+-])(\d{2}):?(\d{2})$/.exec(zoneText)!;
    if (Number(off[2]) > 23 || Number(off[3]) > 59) throw new WhenError(`${word} has no such UTC offset`);
    const offMs = (Number(off[2]) * 60 + Number(off[3])) * MINUTE_MS;
    return wall - (off[1] === "-" ? -offMs : offMs);
  }
  const duration = parseDurationWord(w);
  if (duration !== null) return after + duration;
  const clock = parseClock(w);
  if (clock !== null) return nextClock(clock, zone, after);
  const day = parseDayPart(w, zone, now);
  if (day) return resolveDay(day, 0, zone, after);
  return null;
}

/** A Date holds ±8.64e15 ms; a duration like "+99999999999w" would otherwise make an Invalid Date. */
function instant(t: number, text: string): Date {
  const date = new Date(t);
  if (Number.isNaN(date.getTime())) throw new WhenError(`${text} is too far away to be a time`);
  return date;
}

function requireZone(name: string): Zone {
  try {
    return getZone(name);
  } catch (err) {
    throw new WhenError((err as Error).message);
  }
}

/**
 * Reads a time from `words[start]` (and `words[start + 1]` when the two form one time, as in
 * "tomorrow 18:00"). Returns the instant and how many words it used; throws WhenError saying what
 * is wrong.
 */
export function takeWhen(
  words: readonly string[],
  start: number,
  opts: WhenOptions,
): { readonly at: Date; readonly used: number } {
  const first = words[start];
  if (first === undefined) throw new WhenError(`a time is missing: use ${WHEN_EXAMPLES}`);
  const zone = requireZone(opts.timeZone);
  const now = opts.now.getTime();
  const after = (opts.after ?? opts.now).getTime();
  const second = words[start + 1];
  const day = parseDayPart(first, zone, now);
  if (day && second !== undefined) {
    const clock = parseClock(second);
    if (clock !== null)
      return { at: instant(resolveDay(day, clock, zone, after), `${first} ${second}`), used: 2 };
  }
  const one = parseOneWord(first, zone, now, after);
  if (one === null) throw new WhenError(`cannot read "${first}" as a time: use ${WHEN_EXAMPLES}`);
  return { at: instant(one, first), used: 1 };
}

/** Reads a whole text as one time (one or two words); throws WhenError otherwise. */
export function parseWhen(text: string, opts: WhenOptions): Date {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const { at, used } = takeWhen(words, 0, opts);
  if (used !== words.length) {
    throw new WhenError(`cannot read "${text.trim()}" as one time: use ${WHEN_EXAMPLES}`);
  }
  return at;
}
