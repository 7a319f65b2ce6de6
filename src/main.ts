// Process entry: settings, config, Redis, Bolt and workers; a graceful stop on SIGTERM/SIGINT.
// `--worker` runs the queue workers alone, so web and workers scale apart.

import { join } from "node:path";
import { startApp } from "./app";
import { loadDotEnv } from "./config/dotenv";
import { readSettings, SettingsError } from "./config/env";
import { ConfigError } from "./config/errors";
import { loadConfig } from "./config/load";
import { createLogger } from "./platform/log";

async function main(): Promise<void> {
  let settings: ReturnType<typeof readSettings>;
  try {
    loadDotEnv(join(process.cwd(), ".env"));
  } catch (err) {
    console.error(`cannot start: cannot read .env: ${(err as Error).message}`);
    process.exit(1);
  }
  try {
    settings = readSettings(process.env);
  } catch (err) {
    if (err instanceof SettingsError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(settings.logLevel);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(settings.configDir);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`cannot start: the configuration in ${settings.configDir} is broken\n${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const role = process.argv.includes("--worker") ? "worker" : "all";
  let app: Awaited<ReturnType<typeof startApp>>;
  try {
    app = await startApp({ settings, config, log, role });
  } catch (err) {
    console.error(`cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: no new requests, letting running jobs finish");
    app.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err }, "unclean stop");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

await main();
