// `npm run sandbox`: the bot against a stand-in Slack with a web page, on this machine alone.
// Finds or starts Redis, starts the fake Slack and the bot, prints the page's URL, and stops
// everything (the Redis it started included) on Ctrl-C or SIGTERM.

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../src/config/errors";
import { loadConfig } from "../src/config/load";
import { createLogger } from "../src/platform/log";
import { ensureAlertmanager } from "./alertmanager-launch";
import { ensureRedis, type RedisHandle, RedisUnavailableError } from "./redis-launch";
import { freePort, type Sandbox, startSandbox } from "./server";
import { webhookCurl } from "./ui";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  const env = process.env;
  const configDir = env.ONCALL_CONFIG_DIR?.trim() || REPO_ROOT;
  const port = env.PORT?.trim() ? Number(env.PORT) : 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`PORT must be a port number, got "${env.PORT}"`);
  const host = env.HOST?.trim() || "127.0.0.1";
  const logLevel = env.LOG_LEVEL?.trim() || "warn";
  const socketMode = process.argv.includes("--socket-mode") || env.SANDBOX_SOCKET_MODE === "1";
  // Slack's limits are on, so a storm here shows what it does against the real Slack.
  const rateLimits = env.SANDBOX_RATE_LIMITS?.trim() !== "0";

  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(configDir);
  } catch (err) {
    if (err instanceof ConfigError)
      fail(`cannot start: the configuration in ${configDir} is broken\n${err.message}`);
    throw err;
  }

  let redis: RedisHandle;
  try {
    redis = await ensureRedis({ url: env.REDIS_URL?.trim() || null, dataDir: join(REPO_ROOT, ".sandbox") });
  } catch (err) {
    if (err instanceof RedisUnavailableError) fail(err.message);
    throw err;
  }

  const alertmanager = await ensureAlertmanager(env.ALERTMANAGER_URL?.trim() || null, () =>
    freePort("127.0.0.1"),
  );
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      config,
      redisUrl: redis.url,
      // Never REDIS_PREFIX: the sandbox wipes its prefix at start and exit, so it keeps its own.
      redisPrefix: "sandbox:",
      port,
      host,
      log: createLogger(logLevel),
      logLevel,
      socketMode,
      // Set it to keep one token across restarts (scripts, an Alertmanager pointed at the sandbox).
      webhookToken: env.ALERT_WEBHOOK_TOKEN?.trim() || undefined,
      alertmanagerUrl: alertmanager.url,
      rateLimits,
    });
  } catch (err) {
    await alertmanager.stop();
    await redis.stop();
    const e = err as NodeJS.ErrnoException;
    if (e.code === "EADDRINUSE")
      fail(`port ${port} is taken: start the sandbox on another, e.g. PORT=3001 npm run sandbox`);
    fail(`cannot start the sandbox: ${e.message}`);
  }

  const redisNote = {
    REDIS_URL: `Redis: ${redis.url} (REDIS_URL)`,
    running: `Redis: the one on ${redis.url}`,
    started: `Redis: started redis-server on ${redis.url}, files in .sandbox/redis (stopped on exit)`,
  }[redis.source];
  console.log(
    [
      "",
      `  shared-oncall sandbox: open ${sandbox.pageUrl}`,
      "",
      `  Config: ${config.dir}`,
      `  ${redisNote}`,
      `  ${alertmanager.note}`,
      socketMode
        ? "  Slack: Socket Mode (the page's clicks and commands reach the bot over its socket)"
        : "  Slack: signed HTTP posts to /slack/events (--socket-mode for Socket Mode)",
      rateLimits
        ? "  Slack's rate limits: on, 429 with Retry-After as Slack answers (SANDBOX_RATE_LIMITS=0: off)"
        : "  Slack's rate limits: off (SANDBOX_RATE_LIMITS=0)",
      `  Webhook token: ${sandbox.settings.alertWebhookToken} (ALERT_WEBHOOK_TOKEN)`,
      "",
      "  Fire an alert from the page, or from a shell:",
      "",
      webhookCurl(new URL(sandbox.pageUrl).origin, sandbox.settings.alertWebhookToken)
        .split("\n")
        .map((line) => `    ${line}`)
        .join("\n"),
      "",
      "  Then act as the on-call engineer. Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n  ${signal}: stopping the sandbox…`);
    sandbox
      .close()
      .then(() => alertmanager.stop())
      .then(() => redis.stop())
      .then(
        () => process.exit(0),
        (err: Error) => {
          console.error(`unclean stop: ${err.message}`);
          process.exit(1);
        },
      );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

await main();
