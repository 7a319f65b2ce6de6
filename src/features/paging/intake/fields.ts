// Zod building blocks shared by the webhook parsers. Outside data is hostile until proven
// otherwise: label maps are rebuilt as plain own-property records, links must be http(s).

import { z } from "zod";
import { describeValue } from "./issues";

export const statusSchema = z.enum(["firing", "resolved"]);

/**
 * An object of string values. Hand-checked rather than z.record: zod drops a `__proto__` key,
 * which would silently change an alert's label set (and so its fingerprint).
 */
function stringMap(opts: { requireAlertname: boolean }) {
  return z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined && !opts.requireAlertname) return;
      if (!isPlainObject(value)) {
        ctx.addIssue({
          code: "custom",
          message: `expected an object of strings, got ${describeValue(value)}`,
        });
        return;
      }
      for (const [key, v] of Object.entries(value)) {
        if (typeof v !== "string") {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `expected a string, got ${describeValue(v)}`,
          });
        }
      }
      if (opts.requireAlertname) {
        const name = value.alertname;
        if (typeof name !== "string" || name === "") {
          ctx.addIssue({
            code: "custom",
            path: ["alertname"],
            message: `every alert needs an alertname label (a non-empty string), got ${describeValue(name)}`,
          });
        }
      }
    })
    .transform((value): Record<string, string> => (isPlainObject(value) ? copyRecord(value) : {}));
}

export const labelMap = stringMap({ requireAlertname: false });
export const alertLabels = stringMap({ requireAlertname: true });

export const timestamp = z.string().transform((value, ctx) => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({
      code: "custom",
      message: `expected an RFC 3339 timestamp like "2026-11-24T21:03:12Z", got ${describeValue(value)}`,
    });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

/** Alertmanager's "not ended" is Go's zero time, 0001-01-01T00:00:00Z; missing or empty means the same. */
export const endTimestamp = z
  .string()
  .nullable()
  .optional()
  .transform((value, ctx): string | null => {
    if (value === null || value === undefined || value === "") return null;
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) {
      ctx.addIssue({
        code: "custom",
        message: `expected an RFC 3339 timestamp or 0001-01-01T00:00:00Z, got ${describeValue(value)}`,
      });
      return z.NEVER;
    }
    return ms <= 0 ? null : new Date(ms).toISOString();
  });

/** A link we may put in a Slack button. A bad link is dropped, never a reason to refuse a page. */
export const link = z
  .unknown()
  .optional()
  .transform((value): string | null => safeHttpUrl(value));

export function safeHttpUrl(value: unknown): string | null {
  if (typeof value !== "string" || value === "") return null;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? value : null;
  } catch {
    return null;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Object.fromEntries defines own properties, so even a `__proto__` label stays an ordinary key. */
function copyRecord(value: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}
