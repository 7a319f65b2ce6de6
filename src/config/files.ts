// File-system access for the loader: every failure becomes a ConfigIssue naming the path.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConfigIssue } from "./errors";

export type TextResult = { ok: true; text: string } | { ok: false; issue: ConfigIssue };

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") return "cannot be read (permission denied)";
  if (code === "EISDIR") return "is a directory, not a file";
  return `cannot be read (${code ?? String(error)})`;
}

export function readText(root: string, file: string, whenMissing: string): TextResult {
  try {
    return { ok: true, text: readFileSync(join(root, file), "utf8") };
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
    return {
      ok: false,
      issue: { file, line: null, field: "", message: missing ? whenMissing : reason(error) },
    };
  }
}

/** Names of regular files in `dir` matching `pattern`, sorted; null when the directory is absent. */
export function listFiles(root: string, dir: string, pattern: RegExp): string[] | null {
  try {
    return readdirSync(join(root, dir), { withFileTypes: true })
      .filter((entry) => entry.isFile() && pattern.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
