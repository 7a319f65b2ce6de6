// Parsers for the small textual formats used in config files. They are shared with slash-command
// parsing, so they take plain strings and throw a `ParseError` whose message can be shown to a user
// as is: it quotes the input and gives a valid example.

import type { ShiftLength, TimeOfDay, Weekday, WorkHours } from "../core/config";
import { WEEKDAYS } from "../core/config";
import { CodedError, ErrorCode } from "../platform/errors";

export type ParseKind = "duration" | "time" | "work-hours" | "shift" | "date" | "weekday";

export class ParseError extends CodedError {
  readonly code = ErrorCode.ParseError;
  override readonly name = "ParseError";
  readonly kind: ParseKind;
  readonly input: string;

  constructor(kind: ParseKind, input: string, message: string) {
    super(message);
    this.kind = kind;
    this.input = input;
  }
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** "15m" -> 900000. A whole positive number and one unit: s, m, h, d (24h) or w (7d). */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  const amount = match ? Number(match[1]) : 0;
  const ms = match ? amount * UNIT_MS[match[2] as keyof typeof UNIT_MS] : 0;
  if (!match || amount <= 0 || !Number.isSafeInteger(ms)) {
    throw new ParseError(
      "duration",
      text,
      `${JSON.stringify(text)} is not a duration; use a whole positive number and a unit s, m, h, d or w, e.g. "15m" or "2h"`,
    );
  }
  return ms;
}

function minutesOf(text: string, allowEndOfDay: boolean): number | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (allowEndOfDay && hour === 24 && minute === 0) return 1440;
  if (hour > 23 || minute > 59) return null;
  return hour * 60 + minute;
}

/** "10:00" -> { hour: 10, minute: 0 }; 00:00 to 23:59, a one-digit hour is accepted. */
export function parseTimeOfDay(text: string): TimeOfDay {
  const total = minutesOf(text, false);
  if (total === null) {
    throw new ParseError(
      "time",
      text,
      `${JSON.stringify(text)} is not a time of day; use HH:MM from 00:00 to 23:59, e.g. "10:00"`,
    );
  }
  return { hour: Math.floor(total / 60), minute: total % 60 };
}

/** "09:00-18:00" -> minutes from midnight; "24:00" may end the range ("00:00-24:00" is all day). */
export function parseWorkHours(text: string): WorkHours {
  const match = /^([^-]+)-([^-]+)$/.exec(text.trim());
  const start = match ? minutesOf(match[1]!, false) : null;
  const end = match ? minutesOf(match[2]!, true) : null;
  if (start === null || end === null) {
    throw new ParseError(
      "work-hours",
      text,
      `${JSON.stringify(text)} is not a range of working hours; use HH:MM-HH:MM, e.g. "09:00-18:00" ("00:00-24:00" for the whole day)`,
    );
  }
  if (start >= end) {
    // Overnight ranges would make "is the team at work now" depend on the previous day's date,
    // which the holiday and weekday rules do not model; refuse rather than guess.
    throw new ParseError(
      "work-hours",
      text,
      `${JSON.stringify(text)}: the start must be before the end; working hours that cross midnight are not supported`,
    );
  }
  return { startMinute: start, endMinute: end };
}

/** "1w" -> { unit: "w", amount: 1 }. Hours must divide 24 so shifts line up with days. */
export function parseShiftLength(text: string): ShiftLength {
  const match = /^(\d+)([hdw])$/.exec(text.trim());
  const amount = match ? Number(match[1]) : 0;
  if (!match || amount <= 0 || amount > 1000) {
    throw new ParseError(
      "shift",
      text,
      `${JSON.stringify(text)} is not a shift length; use a whole positive number and h, d or w, e.g. "1w", "1d" or "12h"`,
    );
  }
  const unit = match[2] as ShiftLength["unit"];
  if (unit === "h" && 24 % amount !== 0) {
    throw new ParseError(
      "shift",
      text,
      `${JSON.stringify(text)}: shifts in hours must divide a day so hand-offs stay at the same times; use 1, 2, 3, 4, 6, 8, 12 or 24h`,
    );
  }
  return { unit, amount };
}

/** "mon" .. "sun", as written in config files and slash commands. */
export function parseWeekday(text: string): Weekday {
  const day = text.trim().toLowerCase();
  const found = WEEKDAYS.find((d) => d === day);
  if (!found) {
    throw new ParseError(
      "weekday",
      text,
      `${JSON.stringify(text)} is not a weekday; use one of ${WEEKDAYS.join(", ")}`,
    );
  }
  return found;
}

/** A calendar date "YYYY-MM-DD" that exists (no 2026-02-30); returned unchanged. */
export function parseLocalDate(text: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) {
      return text.trim();
    }
  }
  throw new ParseError(
    "date",
    text,
    `${JSON.stringify(text)} is not a date; use YYYY-MM-DD, e.g. "2026-01-05"`,
  );
}
