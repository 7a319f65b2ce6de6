// Turns zod's issues into `ConfigIssue`s: a field path people can read, the line it came from, and a
// sentence that says what was expected and what was found.

import type { z } from "zod";
import type { ConfigIssue } from "./errors";
import type { Path, YamlSource } from "./yaml-source";

/** ["teams", 1, "timezone"] -> "teams[1].timezone"; odd keys are quoted: match["app.kubernetes.io/name"]. */
export function formatPath(path: Path): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else {
      const key = String(segment);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out === "" ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

function describeValue(value: unknown): string {
  if (value === null) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return `${typeof value} ${String(value)}`;
}

// Zod's own wording, used when a schema gave none; ours are phrases like `a duration such as "15m"`.
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

/**
 * How a schema words its messages: ours give `error` as a noun phrase (`a duration such as "15m"`)
 * that reads after "expected"; others (handler params) write whole sentences.
 */
export type Wording = "phrase" | "sentence";

function describe(issue: z.core.$ZodIssue, wording: Wording): string {
  if (issue.code !== "invalid_type") return issue.message;
  const custom = !ZOD_DEFAULT.test(issue.message);
  if (custom && wording === "sentence") {
    return issue.input === undefined ? issue.message : `${issue.message} (got ${describeValue(issue.input)})`;
  }
  const expected = custom ? issue.message : `a ${issue.expected}`;
  if (issue.input === undefined) return `is missing; add ${expected}`;
  if (issue.input === null) return `is empty; expected ${expected}`;
  return `expected ${expected}, got ${describeValue(issue.input)}`;
}

/** Maps issues found in (a part of) `source`; `base` is the path of that part within the file. */
export function toConfigIssues(
  issues: readonly z.core.$ZodIssue[],
  source: YamlSource,
  base: Path = [],
  wording: Wording = "phrase",
): ConfigIssue[] {
  const located = (path: Path, message: string): ConfigIssue => ({
    file: source.file,
    line: source.lineAt(path),
    field: formatPath(path),
    message,
  });
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path];
    // Schemas from outside (handler params) may use zod's strict objects: one issue per unknown key.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => located([...path, key], `unknown field ${JSON.stringify(key)}`));
    }
    return [located(path, describe(issue, wording))];
  });
}

/** Parses `data` (by default the whole file) and returns either the value or located issues. */
export function validate<T extends z.ZodType>(
  schema: T,
  source: YamlSource,
  data: unknown = source.data,
  base: Path = [],
): { ok: true; value: z.output<T> } | { ok: false; issues: ConfigIssue[] } {
  const result = schema.safeParse(data, { reportInput: true });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, issues: toConfigIssues(result.error.issues, source, base) };
}
