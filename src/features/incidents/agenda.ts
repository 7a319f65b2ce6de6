// The weekly review's agenda and its schedule. Pure: the incidents and postmortems are passed in,
// and so is the time.

import type { ReviewConfig, Weekday } from "../../core/config";
import { DAY_MS, getZone, MINUTE_MS, weekdayOfDay } from "../../core/tz";
import {
  compareByImpact,
  type Incident,
  incidentDurationMs,
  isNearMiss,
  type PostmortemStatus,
  postmortemStatus,
} from "./incident";
import type { Postmortem } from "./postmortem";

export interface AgendaEntry {
  readonly incident: Incident;
  readonly postmortem: PostmortemStatus;
  readonly nearMiss: boolean;
  readonly durationMs: number;
  readonly owner: string | null;
  readonly actionItems: number;
}

export interface Agenda {
  readonly since: string;
  readonly until: string;
  /** Incidents with user impact to discuss, worst first. */
  readonly incidents: readonly AgendaEntry[];
  /** Near misses to discuss, worst first. */
  readonly nearMisses: readonly AgendaEntry[];
  /** Resolved incidents that still lack a postmortem, including ones from before `since`; oldest first. */
  readonly missingPostmortems: readonly AgendaEntry[];
}

export interface AgendaInput {
  /** Every incident that may matter: those of the period and older ones still owing a postmortem. */
  readonly incidents: readonly Incident[];
  readonly postmortems: ReadonlyMap<string, Postmortem>;
  readonly since: Date;
  readonly until: Date;
}

/**
 * What happened in the period (since, until]: declared in it, resolved in it, or still open at its
 * end. An incident declared at the very instant of a review belongs to that review. One that spans
 * two reviews appears in both, so an open one is never forgotten.
 */
export function inPeriod(incident: Incident, since: Date, until: Date): boolean {
  const declared = Date.parse(incident.declaredAt);
  if (declared > until.getTime()) return false;
  if (declared > since.getTime()) return true;
  if (incident.status === "open") return true;
  const resolved = incident.resolvedAt ? Date.parse(incident.resolvedAt) : Number.NaN;
  return resolved > since.getTime() && resolved <= until.getTime();
}

export function buildAgenda(input: AgendaInput): Agenda {
  const { since, until } = input;
  const entry = (incident: Incident): AgendaEntry => {
    const pm = input.postmortems.get(incident.id) ?? null;
    return {
      incident,
      postmortem: postmortemStatus(incident, pm !== null),
      nearMiss: isNearMiss(pm),
      durationMs: incidentDurationMs(incident, until),
      owner: incident.owner,
      actionItems: pm?.actionItems.length ?? 0,
    };
  };
  const byImpact = compareByImpact(until);
  const period = input.incidents
    .filter((i) => inPeriod(i, since, until))
    .sort(byImpact)
    .map(entry);
  const missing = input.incidents
    .filter((i) => Date.parse(i.declaredAt) <= until.getTime())
    .map(entry)
    .filter((e) => e.postmortem === "missing")
    .sort(
      (a, b) =>
        Date.parse(a.incident.declaredAt) - Date.parse(b.incident.declaredAt) ||
        a.incident.number - b.incident.number,
    );
  return {
    since: since.toISOString(),
    until: until.toISOString(),
    incidents: period.filter((e) => !e.nearMiss),
    nearMisses: period.filter((e) => e.nearMiss),
    missingPostmortems: missing,
  };
}

// --- when the review happens ---------------------------------------------------------------------

const WEEKDAY_INDEX: Record<Weekday, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/** The cron pattern for the review's day and time (read in the review's time zone). */
export function reviewCron(review: Pick<ReviewConfig, "day" | "time">): string {
  return `${review.time.minute} ${review.time.hour} * * ${WEEKDAY_INDEX[review.day]}`;
}

export interface ReviewSlot {
  /** The instant of the review. */
  readonly at: Date;
  /** ISO week of the review's local date, e.g. "2026-W48": one review per week. */
  readonly week: string;
}

/** The latest scheduled review at or before `now`. */
export function reviewSlotAt(review: ReviewConfig, now: Date): ReviewSlot {
  const zone = getZone(review.timezone);
  const wall = zone.toWall(now.getTime());
  const today = Math.floor(wall / DAY_MS);
  const minutes = review.time.hour * 60 + review.time.minute;
  let day = today - ((weekdayOfDay(today) - WEEKDAY_INDEX[review.day] + 7) % 7);
  if (day * DAY_MS + minutes * MINUTE_MS > wall) day -= 7;
  return { at: new Date(zone.fromWall(day * DAY_MS + minutes * MINUTE_MS)), week: isoWeek(day) };
}

/** ISO 8601 week ("2026-W48") of a day number (days since 1970-01-01). */
export function isoWeek(day: number): string {
  // The week belongs to the year of its Thursday.
  const thursday = day - ((weekdayOfDay(day) + 6) % 7) + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1) / DAY_MS;
  const week = Math.floor((thursday - jan1) / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}
