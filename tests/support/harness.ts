// Runs the whole bot for an end-to-end test: real Redis under a key prefix of its own, real BullMQ
// workers, real Bolt on a real HTTP server, and the fake Slack Web API on loopback.

import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Cluster, Redis } from "ioredis";
import { dmChannelId } from "../../sandbox/slack-ids";
import { deliverBody } from "../../sandbox/socket-mode";
import { type OncallApp, type Role, startApp } from "../../src/app";
import type { Settings } from "../../src/config/env";
import { loadConfig } from "../../src/config/load";
import type { OncallConfig } from "../../src/core/config";
import { createLogger } from "../../src/platform/log";
import { deleteByPrefix, parseNodeList, type RedisNode } from "../../src/platform/redis/client";
import { FakeSlack, type RecordedCall } from "./fake-slack";
import { postToSlackEndpoint, slashCommandBody } from "./slack-requests";

export const ORG_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "org");
export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
/**
 * ONCALL_TEST_REDIS_CLUSTER=host:port,… points the harness (and `testRedis`) at a Redis Cluster
 * instead of REDIS_URL: the vitest project "redis-cluster" sets it (see tests/e2e/redis-cluster.test.ts).
 */
export const REDIS_CLUSTER: readonly RedisNode[] | null = process.env.ONCALL_TEST_REDIS_CLUSTER
  ? parseNodeList(process.env.ONCALL_TEST_REDIS_CLUSTER)
  : null;

/** A key prefix of a test's own; on a Cluster one hash tag, as REDIS_PREFIX must be there. */
export function testPrefix(name: string, cluster = REDIS_CLUSTER): string {
  const id = `${name}-${randomBytes(6).toString("hex")}`;
  return cluster ? `{${id}}:` : `${id}:`;
}

/** A new connection to the tests' Redis: a Cluster client under ONCALL_TEST_REDIS_CLUSTER. */
export function testRedis(cluster = REDIS_CLUSTER): Redis {
  return cluster ? (new Cluster([...cluster]) as unknown as Redis) : new Redis(REDIS_URL);
}
export const SIGNING_SECRET = "test-signing-secret-0123456789";
export const WEBHOOK_TOKEN = "test-webhook-token-0123456789abcdef";
export const APP_TOKEN = "xapp-1-A0ONCALL-1-test";

/** How Slack's requests reach the bot: signed HTTP posts, or envelopes over Socket Mode. */
export type SlackTransport = "http" | "socket";
/** The vitest project "socket-mode" runs suites with this set, so they run over both transports. */
export const DEFAULT_TRANSPORT: SlackTransport =
  process.env.E2E_SLACK_TRANSPORT === "socket" ? "socket" : "http";

