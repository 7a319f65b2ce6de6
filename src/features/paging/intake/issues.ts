// Turns zod's issues into one IntakeError whose text tells the sender's operator exactly which
// field is wrong and what we expected, e.g. `alerts[1].status: expected "firing" or "resolved", got "pending"`.

import type { z } from "zod";
import { hint } from "../../../config/suggest";
import { IntakeError, type IntakeIssue } from "./types";

// Every problem is listed, so the sender's operator fixes them in one round; this only bounds the
// answer to a payload that is wrong everywhere (a thousand alerts of the wrong shape).
const MAX_REPORTED = 100;

export interface IssueContext {
  /** The fields a strict object accepts, keyed by its path ("" for the top level): a typo gets a suggestion. */
  readonly knownFields?: Readonly<Record<string, readonly string[]>>;
}

export function intakeErrorFrom(error: z.ZodError, context: IssueContext = {}): IntakeError {
  const all = error.issues.flatMap((issue) => toIntakeIssues(issue, context));
  const issues = all.slice(0, MAX_REPORTED);
  const [first, ...rest] = issues;
  if (!first) return new IntakeError("", "invalid payload");
  const more = all.length - issues.length;
  if (more > 0) {
    const last = issues.at(-1)!;
    rest[rest.length - 1] = {
      ...last,
      message: `${last.message} (and ${more} more problem${more === 1 ? "" : "s"} not listed)`,
    };
  }
  return new IntakeError(first.field, first.message, rest);
}

function toIntakeIssues(issue: z.core.$ZodIssue, context: IssueContext): IntakeIssue[] {
  if (issue.code === "unrecognized_keys") {
    // One issue per field, named by the field itself: "label: unknown field; did you mean "labels"?"
    const known = context.knownFields?.[formatPath(issue.path)] ?? [];
    return issue.keys.map((key) => ({
      field: formatPath([...issue.path, key]),
      message: `unknown field${hint(key, known, "known fields")}`,
    }));
  }
  return [{ field: formatPath(issue.path), message: describeIssue(issue) }];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${withArticle(issue.expected)}, got ${describeValue(issue.input)}`;
    case "invalid_value":
      return `expected ${orList(issue.values.map((v) => JSON.stringify(v)))}, got ${describeValue(issue.input)}`;
    default:
      // Our schemas give every other check a message written for people.
      return issue.message;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment)) {
      out += out === "" ? segment : `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

function withArticle(expected: string): string {
  const noun = expected === "record" ? "object" : expected;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "nothing";
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
