// The walls of the layout (ARCHITECTURE.md), checked on the real import graph: features → platform →
// core, no feature from platform, nothing from sandbox/ in src/, and pure core/ and rules.ts files.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Packages whose import means I/O (network, disk, processes, Redis, queues, Slack, logging). */
const IO_PACKAGES = [
  /^node:(fs|http|https|net|child_process|dgram|dns|tls|worker_threads|cluster)(\/|$)/,
  /^(fs|http|https|net|child_process)$/,
  /^ioredis$/,
  /^bullmq$/,
  /^@slack\/(bolt|web-api|socket-mode)$/,
  /^pino$/,
  /^prom-client$/,
];

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (path.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** The specifiers a module imports or re-exports (static and dynamic), type imports included. */
function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re =
    /(?:^|\s)(?:import|export)\s(?:[^"';]*?\sfrom\s)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;
  for (const m of source.matchAll(re)) specs.push((m[1] ?? m[2]) as string);
  return specs;
}

function resolveSpec(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {}
  }
  return base;
}

interface Edge {
  readonly from: string;
  readonly spec: string;
  /** Absolute path for relative imports; null for packages. */
  readonly to: string | null;
}

const SRC_FILES = walk(join(ROOT, "src"));
const EDGES: Edge[] = SRC_FILES.flatMap((from) =>
  importsOf(readFileSync(from, "utf8")).map((spec) => ({ from, spec, to: resolveSpec(from, spec) })),
);

const rel = (p: string) => relative(ROOT, p);
const under = (p: string | null, folder: string) => p !== null && rel(p).startsWith(`${folder}/`);
const show = (edges: Edge[]) => edges.map((e) => `${rel(e.from)} imports ${e.spec}`);

/** Every module a file reaches through relative imports, itself included. */
function closure(start: string): Set<string> {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    for (const e of EDGES) {
      if (e.from === file && e.to && !seen.has(e.to)) {
        seen.add(e.to);
        stack.push(e.to);
      }
    }
  }
  return seen;
}

describe("the layout's walls", () => {
  it("reads imports, type and dynamic imports included", () => {
    const sample = [
      'import { a } from "./a";',
      'import type { B } from "../b";',
      'export { c } from "./c";',
      'const d = await import("./d");',
      'import "node:fs";',
    ].join("\n");
    expect(importsOf(sample)).toEqual(["./a", "../b", "./c", "./d", "node:fs"]);
  });

  it("src/ imports nothing outside src/ but the remediation handlers (never the sandbox)", () => {
    expect(show(EDGES.filter((e) => e.to && !under(e.to, "src") && !under(e.to, "handlers")))).toEqual([]);
  });

  it("core/ imports only core/ and pure packages", () => {
    const bad = EDGES.filter(
      (e) =>
        under(e.from, "src/core") &&
        (e.to ? !under(e.to, "src/core") : IO_PACKAGES.some((p) => p.test(e.spec))),
    );
    expect(show(bad)).toEqual([]);
  });

  it("platform/ imports no feature, no runtime and no composition", () => {
    const bad = EDGES.filter(
      (e) =>
        under(e.from, "src/platform") &&
        e.to !== null &&
        (under(e.to, "src/features") ||
          ["src/runtime.ts", "src/app.ts", "src/features.ts"].includes(rel(e.to))),
    );
    expect(show(bad)).toEqual([]);
  });

  it("every rules.ts reaches nothing with I/O", () => {
    const rules = SRC_FILES.filter((f) => f.endsWith("/rules.ts"));
    expect(rules.length).toBeGreaterThan(0);
    const bad: string[] = [];
    for (const file of rules) {
      for (const mod of closure(file)) {
        if (under(mod, "src/platform")) bad.push(`${rel(file)} reaches ${rel(mod)}`);
        for (const e of EDGES) {
          if (e.from === mod && e.to === null && IO_PACKAGES.some((p) => p.test(e.spec)))
            bad.push(`${rel(file)} reaches ${rel(mod)}, which imports ${e.spec}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
