// The sandbox: the fake Slack (the same one the tests use) with the workspace of the loaded
// config, and the bot started exactly as `npm start` starts it (startApp, HTTP mode, or Socket
// Mode with `socketMode`) with SLACK_API_URL pointed at the fake and a fresh signing secret and
// webhook token. The page is an extra route on the bot's own server, so one URL serves it.

import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { type OncallApp, startApp } from "../src/app";
import { readSettings, type Settings } from "../src/config/env";
import type { OncallConfig } from "../src/core/config";
import type { Logger } from "../src/platform/log";
import { deleteByPrefix } from "../src/platform/redis/client";
import { type ExampleAlert, exampleAlerts } from "./examples";
import { workspaceFromConfig } from "./people";
import { FakeSlack } from "./slack-api";
import { deliverBody } from "./socket-mode";
import { createSandboxUi, SandboxClock } from "./ui";

export interface SandboxOptions {
  readonly config: OncallConfig;
  readonly redisUrl: string;
  /** Keys of this sandbox; removed at start and at close (the fake Slack forgets everything too). */
  readonly redisPrefix?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  readonly log: Logger;
  readonly logLevel?: string;
  /** The page's clicks and commands reach the bot over Socket Mode instead of signed HTTP. */
  readonly socketMode?: boolean;
  /** The webhook's bearer token; a fresh random one when unset. */
  readonly webhookToken?: string;
  /** The Alertmanager pages' Silence talks to (ALERTMANAGER_URL); none when unset. */
  readonly alertmanagerUrl?: string | null;
  /** The fake Slack answers 429 as Slack does (npm run sandbox: on); off when unset. */
  readonly rateLimits?: boolean;
  /** More settings for the bot, as environment variables (e.g. STORM_THRESHOLD). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface Sandbox {
  /** The page, e.g. http://localhost:3000/sandbox */
  readonly pageUrl: string;
  /** The bot's base URL (Slack's endpoint, webhooks, health). */
  readonly botUrl: string;
  readonly slack: FakeSlack;
  readonly app: OncallApp;
  readonly settings: Settings;
  readonly clock: SandboxClock;
  readonly examples: readonly ExampleAlert[];
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const { config, log } = opts;
  const host = opts.host ?? "127.0.0.1";
  const prefix = opts.redisPrefix ?? "sandbox:";
  // The page links runbooks to itself, so the port must be known before the bot starts.
  const port = opts.port === 0 ? await freePort(host) : opts.port;
  const shownHost = host === "127.0.0.1" || host === "0.0.0.0" || host === "::" ? "localhost" : host;
  const origin = `http://${shownHost}:${port}`;

  const workspace = workspaceFromConfig(config);
  const slack = await FakeSlack.start({
    users: workspace.users,
    channels: workspace.channels,
    rateLimits: opts.rateLimits ?? false,
  });
  const closeAll: (() => Promise<void>)[] = [() => slack.close()];
  let closed = false;
  const cleanup = async () => {
    if (closed) return;
    closed = true;
    for (const close of [...closeAll].reverse()) await close().catch(() => undefined);
  };
  try {
    await deleteKeys(opts.redisUrl, prefix);
    closeAll.push(() => deleteKeys(opts.redisUrl, prefix));
    const settings = readSettings(
      {
        SLACK_BOT_TOKEN: "xoxb-sandbox",
        ...(opts.socketMode ? { SLACK_APP_TOKEN: "xapp-sandbox" } : {}),
        SLACK_SIGNING_SECRET: randomBytes(24).toString("hex"),
        ALERT_WEBHOOK_TOKEN: opts.webhookToken || randomBytes(24).toString("hex"),
        SLACK_API_URL: slack.url,
        REDIS_URL: opts.redisUrl,
        REDIS_PREFIX: prefix,
        PORT: String(port),
        ONCALL_CONFIG_DIR: config.dir,
        RUNBOOK_BASE_URL: `${origin}/sandbox/files/`,
        LOG_LEVEL: opts.logLevel ?? "warn",
        ...(opts.alertmanagerUrl ? { ALERTMANAGER_URL: opts.alertmanagerUrl } : {}),
        ...opts.env,
      },
      config.dir,
    );
    const clock = new SandboxClock();
    const examples = exampleAlerts(config);
    let app: OncallApp | null = null;
    const ui = createSandboxUi({
      slack,
      config,
      clock,
      examples,
      signingSecret: settings.slackSigningSecret,
      ...(opts.socketMode ? { deliver: (body: string) => deliverBody(slack.socketMode, body) } : {}),
      webhookToken: settings.alertWebhookToken,
      publicUrl: origin,
      log,
      botUrl: () => app?.url ?? "",
      subcommands: (command) => app?.runtime.commands.subcommands(command) ?? [],
      routingState: () =>
        app ? app.rotationState.routingState() : Promise.resolve({ overrides: [], ejectedTeams: new Set() }),
    });
    app = await startApp({ settings, config, log, now: clock.now, port, host, extraRoutes: [ui.route] });
    const running = app;
    closeAll.push(async () => {
      ui.closeStreams();
      await running.stop();
    });
    return {
      pageUrl: `${origin}/sandbox`,
      botUrl: running.url,
      slack,
      app: running,
      settings,
      clock,
      examples,
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

export async function freePort(host: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (!address || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

/** The sandbox starts empty: its Slack lives in memory, so stored pages would point nowhere. */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await deleteByPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
