// Builds the bot for production into dist/: type-checks src/ and handlers/ (tsc, tsconfig.build.json),
// then bundles each entry point with esbuild (the sources import without file extensions, which
// Node's ESM loader refuses, so tsc's own output would not run), and copies what the code reads at
// run time: the Lua scripts (src/platform/redis/scripts/*.lua → dist/scripts/, beside the bundle,
// where scripts.ts finds them through import.meta.url), and date-holidays' data split per country
// (dist/holidays/, read by dist/date-holidays.js: see scripts/date-holidays.mjs).
//   node scripts/build.mjs              build
//   node scripts/build.mjs --if-stale   build only when dist/ is missing or older than a source
//   node scripts/build.mjs --out DIR    build into DIR instead of dist/ (tests)
// Plain JavaScript on purpose: it runs before anything is compiled, without tsx.

import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
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
  "scripts/date-holidays.mjs",
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

// date-holidays loads every country's rules at import (about 8 MB of RSS); the bundle imports
// scripts/date-holidays.mjs instead, the same Holidays class reading one country's rules when first
// asked for them, from per-country files split here out of the package's own data.
const holidaysPerCountry = {
  name: "date-holidays-per-country",
  setup(build) {
    build.onResolve({ filter: /^date-holidays$/ }, () => ({ path: "./date-holidays.js", external: true }));
  },
};

function writeHolidayData() {
  const pkg = dirname(createRequire(import.meta.url).resolve("date-holidays/package.json"));
  const all = JSON.parse(readFileSync(join(pkg, "data", "holidays.json"), "utf8"));
  const dir = join(out, "holidays");
  mkdirSync(dir, { recursive: true });
  const countries = {};
  for (const [code, rules] of Object.entries(all.holidays)) {
    if (!/^[A-Z0-9]+$/.test(code)) throw new Error(`build: unexpected date-holidays country code ${code}`);
    countries[code] = { names: rules.names, langs: rules.langs };
    writeFileSync(join(dir, `${code}.json`), JSON.stringify(rules));
  }
  const { version, license, names } = all;
  writeFileSync(join(dir, "index.json"), JSON.stringify({ version, license, names, countries }));
  copyFileSync(join(root, "scripts", "date-holidays.mjs"), join(out, "date-holidays.js"));
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
const esbuild = await import("esbuild");
await esbuild.build({
  entryPoints: ENTRIES,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  outdir: out,
  plugins: [holidaysPerCountry],
});
writeHolidayData();
const scripts = join(root, "src/platform/redis/scripts");
mkdirSync(join(out, "scripts"), { recursive: true });
for (const f of readdirSync(scripts))
  if (f.endsWith(".lua")) copyFileSync(join(scripts, f), join(out, "scripts", f));
writeFileSync(join(out, STAMP), `${new Date().toISOString()}\n`);
