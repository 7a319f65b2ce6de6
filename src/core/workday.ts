// Team working hours: may the on-call engineer hand an alert to the owning team now, and if not,
// when does the team's next workday start. Pure; the holiday calendars are memoized per region.
//
// A workday period is [start, end) on a local work date that is not a public holiday, with start and
// end resolved to instants by tz.ts's DST rules (a start inside a spring-forward gap begins at the
// transition; one inside a fall-back overlap at its first occurrence). End 1440 is the next local
// midnight, so 0-1440 is the whole day.

import Holidays from "date-holidays";
import type { Team, Weekday } from "./config";
import { DAY_MS, formatLocalDate, getZone, MINUTE_MS, parseLocalDate, weekdayOfDay, type Zone } from "./tz";

type WorkdayOwner = Pick<Team, "timezone" | "workdays">;

const SUNDAY_FIRST: readonly Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const SEARCH_DAYS = 400;

const calendars = new Map<string, Holidays>();
const holidaysByYear = new Map<string, ReadonlySet<string>>();
let known: Holidays | undefined;

/** The date-holidays calendar of "DE", "DE-BY", "US-NY" (country, state, region); throws if unknown. */
function calendar(region: string): Holidays {
  let hd = calendars.get(region);
  if (hd) return hd;
  const [country = "", state, subregion, ...rest] = region.toUpperCase().split("-");
  // date-holidays silently yields no (or the country's) holidays for unknown codes; refuse instead,
  // or a typo would quietly make every holiday a workday.
  known ??= new Holidays();
  const hint = 'expected a date-holidays region such as "DE", "DE-BY" or "US-NY"';
  if (rest.length > 0 || !(country in known.getCountries())) {
    throw new RangeError(`Unknown holiday region "${region}": ${hint}`);
  }
  if (state !== undefined && !(state in (known.getStates(country) ?? {}))) {
    throw new RangeError(`Unknown holiday region "${region}": no state "${state}" in ${country}; ${hint}`);
  }
  if (
    state !== undefined &&
    subregion !== undefined &&
    !(subregion in (known.getRegions(country, state) ?? {}))
  ) {
    throw new RangeError(
      `Unknown holiday region "${region}": no region "${subregion}" in ${country}-${state}`,
    );
  }
  hd =
    subregion !== undefined
      ? new Holidays(country, state!, subregion)
      : state !== undefined
        ? new Holidays(country, state)
        : new Holidays(country);
  calendars.set(region, hd);
  return hd;
}

/** Local dates (YYYY-MM-DD) of the region's public holidays in `year`. */
function publicHolidays(region: string, year: number): ReadonlySet<string> {
  const key = `${region}:${year}`;
  let dates = holidaysByYear.get(key);
  if (dates) return dates;
  const hd = calendar(region);
  const set = new Set<string>();
  // A multi-day holiday starting in the previous year can reach into this one.
  for (const h of [...hd.getHolidays(year - 1), ...hd.getHolidays(year)]) {
    if (h.type !== "public") continue;
    const first = parseLocalDate(h.date.slice(0, 10));
    // Partial-day holidays (e.g. from 14:00) still take the whole date off.
    const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
    for (let d = 0; d < days; d++) {
      const date = formatLocalDate(first + d);
      if (date.startsWith(`${year}-`)) set.add(date);
    }
  }
  dates = set;
  holidaysByYear.set(key, dates);
  return dates;
}

/** Whether `localDate` (YYYY-MM-DD, the region's local date) is a public holiday in `region`. */
export function isPublicHoliday(region: string, localDate: string): boolean {
  parseLocalDate(localDate);
  return publicHolidays(region, Number(localDate.slice(0, 4))).has(localDate);
}

function isWorkDate(team: WorkdayOwner, day: number): boolean {
  const { days, holidays } = team.workdays;
  if (!days.includes(SUNDAY_FIRST[weekdayOfDay(day)]!)) return false;
  return !(holidays && isPublicHoliday(holidays, formatLocalDate(day)));
}

function checkedHours(team: WorkdayOwner): { startMinute: number; endMinute: number } {
  const { startMinute, endMinute } = team.workdays.hours;
  if (
    !(
      Number.isInteger(startMinute) &&
      Number.isInteger(endMinute) &&
      0 <= startMinute &&
      startMinute < endMinute &&
      endMinute <= 1440
    )
  ) {
    throw new RangeError(
      `Invalid working hours ${startMinute}-${endMinute}: need 0 <= start < end <= 1440 minutes`,
    );
  }
  return { startMinute, endMinute };
}

function periodStart(zone: Zone, day: number, startMinute: number): number {
  return zone.fromWall(day * DAY_MS + startMinute * MINUTE_MS);
}

/** Whether `at` falls inside one of the team's workday periods. */
export function isInWorkday(team: WorkdayOwner, at: Date): boolean {
  const t = at.getTime();
  if (!Number.isFinite(t)) throw new RangeError("isInWorkday: invalid date");
  const { startMinute, endMinute } = checkedHours(team);
  const zone = getZone(team.timezone);
  const today = Math.floor(zone.toWall(t) / DAY_MS);
  // The day before only matters where a fall-back crosses midnight and yesterday's period ends late.
  for (const day of [today, today - 1]) {
    if (!isWorkDate(team, day)) continue;
    if (periodStart(zone, day, startMinute) <= t && t < periodStart(zone, day, endMinute)) return true;
  }
  return false;
}

/**
 * The start of the first workday period beginning strictly after `at` (so from inside a workday it is
 * the next one). Throws if none begins within ~400 days, e.g. with no work days configured.
 */
export function nextWorkdayStart(team: WorkdayOwner, at: Date): Date {
  const t = at.getTime();
  if (!Number.isFinite(t)) throw new RangeError("nextWorkdayStart: invalid date");
  const { startMinute } = checkedHours(team);
  const zone = getZone(team.timezone);
  const today = Math.floor(zone.toWall(t) / DAY_MS);
  if (team.workdays.days.length > 0) {
    for (let day = today; day <= today + SEARCH_DAYS; day++) {
      if (!isWorkDate(team, day)) continue;
      const start = periodStart(zone, day, startMinute);
      if (start > t) return new Date(start);
    }
  }
  const { days, holidays } = team.workdays;
  throw new Error(
    `No workday starts within ${SEARCH_DAYS} days after ${at.toISOString()} ` +
      `(days: [${days.join(", ")}], holidays: ${holidays ?? "none"}, time zone ${team.timezone})`,
  );
}