export class Clock {
  constructor(public current: Date) {}
  readonly now = () => new Date(this.current);
  set(iso: string) {
    this.current = new Date(iso);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface Harness {
  readonly app: OncallApp;
  readonly slack: FakeSlack;
  readonly config: OncallConfig;
  readonly clock: Clock;
  readonly prefix: string;
  readonly settings: Settings;
  readonly transport: SlackTransport;
  webhook(path: string, body: unknown, opts?: { token?: string | null; raw?: string }): Promise<Response>;
  /** Sends a /slack/events body: posted and signed like Slack, or as a Socket Mode envelope. */
  slackPost(body: string): Promise<{ status: number; body: string }>;
  /** Stops the app and starts it again on the same Redis prefix (a restart of the bot). */
  restart(): Promise<void>;
  /** Starts another replica on the same Redis prefix and fake Slack; stopped by close(). */
  replica(role: Role): Promise<OncallApp>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly now?: string;
  readonly configDir?: string;
  readonly role?: Role;
  readonly redisUrl?: string;
  /** A Redis Cluster to run on instead of REDIS_URL; ONCALL_TEST_REDIS_CLUSTER when absent. */
  readonly cluster?: readonly RedisNode[];
  readonly transport?: SlackTransport;
  /** Settings to change from the test defaults (e.g. a faster heartbeat check). */
  readonly settings?: Partial<Settings>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const config = loadConfig(opts.configDir ?? ORG_DIR);
  const users = [
    ...new Set(config.teams.flatMap((t) => t.members).concat(config.rotations.flatMap((r) => r.admins))),
  ];
  const slack = await FakeSlack.start({
    users: [...users, "U0OUTSIDER"].map((id) => ({ id, name: id.toLowerCase(), tz: "Europe/Berlin" })),
  });
  const cluster = opts.redisUrl ? null : (opts.cluster ?? REDIS_CLUSTER);
  const prefix = testPrefix("test", cluster);
  const clock = new Clock(new Date(opts.now ?? "2026-11-25T10:00:00Z"));
  const transport = opts.transport ?? DEFAULT_TRANSPORT;
  const settings: Settings = {
    slackBotToken: "xoxb-test",
    slackSigningSecret: SIGNING_SECRET,
    slackAppToken: transport === "socket" ? APP_TOKEN : null,
    slackApiUrl: slack.url,
    redisUrl: opts.redisUrl ?? REDIS_URL,
    ...(cluster ? { redisTarget: { kind: "cluster", nodes: cluster, password: null } as const } : {}),
    redisPrefix: prefix,
    port: 0,
    configDir: opts.configDir ?? ORG_DIR,
    alertWebhookToken: WEBHOOK_TOKEN,
    runbookBaseUrl: "https://git.example/oncall/blob/main/",
    logLevel: "silent",
    remediationConcurrency: 2,
    remediationLoopGuard: { runs: 3, windowMs: 3_600_000 },
    ...opts.settings,
  };
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? "silent");
  const start = () =>
    startApp({ settings, config, log, now: clock.now, port: 0, host: "127.0.0.1", role: opts.role ?? "all" });
  let app = await start();
  const replicas: OncallApp[] = [];

  const h: Harness = {
    get app() {
      return app;
    },
    slack,
    config,
    clock,
    prefix,
    settings,
    transport,
    webhook(path, body, o = {}) {
      const token = o.token === undefined ? WEBHOOK_TOKEN : o.token;
      return fetch(`${app.url}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body: o.raw ?? JSON.stringify(body),
      });
    },
    async slackPost(body) {
      if (transport === "socket") return deliverBody(slack.socketMode, body);
      const r = await postToSlackEndpoint(app.url, body, { secret: SIGNING_SECRET });
      return { status: r.status, body: typeof r.body === "string" ? r.body : JSON.stringify(r.body) };
    },
    async restart() {
      await app.stop();
      app = await start();
    },
    async replica(role) {
      const r = await startApp({ settings, config, log, now: clock.now, port: 0, host: "127.0.0.1", role });
      replicas.push(r);
      return r;
    },
    async close() {
      await Promise.all(replicas.map((r) => r.stop()));
      await app.stop();
      await slack.close();
      await deleteByPrefixOn(testRedis(cluster), prefix);
    },
  };
  return h;
}

/** What a bot process of the test's own (tests/support/bot-process.ts) needs to reach `h`'s Redis. */
export function redisEnv(h: Harness): Record<string, string> {
  const t = h.settings.redisTarget;
  if (t?.kind === "cluster")
    return { REDIS_CLUSTER_NODES: t.nodes.map((n) => `${n.host}:${n.port}`).join(",") };
  return { REDIS_URL: h.settings.redisUrl };
}

/** Removes every key under a test's prefix, so the suite can run again on the same Redis. */
export function deleteKeys(prefix: string, url?: string): Promise<void> {
  return deleteByPrefixOn(url ? new Redis(url) : testRedis(), prefix);
}

async function deleteByPrefixOn(redis: Redis, prefix: string): Promise<void> {
  try {
    await deleteByPrefix(redis, prefix);
  } finally {
    await redis.quit();
  }
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(
  check: () => T,
  timeoutMs = 8_000,
  what = "condition",
): Promise<Exclude<Awaited<T>, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false && v !== null)
        return v as Exclude<Awaited<T>, undefined | null | false>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs a slash command as `user`, signed like Slack; returns the bot's answer through the response URL. */
export async function slashCommand(
  hh: Harness,
  command: "/oncall" | "/incident",
  user: string,
  text: string,
  opts: { channel?: string; triggerId?: string } = {},
): Promise<RecordedCall> {
  const channel = opts.channel ?? "C0ONCALL";
  const seen = hh.slack.callsTo("response_url").length;
  const responseUrl = hh.slack.responseUrl({ channel, user });
  const res = await hh.slackPost(
    slashCommandBody({
      command,
      text,
      userId: user,
      channelId: channel,
      responseUrl,
      triggerId: opts.triggerId,
    }),
  );
  if (res.status !== 200) throw new Error(`${command} ${text} answered HTTP ${res.status}`);
  return eventually(() => hh.slack.callsTo("response_url")[seen], 8_000, `the answer to ${command} ${text}`);
}

/**
 * A DM the bot posted: to a user id (how the bot sends DMs: no conversations.open) or to a DM
 * channel id; `user` narrows it to one person's DM.
 */
export function isDmPost(c: RecordedCall, user?: string): boolean {
  if (c.method !== "chat.postMessage") return false;
  const to = String(c.args.channel);
  if (user) return to === user || to === dmChannelId([user]);
  return to.startsWith("U") || to.startsWith("W") || to.startsWith("D");
}
