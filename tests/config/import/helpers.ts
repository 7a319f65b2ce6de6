// Shared by the import tests: the sample exports, a fixed "now" between their past and future
// overrides, temp output dirs, and reading the written config back with the project's own loader.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { checkConfig } from "../../../src/config/check";
import { buildConfig, type Note, type NoteKind } from "../../../src/config/import/build";
import { PRODUCTS, runImport } from "../../../src/config/import/cli";
import type { Product } from "../../../src/config/import/source";
import { loadConfig } from "../../../src/config/load";
import type { OncallConfig, Rotation } from "../../../src/core/config";

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

/** Imports the product's sample, expects the import and config:check to pass, and loads the result. */
export async function importChecked(product: string): Promise<OncallConfig> {
  const { dir, run, text } = await importSample(product);
  expect(run.exitCode, text).toBe(0);
  expect(check(dir)).toMatchObject({ exitCode: 0 });
  return load(dir);
}

/** The messages of the import's notes of one kind. */
export function notesOf(result: { notes: readonly Note[] }, kind: NoteKind): string[] {
  return result.notes.filter((n) => n.kind === kind).map((n) => n.message);
}

/**
 * A rotation in one line: id, turn length, first hand-off (its weekday for weekly turns), zone, and
 * who takes the turns: "payments: 1w from 2026-01-05, mon 10:00 America/New_York; U01AAA (payments), …".
 */
export function summary(r: Rotation): string {
  const { hour, minute } = r.handoff.time;
  const day = r.shift.unit === "w" ? `${r.handoff.day} ` : "";
  const at = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
  const turns = r.participants.map((p) => `${p.user} (${p.team})`).join(", ");
  return `${r.id}: ${r.shift.amount}${r.shift.unit} from ${r.start}, ${day}${at} ${r.timezone}; ${turns}`;
}

/** Builds config from the product's sample export at NOW; `edit` may change the parsed JSON first. */
export function buildSample<Data>(
  product: Product,
  slackIds: ReadonlyMap<string, string>,
  options: { merge?: boolean; edit?: (data: Data) => void } = {},
) {
  const file = `${product}.json`;
  const data = readFixture(file);
  options.edit?.(data as Data);
  return buildConfig(PRODUCTS[product](data, file), { now: NOW, slackIds, merge: options.merge });
}
