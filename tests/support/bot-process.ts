// The bot as a process of its own, for tests that kill it (kill -9) and start it again: settings
// from the environment like src/main.ts, and a clock the test sets by writing an ISO time into the
// file ONCALL_TEST_CLOCK_FILE. Prints "listening <url>" once it serves.

import { readFileSync } from "node:fs";
import { startApp } from "../../src/app";
import { readSettings } from "../../src/config/env";
import { loadConfig } from "../../src/config/load";
import { createLogger } from "../../src/platform/log";

const clockFile = process.env.ONCALL_TEST_CLOCK_FILE;
if (!clockFile) throw new Error("set ONCALL_TEST_CLOCK_FILE to the file holding the test's clock");
const settings = readSettings(process.env);
const app = await startApp({
  settings,
  config: loadConfig(settings.configDir),
  log: createLogger(settings.logLevel),
  now: () => new Date(readFileSync(clockFile, "utf8").trim()),
  host: "127.0.0.1",
});
process.stdout.write(`listening ${app.url}\n`);
