// Builds broken configs for the loader tests: copy the minimal valid config to a temp dir, apply
// a patch, and read back the issues. Temp dirs are removed by `removeConfigDirs` (afterEach).

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { z } from "zod";
import { ConfigError, type ConfigIssue } from "../../src/config/errors";
import { loadConfig } from "../../src/config/load";
import type { HandlerMap } from "../../src/config/read";
import type { OncallConfig } from "../../src/core/config";

/** The environment the bot needs at the least (Slack token and secret, webhook token): add what a test reads. */
export const MINIMAL_ENV = {
  SLACK_BOT_TOKEN: "xoxb-1",
  SLACK_SIGNING_SECRET: "secret",
  ALERT_WEBHOOK_TOKEN: "0123456789abcdef0123",
} as const;

export const MINIMAL = fileURLToPath(new URL("../fixtures/config/minimal", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Stand-ins for the real registry, so these tests do not depend on handlers/. */
export const TEST_HANDLERS: HandlerMap = new Map([
  [
    "echo",
    {
      params: z.strictObject({
        text: z.string({ error: "text must be a string" }),
        times: z.int().min(1).optional(),
      }),
    },
  ],
  ["noop", { params: z.strictObject({}) }],
]);

/** file -> new content, null to delete, or a function of the current content. */
export type Patch = Readonly<Record<string, string | null | ((text: string) => string)>>;

const created: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "oncall-config-"));
  created.push(dir);
  return dir;
}

export function configDir(patch: Patch = {}, base = MINIMAL): string {
  const dir = tempDir();
  cpSync(base, dir, { recursive: true });
  for (const [file, change] of Object.entries(patch)) {
    const path = join(dir, file);
    if (change === null) rmSync(path, { recursive: true, force: true });
    else {
      const next = typeof change === "string" ? change : change(readFileSync(path, "utf8"));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, next);
    }
  }
  return dir;
}

export function removeConfigDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A patch step that fails loudly when the base fixture no longer contains `from`. */
export function replace(from: string | RegExp, to: string): (text: string) => string {
  return (text) => {
    if (typeof from === "string" ? !text.includes(from) : !from.test(text)) {
      throw new Error(`patch: ${String(from)} not found in fixture`);
    }
    return text.replace(from, to);
  };
}

export function load(dir: string): OncallConfig {
  return loadConfig(dir, { handlers: TEST_HANDLERS });
}

export function issuesOf(dir: string): ConfigIssue[] {
  try {
    load(dir);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error("expected the config to be refused");
}

/** 1-based line of the first line containing `needle` in a file of the config dir. */
export function lineOf(dir: string, file: string, needle: string): number {
  const index = readFileSync(join(dir, file), "utf8")
    .split("\n")
    .findIndex((line) => line.includes(needle));
  if (index === -1) throw new Error(`${needle} not in ${file}`);
  return index + 1;
}

export interface Expected {
  readonly file: string;
  readonly field: string;
  /** A number, a needle whose line in `file` is meant, or null; omitted when not asserted. */
  readonly line?: number | string | null;
  readonly words: readonly string[];
}

/** Asserts that `issues` holds an issue at file+field whose message has all the key words. */
export function expectIssue(dir: string, issues: readonly ConfigIssue[], expected: Expected): ConfigIssue {
  const issue = issues.find(
    (i) =>
      i.file === expected.file &&
      i.field === expected.field &&
      expected.words.every((w) => i.message.includes(w)),
  );
  const got = issues.map((i) => JSON.stringify(i)).join("\n");
  expect(
    issue,
    `no issue at ${expected.file} ${expected.field} with ${expected.words.join(" / ")}; got:\n${got}`,
  ).toBeDefined();
  if (expected.line !== undefined) {
    const line =
      typeof expected.line === "string" ? lineOf(dir, expected.file, expected.line) : expected.line;
    expect(issue!.line).toBe(line);
  }
  return issue!;
}

/** Patch, load, and assert the one expected issue is among those reported. */
export function expectRefused(patch: Patch, expected: Expected): ConfigIssue {
  const dir = configDir(patch);
  return expectIssue(dir, issuesOf(dir), expected);
}
