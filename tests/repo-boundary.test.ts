// Nothing in the repository may read a path outside it: a test that reached a folder beside the checkout passed
// only where a folder of that name happened to sit beside the checkout, and failed in a fresh clone.
// Every relative path literal (imports, new URL(…, import.meta.url), join(dirname, "..", …), shell
// paths) is resolved against its file's folder; absolute paths into a workstation are refused too.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SCANNED_DIRS = ["tests", "src", "sandbox", "bench", "handlers", ".ci"];
const CODE = /\.(?:[cm]?[jt]s|tsx|sh|json)$/;
const SELF = fileURLToPath(import.meta.url);

interface Escape {
  readonly line: number;
  readonly literal: string;
  readonly why: string;
}

// A path beginning with ./ or ../ (or a bare ..), up to a quote, space or interpolation.
const RELATIVE = /(?<=^|["'`\s(=,:])(\.\.?(?:\/[^"'`\s$]*)?)(?=["'`\s),;]|$)/g;
const ABSOLUTE = /(?<=^|["'`\s(=])(\/(?:work|home|Users|tmp\/helpers|root)\/[^"'`\s]*)/g;
// join(here, "..", "fixtures") / resolve(import.meta.dirname, "..", "..") with the pieces as arguments.
const ANCHORED_JOIN =
  /(?:join|resolve)\((?:dirname\(fileURLToPath\(import\.meta\.url\)\)|import\.meta\.dirname|__dirname)((?:\s*,\s*["'][^"']*["'])+)/g;
const STRING_ARG = /["']([^"']*)["']/g;

function outside(fromDir: string, target: string, root: string): boolean {
  const rel = relative(root, resolve(fromDir, target));
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** The path literals of `text` (a file in `fromDir`) that land outside `root`. */
function escapes(text: string, fromDir: string, root: string): Escape[] {
  const found: Escape[] = [];
  text.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(RELATIVE)) {
      const literal = m[1] ?? "";
      if (outside(fromDir, literal, root))
        found.push({ line: i + 1, literal, why: "resolves outside the repository" });
    }
    for (const m of line.matchAll(ANCHORED_JOIN)) {
      const parts = [...(m[1] ?? "").matchAll(STRING_ARG)].map((a) => a[1] ?? "");
      const literal = parts.join("/");
      if (outside(fromDir, join(...parts), root))
        found.push({ line: i + 1, literal, why: "joins to a path outside the repository" });
    }
    for (const m of line.matchAll(ABSOLUTE)) {
      found.push({ line: i + 1, literal: m[1] ?? "", why: "is an absolute path on one machine" });
    }
  });
  return found;
}

function files(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    if (name === "node_modules" || name === ".git") return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    // .ci/run and other extensionless scripts are shell.
    return CODE.test(name) || !name.includes(".") ? [path] : [];
  });
}

describe("repository boundary", () => {
  it("finds paths that leave the repository, and not those that stay inside", () => {
    const root = "/repo";
    const dir = "/repo/tests/e2e";
    const sample = [
      `const FIXTURES = new URL("../../../beside/fixtures/alertmanager", import.meta.url);`,
      `import { x } from "../../src/core/alert";`,
      `const org = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "beside");`,
      `const ok = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "org");`,
      `const there = "${"/wo"}rk/shared/DESIGN.md";`,
      `cd ../../.. && ls ./here`,
    ].join("\n");
    expect(escapes(sample, dir, root)).toEqual([
      { line: 1, literal: "../../../beside/fixtures/alertmanager", why: "resolves outside the repository" },
      { line: 3, literal: "../../../beside", why: "joins to a path outside the repository" },
      { line: 5, literal: "/work/shared/DESIGN.md", why: "is an absolute path on one machine" },
      { line: 6, literal: "../../..", why: "resolves outside the repository" },
    ]);
  });

  it("no test, script, bench or source file refers to a path outside the repository", () => {
    const problems: string[] = [];
    const scanned = SCANNED_DIRS.flatMap((d) => files(join(ROOT, d))).filter((f) => f !== SELF);
    expect(scanned.length).toBeGreaterThan(50);
    for (const file of scanned) {
      for (const e of escapes(readFileSync(file, "utf8"), dirname(file), ROOT)) {
        problems.push(`${relative(ROOT, file)}:${e.line}: "${e.literal}" ${e.why}`);
      }
    }
    // npm runs scripts from the repository root.
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    for (const [name, script] of Object.entries(pkg.scripts)) {
      for (const e of escapes(script, ROOT, ROOT))
        problems.push(`package.json scripts.${name}: "${e.literal}" ${e.why}`);
    }
    expect(problems).toEqual([]);
  });
});
