// Zod building blocks for config fields. Every schema carries a message written for the person
// editing the YAML: what the value must look like, with an example.

import { z } from "zod";
import type { Weekday } from "../core/config";
import { holidayRegionProblem } from "./holidays";
import * as parse from "./parse";
import { hint } from "./suggest";
import { isTimeZone, timeZoneMessage } from "./timezones";

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * An object that refuses unknown keys, one issue per key at the key's own path (so the error points
 * at the typo's line) with a "did you mean". Zod's strict objects report all unknown keys as a single
 * issue on the parent.
 */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) {
  const allowed = Object.keys(shape);
  return z.looseObject(shape, { error: `a mapping of ${what}` }).check(
    z.superRefine(
      (value: Record<string, unknown>, ctx) => {
        for (const key of Object.keys(value)) {
          if (allowed.includes(key)) continue;
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `unknown field ${JSON.stringify(key)}${hint(key, allowed, "allowed fields")}`,
          });
        }
      },
      // Run even when sibling fields failed, but only on a mapping (a wrong type is reported already).
      { when: (payload) => isMapping(payload.value) },
    ),
  );
}

/** A string turned into a typed value by one of the `parse.ts` parsers. */
function parsedText<T>(expected: string, read: (text: string) => T) {
  return z.string({ error: expected }).transform((text, ctx): T => {
    try {
      return read(text);
    } catch (error) {
      if (!(error instanceof parse.ParseError)) throw error;
      ctx.issues.push({ code: "custom", message: error.message, input: text });
      return z.NEVER;
    }
  });
}

/** A string checked by `problem`, which says what is wrong or returns null. */
function checkedText(expected: string, problem: (text: string) => string | null) {
  return z.string({ error: expected }).superRefine((text, ctx) => {
    const message = problem(text);
    if (message !== null) ctx.addIssue({ code: "custom", message, input: text });
  });
}

/** A list where each entry may appear once; the issue sits on the repeated entry. */
export function uniqueList<T extends z.ZodType>(item: T, expected: string, noun: string) {
  return z.array(item, { error: expected }).superRefine((list, ctx) => {
    const seen = new Map<string, number>();
    list.forEach((entry, index) => {
      const key = JSON.stringify(entry);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else {
        ctx.addIssue({
          code: "custom",
          path: [index],
          message: `${noun} ${key} is listed twice (also at [${first}]); remove one`,
          input: entry,
        });
      }
    });
  });
}

export const id = checkedText('an id such as "playback"', (text) =>
  /^[a-z0-9][a-z0-9_-]*$/.test(text)
    ? null
    : `${JSON.stringify(text)} is not a valid id; use lower-case letters, digits, "-" and "_", e.g. "stream-api"`,
);

/** A reference to an id defined elsewhere; whether it resolves is checked across files. */
export const reference = (what: string) =>
  z.string({ error: `the id of a ${what}` }).min(1, `is empty; name a ${what}`);

export const displayName = z.string({ error: "a display name" }).trim().min(1, "must not be empty");

export const slackChannel = checkedText('a Slack channel id such as "C0ONCALL"', (text) =>
  /^[CG][A-Z0-9]{2,}$/.test(text)
    ? null
    : `${JSON.stringify(text)} is not a Slack channel id; use the channel's id (C… or G…, upper-case letters and digits, shown in the channel's details), not its name`,
);

export const slackUser = checkedText('a Slack user id such as "U01AAA"', (text) =>
  /^[UW][A-Z0-9]{2,}$/.test(text)
    ? null
    : `${JSON.stringify(text)} is not a Slack user id; use the member id (U… or W…, upper-case letters and digits, from the user's profile), e.g. "U01AAA"`,
);

export const timeZone = checkedText('an IANA time zone such as "Europe/Berlin"', (text) =>
  isTimeZone(text) ? null : timeZoneMessage(text),
);

export const holidayRegion = checkedText('a holiday region such as "DE" or "US-NY"', holidayRegionProblem);

export const weekday = parsedText<Weekday>(
  "a weekday: mon, tue, wed, thu, fri, sat or sun",
  parse.parseWeekday,
);
export const timeOfDay = parsedText('a time of day such as "10:00" (quote it in YAML)', parse.parseTimeOfDay);
export const workHours = parsedText('working hours such as "09:00-18:00"', parse.parseWorkHours);
export const shiftLength = parsedText('a shift length such as "1w", "1d" or "12h"', parse.parseShiftLength);
export const durationMs = parsedText('a duration such as "15m"', parse.parseDuration);
export const localDate = parsedText('a date such as "2026-01-05"', parse.parseLocalDate);

const WEEK_MS = 7 * 86_400_000;

export const wholeWeeks = parsedText('a number of weeks such as "4w"', (text) => {
  const ms = parse.parseDuration(text);
  if (ms % WEEK_MS !== 0) {
    throw new parse.ParseError(
      "duration",
      text,
      `${JSON.stringify(text)} is not a whole number of weeks; use e.g. "4w"`,
    );
  }
  return ms / WEEK_MS;
});

export const wholeNumber = (what: string, min: number) =>
  z
    .number({ error: `a whole number (${what})` })
    .int(`must be a whole number (${what})`)
    .min(min, `must be at least ${min} (${what})`);

export const flag = z.boolean({ error: "true or false" });

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Alert label matchers: label name -> exact value, all of which must match. */
export const labelMatch = z
  .record(z.string(), z.string({ error: 'a label value in quotes, e.g. "8080"' }), {
    error: "a mapping of alert labels to values, e.g. { job: stream-api }",
  })
  .superRefine((match, ctx) => {
    const names = Object.keys(match);
    if (names.length === 0) {
      ctx.addIssue({
        code: "custom",
        message: "is empty, so it would match every alert; add at least one label, e.g. { job: stream-api }",
      });
    }
    for (const name of names) {
      if (!LABEL_NAME.test(name) || name.startsWith("__")) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `${JSON.stringify(name)} is not a usable label name; use letters, digits and "_" (not starting with a digit or "__")`,
        });
      }
    }
  });
