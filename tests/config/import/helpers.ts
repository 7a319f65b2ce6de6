// Shared by the import tests: the sample exports, a fixed "now" between their past and future
// overrides, temp output dirs, and reading the written config back with the project's own loader.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkConfig } from "../../../src/config/check";
import { runImport } from "../../../src/config/import/cli";
import { loadConfig } from "../../../src/config/load";
import type { OncallConfig } from "../../../src/core/config";

export const NOW = new Date("2026-12-03T08:00:00Z");
export const FIXTURES = fileURLToPath(new URL("../../fixtures/import/", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const fixture = (name: string) => join(FIXTURES, name);
export const PEOPLE = fixture("people.yaml");
export const CHANNELS = fixture("channels.yaml");

export function readFixture(name: string): unknown {
  return JSON.parse(readFileSync(fixture(name), "utf8"));
}

const dirs: string[] = [];

export function outDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "oncall-import-"));
  dirs.push(dir);
  return dir;
}

export function removeOutDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), "utf8");
}

/** Runs the import with the sample people and channel mappings and no Slack token. */
export async function importSample(product: string, extra: readonly string[] = []) {
  const dir = outDir();
  const run = await runImport(
    [product, fixture(`${product}.json`), "--out", dir, "--people", PEOPLE, "--channels", CHANNELS, ...extra],
    { now: NOW, env: {} },
  );
  return { dir, run, text: run.lines.join("\n") };
}

/** config:check's verdict, then the loaded config (throws if it does not load). */
export function check(dir: string): { exitCode: number; lines: readonly string[] } {
  return checkConfig(["--config", dir], { env: {} });
}

export function load(dir: string): OncallConfig {
  return loadConfig(dir);
}
