// Builds the bot for production into dist/: type-checks src/ and handlers/ (tsc, tsconfig.build.json),
// then bundles each entry point with esbuild (the sources import without file extensions, which
// Node's ESM loader refuses, so tsc's own output would not run), and copies what the code reads at
// run time: the Lua scripts (src/platform/redis/scripts/*.lua → dist/scripts/, beside the bundle,
// where scripts.ts finds them through import.meta.url).
//   node scripts/build.mjs              build
//   node scripts/build.mjs --if-stale   build only when dist/ is missing or older than a source
//   node scripts/build.mjs --out DIR    build into DIR instead of dist/ (tests)
// Plain JavaScript on purpose: it runs before anything is compiled, without tsx.

import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const out = outIndex >= 0 ? resolve(args[outIndex + 1] ?? "") : join(root, "dist");
const ifStale = args.includes("--if-stale");

/** Entry points: source file → bundle name in dist/. */
export const ENTRIES = {
  main: "src/main.ts",
  "config-check": "src/config/check-cli.ts",
  import: "src/config/import/cli.ts",
};
/** What a build is made from: a change to any of these makes dist/ stale. */
const INPUTS = [
  "src",
  "handlers",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "scripts/build.mjs",
];
const STAMP = ".build-stamp";

function newestMtime(path) {
  const full = join(root, path);
  if (!existsSync(full)) return 0;
  const st = statSync(full);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(full)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function isStale() {
  const stamp = join(out, STAMP);
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return INPUTS.some((p) => newestMtime(p) > built);
}

function run(cmd, cmdArgs) {
  const res = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit" });
  if (res.status !== 0) {
    console.error(`build failed: ${cmd} ${cmdArgs.join(" ")} exited with ${res.status ?? res.signal}`);
    process.exit(1);
  }
}

if (ifStale && !isStale()) process.exit(0);

const bin = (name) => join(root, "node_modules", ".bin", name);
console.error(`building ${relative(root, out) || out}/ …`);
run(bin("tsc"), ["--noEmit", "-p", "tsconfig.build.json"]);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
run(bin("esbuild"), [
  ...Object.entries(ENTRIES).map(([name, src]) => `${name}=${src}`),
  "--bundle",
  "--platform=node",
  "--format=esm",
  "--target=node20",
  "--packages=external",
  "--sourcemap",
  "--log-level=warning",
  `--outdir=${out}`,
]);
const scripts = join(root, "src/platform/redis/scripts");
mkdirSync(join(out, "scripts"), { recursive: true });
for (const f of readdirSync(scripts))
  if (f.endsWith(".lua")) copyFileSync(join(scripts, f), join(out, "scripts", f));
writeFileSync(join(out, STAMP), `${new Date().toISOString()}\n`);
