// Runs the benchmarks: every bench/*.ts except this runner and files starting with "_", or only those
// named on the command line (`npm run bench -- rotation`).

import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const self = basename(fileURLToPath(import.meta.url));

const available = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== self && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .sort();

const wanted = process.argv.slice(2).map((a) => a.replace(/\.ts$/, ""));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Available: ${available.join(", ")}`);
  process.exit(2);
}

for (const name of wanted.length > 0 ? wanted : available) {
  const mod = (await import(pathToFileURL(join(dir, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== "function") {
    console.error(`bench/${name}.ts does not export run()`);
    process.exit(2);
  }
  console.log(`== ${name}`);
  await mod.run();
}
