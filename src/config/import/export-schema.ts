// Shared pieces of the export schemas: instants, paged list responses, and turning zod's issues
// into an ImportError that names the file and the field ("export.json: schedules.data[0].rotations[1].type: …").
// Schemas are loose objects: the products' responses carry many fields the import does not read.

import { z } from "zod";
import { getZone } from "../../core/tz";
import { formatPath } from "../zod-issues";
import { ImportError } from "./source";

/** An ISO 8601 instant with a zone or offset, as Opsgenie and PagerDuty write them. */
export const instant = z
  .string({ error: 'an ISO 8601 date-time such as "2026-01-05T09:00:00Z"' })
  .refine((s) => /(Z|[+-]\d{2}:?\d{2})$/.test(s) && Number.isFinite(Date.parse(s)), {
    error: 'an ISO 8601 date-time with a zone, such as "2026-01-05T09:00:00Z"',
  })
  .transform((s) => new Date(s));

/** A local date-time without zone ("2026-01-05T09:00:00", Grafana OnCall), kept as written. */
export const localDateTime = z
  .string({ error: 'a date-time such as "2026-01-05T09:00:00"' })
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/, {
    error: 'a date-time such as "2026-01-05T09:00:00"',
  });

/** The instant a local date-time shows in `zone` (or its own offset, when it has one). */
export function atZone(text: string, zone: string): Date {
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(text)) return new Date(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text)!;
  const wall = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0));
  return new Date(getZone(zone).fromWall(wall));
}

/**
 * A list response, or several pages of it (an array of responses, as a paging loop collects them):
 * `key` is the field holding the items ("data", "schedules", "results").
 */
export function pages<T extends z.ZodType>(key: string, item: T) {
  const page = z.looseObject(
    { [key]: z.array(item, { error: `a list of items under "${key}"` }) },
    { error: `a response with a "${key}" list, or an array of such pages` },
  );
  const paged = z.array(page);
  // Chosen by shape rather than as a union, so a bad field deep inside is reported as itself.
  return z.unknown().transform((value, ctx): z.output<T>[] => {
    const result = Array.isArray(value)
      ? paged.safeParse(value, { reportInput: true })
      : page.safeParse(value, { reportInput: true });
    if (result.success) {
      const list = Array.isArray(result.data) ? result.data : [result.data];
      return list.flatMap((one) => one[key] as z.output<T>[]);
    }
    for (const issue of result.error.issues) {
      ctx.issues.push({ code: "custom", path: issue.path, message: issueMessage(issue), input: value });
    }
    return z.NEVER;
  });
}

function describeInput(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return JSON.stringify(value);
}

/** "expected …, got …" for zod's own issues; ours (custom) are already sentences. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === "custom") return issue.message;
  const got = "input" in issue ? `, got ${describeInput(issue.input)}` : "";
  if (issue.code === "invalid_type" && !/^(a|an|the|one of) /.test(issue.message)) {
    return `expected ${issue.expected}${got}`;
  }
  if (issue.code === "invalid_union" || issue.code === "invalid_value" || issue.code === "invalid_type") {
    return `expected ${issue.message}${got}`;
  }
  return issue.message;
}

/** Parses the export or throws an ImportError listing every malformed field (the first 20). */
export function readExport<T extends z.ZodType>(
  schema: T,
  data: unknown,
  file: string,
  what: string,
): z.output<T> {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues
    .slice(0, 20)
    .map(
      (issue) =>
        `${file}: ${formatPath(issue.path as (string | number)[]) || "(top level)"}: ${issueMessage(issue)}`,
    );
  const more = result.error.issues.length > 20 ? [`… and ${result.error.issues.length - 20} more`] : [];
  throw new ImportError(
    `${file} is not a${/^[AEIOU]/.test(what) ? "n" : ""} ${what} export as documented:\n${[...lines, ...more].join("\n")}`,
  );
}
