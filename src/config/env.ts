// Process settings from the environment. Refuses to start with a message naming each bad variable.

import { z } from "zod";
import { CodedError, ErrorCode } from "../platform/errors";
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_REDIS_URL,
  parseNodeList,
  parseSentinelUrl,
  type RedisTarget,
} from "../platform/redis/client";
import { DEFAULT_WAIT_TIMEOUT_MS, type ReplicaWaitSettings } from "../platform/redis/replication";
import { SLACK_LIMITS, type SlackLimits } from "../platform/slack/pace";
import { parseDuration } from "./parse";

export interface Settings {
  readonly slackBotToken: string;
  readonly slackSigningSecret: string;
  /** Socket Mode when set. */
  readonly slackAppToken: string | null;
  /** Ends with "/"; null means Slack's own. */
  readonly slackApiUrl: string | null;
  readonly redisUrl: string;
  /** Sentinel or Cluster (REDIS_SENTINELS, redis+sentinel://, REDIS_CLUSTER_NODES); absent: `redisUrl`. */
  readonly redisTarget?: RedisTarget;
  /** Replica acknowledgement of a webhook's writes (REDIS_WAIT_*); absent: "auto", 500 ms. */
  readonly redisWait?: ReplicaWaitSettings;
  readonly redisPrefix: string;
  /** How long one Redis command may take before it fails; 2 s when absent. */
  readonly redisCommandTimeoutMs?: number;
  /** How often the reconciler re-syncs alerts Slack is behind on; 1 min when absent. */
  readonly slackReconcileEveryMs?: number;
  /** How the bot paces its Slack calls (SLACK_PACING, SLACK_POST_*, SLACK_TIER*); null: not at all. */
  readonly slackLimits?: SlackLimits | null;
  /** Attempts of one notify sync before the reconciler takes over; 12 (about 34 min) when absent. */
  readonly notifyAttempts?: number;
  readonly port: number;
  readonly configDir: string;
  readonly alertWebhookToken: string;
  readonly runbookBaseUrl: string | null;
  readonly logLevel: string;
  /** Remediation runs one worker process executes at once. */
  readonly remediationConcurrency: number;
  /** Loop guard: at most `runs` runs of a handler per target of an alert group within `windowMs`. */
  readonly remediationLoopGuard: { readonly runs: number; readonly windowMs: number };
  /** REMEDIATION_GROUP_LIMIT: runs of one handler per alert group, all targets together; 10/1h when absent. */
  readonly remediationGroupCap?: { readonly runs: number; readonly windowMs: number };
  /** How often heartbeats are checked for misses; 5 s when absent. */
  readonly heartbeatCheckMs?: number;
  /** Extra GenieKeys for the Opsgenie alert API (ALERT_WEBHOOK_TOKEN is always one); none when unset. */
  readonly opsgenieKeys?: readonly OpsgenieKeySetting[];
  /** Keys the calendars' secret addresses; null derives them from the signing secret. */
  readonly calendarSecret?: string | null;
  /** A separate listener for /metrics (then the public one answers 404 for it); null: none. */
  readonly metricsPort?: number | null;
  /** Bearer token /metrics requires; null: none. */
  readonly metricsToken?: string | null;
  /** Instances an alert keeps in full (the rest are counted); 50 when absent. */
  readonly alertInstanceLimit?: number;
  /** Days a resolved alert, its timeline and Slack bookkeeping are kept (0: forever); 90 when absent. */
  readonly alertRetentionDays?: number;
  /** Days the per-day report digests of resolved alerts are kept; 400 when absent. */
  readonly alertReportRetentionDays?: number;
  /** The Alertmanager pages' Silence button talks to (ALERTMANAGER_URL); null: none. */
  readonly alertmanager?: AlertmanagerTarget | null;
  /** When a channel's new alerts fold into a storm digest (STORM_*); features/storm/rules.ts defaults. */
  readonly storm?: {
    readonly threshold?: number;
    readonly windowMs?: number;
    readonly top?: number;
    readonly digestEveryMs?: number;
  };
}

/** The default key prefix; on a Cluster it is one hash tag, so every key lives in one slot. */
const DEFAULT_PREFIX = "oncall:";
const DEFAULT_CLUSTER_PREFIX = "{oncall}:";

/**
 * Where Redis is and how writes wait for replicas: REDIS_URL (redis:// or redis+sentinel://),
 * REDIS_SENTINELS with REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES (one of the three);
 * REDIS_PASSWORD, REDIS_SENTINEL_PASSWORD; REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS; and
 * REDIS_PREFIX, which on a Cluster must hold a hash tag. Returns the problems instead of throwing.
 */
export function readRedis(
  env: NodeJS.ProcessEnv,
  commandTimeoutMs: number,
): {
  url: string;
  target: RedisTarget | undefined;
  prefix: string;
  wait: ReplicaWaitSettings;
  problems: string[];
} {
  const get = (name: string) => env[name]?.trim() || null;
  const problems: string[] = [];
  const url = get("REDIS_URL");
  const sentinels = get("REDIS_SENTINELS");
  const sentinelName = get("REDIS_SENTINEL_NAME");
  const clusterNodes = get("REDIS_CLUSTER_NODES");
  const password = get("REDIS_PASSWORD");
  const sentinelPassword = get("REDIS_SENTINEL_PASSWORD");
  let target: RedisTarget | undefined;
  const chosen = [url && "REDIS_URL", sentinels && "REDIS_SENTINELS", clusterNodes && "REDIS_CLUSTER_NODES"];
  const set = chosen.filter(Boolean);
  if (set.length > 1) problems.push(`${set.join(" and ")} are both set: say where Redis is with one of them`);
  else if (url?.startsWith("redis+sentinel://")) {
    const t = parseSentinelUrl(url);
    if (typeof t === "string") problems.push(`REDIS_URL ${t}`);
    else target = { ...t, password: t.password ?? password, sentinelPassword };
  } else if (sentinels) {
    const nodes = parseNodeList(sentinels);
    if (!nodes)
      problems.push('REDIS_SENTINELS must list sentinels as host:port, e.g. "10.0.0.1:26379,10.0.0.2:26379"');
    if (!sentinelName)
      problems.push(
        "REDIS_SENTINEL_NAME is required with REDIS_SENTINELS: the primary's name in `sentinel monitor`",
      );
    if (nodes && sentinelName)
      target = { kind: "sentinel", sentinels: nodes, name: sentinelName, password, sentinelPassword, db: 0 };
  } else if (clusterNodes) {
    const nodes = parseNodeList(clusterNodes);
    if (!nodes)
      problems.push('REDIS_CLUSTER_NODES must list nodes as host:port, e.g. "10.0.0.1:6379,10.0.0.2:6379"');
    else target = { kind: "cluster", nodes, password };
  }
  if (sentinelName && !sentinels) problems.push("REDIS_SENTINEL_NAME is set without REDIS_SENTINELS");

  const cluster = target?.kind === "cluster";
  const prefix = get("REDIS_PREFIX") ?? (cluster ? DEFAULT_CLUSTER_PREFIX : DEFAULT_PREFIX);
  if (cluster && !/\{[^{}]+\}/.test(prefix))
    problems.push(
      `REDIS_PREFIX must hold a hash tag on a Cluster, e.g. "{oncall}:" (got ${JSON.stringify(prefix)}): the scripts touch several keys, which must share a slot`,
    );

  const replicasText = get("REDIS_WAIT_REPLICAS") ?? "auto";
  let replicas: number | "auto" = "auto";
  if (replicasText !== "auto") {
    if (/^\d+$/.test(replicasText) && Number(replicasText) <= 10) replicas = Number(replicasText);
    else problems.push('REDIS_WAIT_REPLICAS must be "auto" or a whole number from 0 to 10, e.g. 1');
  }
  if (cluster && typeof replicas === "number" && replicas > 0)
    problems.push("REDIS_WAIT_REPLICAS cannot be used with REDIS_CLUSTER_NODES: set it to auto or 0");
  const timeoutText = get("REDIS_WAIT_TIMEOUT_MS");
  let timeoutMs = Math.min(DEFAULT_WAIT_TIMEOUT_MS, Math.floor(commandTimeoutMs / 2));
  if (timeoutText !== null) {
    if (/^\d+$/.test(timeoutText) && Number(timeoutText) >= 10 && Number(timeoutText) < commandTimeoutMs)
      timeoutMs = Number(timeoutText);
    else
      problems.push(
        `REDIS_WAIT_TIMEOUT_MS must be a whole number of milliseconds from 10 to below REDIS_COMMAND_TIMEOUT_MS (${commandTimeoutMs}), e.g. 500`,
      );
  }
  return {
    url: url && !target ? url : DEFAULT_REDIS_URL,
    target,
    prefix,
    wait: { replicas, timeoutMs },
    problems,
  };
}

/** An Alertmanager the bot calls, with its credentials (never logged). */
export interface AlertmanagerTarget {
  /** Base URL without a trailing slash, e.g. https://alertmanager.example:9093. */
  readonly url: string;
  /** The Authorization header ("Bearer …", "Basic …"); null: none. A secret. */
  readonly authorization: string | null;
}

/** The Authorization header value of a bearer token or a user name and password. */
export function authorizationOf(
  auth: { readonly token: string } | { readonly username: string; readonly password: string } | null,
): string | null {
  if (!auth) return null;
  if ("token" in auth) return `Bearer ${auth.token}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64")}`;
}

/**
 * ALERTMANAGER_URL with ALERTMANAGER_BEARER_TOKEN, or ALERTMANAGER_USERNAME and
 * ALERTMANAGER_PASSWORD. Returns the problems instead of throwing, like `readOpsgenieKeys`.
 */
export function readAlertmanager(env: NodeJS.ProcessEnv): {
  target: AlertmanagerTarget | null;
  problems: string[];
} {
  const get = (name: string) => env[name]?.trim() || null;
  const url = get("ALERTMANAGER_URL");
  const token = get("ALERTMANAGER_BEARER_TOKEN");
  const username = get("ALERTMANAGER_USERNAME");
  const password = get("ALERTMANAGER_PASSWORD");
  const problems: string[] = [];
  if (url === null) {
    if (token || username || password)
      problems.push(
        "ALERTMANAGER_URL is required when ALERTMANAGER_BEARER_TOKEN or ALERTMANAGER_USERNAME is set",
      );
    return { target: null, problems };
  }
  if (!/^https?:\/\/[^\s/@]+(\/\S*)?$/.test(url))
    problems.push(
      "ALERTMANAGER_URL must be an http(s) URL without credentials, e.g. http://alertmanager:9093",
    );
  if (token && (username || password))
    problems.push(
      "ALERTMANAGER_BEARER_TOKEN and ALERTMANAGER_USERNAME/PASSWORD: set one way of signing in, not both",
    );
  if ((username === null) !== (password === null))
    problems.push("ALERTMANAGER_USERNAME and ALERTMANAGER_PASSWORD go together: set both or neither");
  if (problems.length) return { target: null, problems };
  const authorization = authorizationOf(
    token ? { token } : username && password ? { username, password } : null,
  );
  return { target: { url: url.replace(/\/+$/, ""), authorization }, problems };
}

/** One integration of OPSGENIE_KEYS: its name, its key (from OPSGENIE_KEY_<NAME>) and what it pins. */
export interface OpsgenieKeySetting {
  readonly name: string;
  readonly key: string;
  /** Every alert sent with this key routes to this team or service; null routes by labels. */
  readonly pin: { readonly kind: "team" | "service"; readonly id: string } | null;
}

export class SettingsError extends CodedError {
  readonly code = ErrorCode.SettingsError;

  constructor(readonly problems: readonly string[]) {
    super(
      `cannot start: bad environment settings (see .env.example)\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "SettingsError";
  }
}

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? null : v.trim()));

const schema = z.object({
  SLACK_BOT_TOKEN: z
    .string({ error: "is required: the bot token (xoxb-…) from the Slack app's OAuth page" })
    .min(1, "is empty"),
  SLACK_SIGNING_SECRET: z
    .string({ error: "is required: the signing secret from the Slack app's Basic Information page" })
    .min(1, "is empty"),
  SLACK_APP_TOKEN: optional.refine(
    (v) => v === null || v.startsWith("xapp-"),
    "must start with xapp- (an app-level token)",
  ),
  SLACK_API_URL: optional.refine((v) => v === null || /^https?:\/\//.test(v), "must be an http(s) URL"),
  REDIS_URL: optional.refine(
    (v) => v === null || /^(rediss?|redis\+sentinel):\/\//.test(v),
    "must be a redis://, rediss:// or redis+sentinel:// URL",
  ),
  REDIS_PREFIX: optional,
  REDIS_COMMAND_TIMEOUT_MS: optional.refine(
    (v) => v === null || (/^\d+$/.test(v) && Number(v) >= 100 && Number(v) <= 60_000),
    "must be a whole number of milliseconds from 100 to 60000, e.g. 2000",
  ),
  SLACK_PACING: optional.refine(
    (v) => v === null || v === "on" || v === "off",
    'must be "on" (default) or "off" (only for a Slack of your own without limits)',
  ),
  SLACK_POST_BURST: wholeNumber(1, 100, "e.g. 4"),
  SLACK_POSTS_PER_SECOND: optional.refine(
    (v) => v === null || (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0 && Number(v) <= 100),
    "must be a number of posts per second above 0, e.g. 1",
  ),
  SLACK_TIER2_PER_MINUTE: wholeNumber(1, 10_000, "of calls per minute, e.g. 20"),
  SLACK_TIER3_PER_MINUTE: wholeNumber(1, 10_000, "of calls per minute, e.g. 50"),
  SLACK_TIER4_PER_MINUTE: wholeNumber(1, 10_000, "of calls per minute, e.g. 100"),
  SLACK_RECONCILE_EVERY: optional.refine(
    (v) => v === null || (durationOrNull(v) ?? 0) >= 1_000,
    'must be a duration of at least 1s, e.g. "1m"',
  ),
  PORT: optional.refine((v) => v === null || (/^\d+$/.test(v) && Number(v) < 65536), "must be a port number"),
  ONCALL_CONFIG_DIR: optional,
  ALERT_WEBHOOK_TOKEN: z
    .string({
      error: "is required: the bearer token Alertmanager sends (make one with `openssl rand -hex 32`)",
    })
    .min(16, "is too short: use at least 16 characters (`openssl rand -hex 32`)"),
  RUNBOOK_BASE_URL: optional.refine((v) => v === null || /^https?:\/\//.test(v), "must be an http(s) URL"),
  LOG_LEVEL: optional.refine(
    (v) => v === null || ["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(v),
    "must be one of fatal, error, warn, info, debug, trace, silent",
  ),
  REMEDIATION_CONCURRENCY: optional.refine(
    (v) => v === null || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 100),
    "must be a whole number from 1 to 100",
  ),
  REMEDIATION_LOOP_LIMIT: optional.refine(
    (v) => v === null || parseLoopLimit(v) !== null,
    'must be runs/window, e.g. "3/1h" (at most 3 runs per hour)',
  ),
  REMEDIATION_GROUP_LIMIT: optional.refine(
    (v) => v === null || parseLoopLimit(v) !== null,
    'must be runs/window, e.g. "10/1h" (at most 10 runs per alert group and hour)',
  ),
  STORM_THRESHOLD: wholeNumber(1, 1_000, "of new pages, e.g. 4"),
  STORM_WINDOW: optional.refine(
    (v) => v === null || (durationOrNull(v) ?? 0) >= 1_000,
    'must be a duration of at least 1s, e.g. "5s"',
  ),
  STORM_TOP: wholeNumber(1, 20, "of entries, e.g. 5"),
  STORM_DIGEST_EVERY: optional.refine(
    (v) => v === null || (durationOrNull(v) ?? 0) >= 1_000,
    'must be a duration of at least 1s, e.g. "3s"',
  ),
  HEARTBEAT_CHECK_EVERY: optional.refine(
    (v) => v === null || (durationOrNull(v) ?? 0) >= 1_000,
    'must be a duration of at least 1s, e.g. "5s"',
  ),
  CALENDAR_SECRET: optional.refine(
    (v) => v === null || v.length >= 16,
    "is too short: use at least 16 characters (`openssl rand -hex 32`)",
  ),
  METRICS_PORT: optional.refine(
    (v) => v === null || (/^\d+$/.test(v) && Number(v) < 65536),
    "must be a port number (the internal listener for /metrics)",
  ),
  METRICS_TOKEN: optional.refine(
    (v) => v === null || v.length >= 16,
    "is too short: use at least 16 characters (`openssl rand -hex 32`)",
  ),
  ALERT_INSTANCE_LIMIT: wholeNumber(1, 10_000, "e.g. 50"),
  ALERT_RETENTION_DAYS: wholeNumber(0, 3_650, "of days, e.g. 90 (0 keeps resolved alerts forever)"),
  ALERT_REPORT_RETENTION_DAYS: wholeNumber(1, 3_650, "of days, e.g. 400"),
});

/** Slack's documented limits, each overridable (a workspace granted more, or a test). */
function slackLimitsOf(e: {
  SLACK_POST_BURST: string | null;
  SLACK_POSTS_PER_SECOND: string | null;
  SLACK_TIER2_PER_MINUTE: string | null;
  SLACK_TIER3_PER_MINUTE: string | null;
  SLACK_TIER4_PER_MINUTE: string | null;
}): SlackLimits {
  const or = (v: string | null, d: number) => (v === null ? d : Number(v));
  const d = SLACK_LIMITS;
  return {
    postBurst: or(e.SLACK_POST_BURST, d.postBurst),
    postsPerSecond: or(e.SLACK_POSTS_PER_SECOND, d.postsPerSecond),
    perMinute: {
      1: d.perMinute[1],
      2: or(e.SLACK_TIER2_PER_MINUTE, d.perMinute[2]),
      3: or(e.SLACK_TIER3_PER_MINUTE, d.perMinute[3]),
      4: or(e.SLACK_TIER4_PER_MINUTE, d.perMinute[4]),
    },
  };
}

function wholeNumber(min: number, max: number, example: string) {
  return optional.refine(
    (v) => v === null || (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max),
    `must be a whole number from ${min} to ${max}, ${example}`,
  );
}

function durationOrNull(text: string): number | null {
  try {
    return parseDuration(text);
  } catch {
    return null;
  }
}

/** "3/1h" -> 3 runs per hour; null when malformed. */
export function parseLoopLimit(text: string): { runs: number; windowMs: number } | null {
  const m = /^(\d+)\s*\/\s*(\S+)$/.exec(text.trim());
  if (!m || Number(m[1]) < 1) return null;
  try {
    return { runs: Number(m[1]), windowMs: parseDuration(m[2]!) };
  } catch {
    return null;
  }
}

const MIN_KEY_LENGTH = 16;

/** The env variable holding an integration's key: "payments-eu" -> OPSGENIE_KEY_PAYMENTS_EU. */
export function opsgenieKeyVariable(name: string): string {
  return `OPSGENIE_KEY_${name.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * OPSGENIE_KEYS lists integrations, not secrets, so it can sit in a deployment's plain config:
 * "name", "name:team=<id>" or "name:service=<id>", comma-separated. Each key is read from its own
 * variable. Returns the problems instead of throwing, so they join the other settings' list.
 */
export function readOpsgenieKeys(
  env: NodeJS.ProcessEnv,
  webhookToken: string | undefined,
): { keys: OpsgenieKeySetting[]; problems: string[] } {
  const list = env.OPSGENIE_KEYS?.trim() ?? "";
  const keys: OpsgenieKeySetting[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  if (list === "") return { keys, problems };
  for (const entry of list.split(",").map((e) => e.trim())) {
    const m = /^([a-z0-9][a-z0-9-]*)(?::(team|service)=([A-Za-z0-9_.-]+))?$/.exec(entry);
    if (!m) {
      problems.push(
        `OPSGENIE_KEYS entry ${JSON.stringify(entry)} is not "name", "name:team=<team id>" or "name:service=<service id>" (names: lower-case letters, digits, dashes)`,
      );
      continue;
    }
    const name = m[1]!;
    const variable = opsgenieKeyVariable(name);
    if (seen.has(name)) {
      problems.push(`OPSGENIE_KEYS names integration "${name}" twice`);
      continue;
    }
    seen.add(name);
    const key = env[variable]?.trim() ?? "";
    if (key === "") {
      problems.push(`${variable} is required: the GenieKey of integration "${name}" listed in OPSGENIE_KEYS`);
      continue;
    }
    if (key.length < MIN_KEY_LENGTH) {
      problems.push(
        `${variable} is too short: use at least ${MIN_KEY_LENGTH} characters (\`openssl rand -hex 32\`)`,
      );
      continue;
    }
    const twin = keys.find((k) => k.key === key);
    if (twin || key === webhookToken) {
      problems.push(
        `${variable} is the same key as ${twin ? opsgenieKeyVariable(twin.name) : "ALERT_WEBHOOK_TOKEN"}: give every integration its own key, so it is clear where an alert routes`,
      );
      continue;
    }
    const pin = m[2] ? { kind: m[2] as "team" | "service", id: m[3]! } : null;
    keys.push({ name, key, pin });
  }
  return { keys, problems };
}

export function readSettings(env: NodeJS.ProcessEnv, cwd = process.cwd()): Settings {
  const parsed = schema.safeParse(env);
  const opsgenie = readOpsgenieKeys(env, parsed.success ? parsed.data.ALERT_WEBHOOK_TOKEN : undefined);
  const alertmanager = readAlertmanager(env);
  const commandTimeoutMs =
    parsed.success && parsed.data.REDIS_COMMAND_TIMEOUT_MS !== null
      ? Number(parsed.data.REDIS_COMMAND_TIMEOUT_MS)
      : DEFAULT_COMMAND_TIMEOUT_MS;
  const redis = readRedis(env, commandTimeoutMs);
  if (!parsed.success || opsgenie.problems.length || alertmanager.problems.length || redis.problems.length) {
    throw new SettingsError([
      ...(parsed.error?.issues.map((i) => `${i.path.join(".")} ${i.message}`) ?? []),
      ...opsgenie.problems,
      ...alertmanager.problems,
      ...redis.problems,
    ]);
  }
  const e = parsed.data;
  return {
    slackBotToken: e.SLACK_BOT_TOKEN,
    slackSigningSecret: e.SLACK_SIGNING_SECRET,
    slackAppToken: e.SLACK_APP_TOKEN,
    slackApiUrl: e.SLACK_API_URL === null ? null : e.SLACK_API_URL.replace(/\/?$/, "/"),
    redisUrl: redis.url,
    ...(redis.target ? { redisTarget: redis.target } : {}),
    redisWait: redis.wait,
    redisPrefix: redis.prefix,
    redisCommandTimeoutMs: commandTimeoutMs,
    slackReconcileEveryMs: parseDuration(e.SLACK_RECONCILE_EVERY ?? "1m"),
    slackLimits: e.SLACK_PACING === "off" ? null : slackLimitsOf(e),
    port: e.PORT === null ? 3000 : Number(e.PORT),
    configDir: e.ONCALL_CONFIG_DIR ?? cwd,
    alertWebhookToken: e.ALERT_WEBHOOK_TOKEN,
    runbookBaseUrl: e.RUNBOOK_BASE_URL,
    logLevel: e.LOG_LEVEL ?? "info",
    remediationConcurrency: e.REMEDIATION_CONCURRENCY === null ? 2 : Number(e.REMEDIATION_CONCURRENCY),
    remediationLoopGuard: parseLoopLimit(e.REMEDIATION_LOOP_LIMIT ?? "3/1h")!,
    remediationGroupCap: parseLoopLimit(e.REMEDIATION_GROUP_LIMIT ?? "10/1h")!,
    heartbeatCheckMs: parseDuration(e.HEARTBEAT_CHECK_EVERY ?? "5s"),
    storm: {
      ...(e.STORM_THRESHOLD === null ? {} : { threshold: Number(e.STORM_THRESHOLD) }),
      ...(e.STORM_WINDOW === null ? {} : { windowMs: parseDuration(e.STORM_WINDOW) }),
      ...(e.STORM_TOP === null ? {} : { top: Number(e.STORM_TOP) }),
      ...(e.STORM_DIGEST_EVERY === null ? {} : { digestEveryMs: parseDuration(e.STORM_DIGEST_EVERY) }),
    },
    opsgenieKeys: opsgenie.keys,
    calendarSecret: e.CALENDAR_SECRET,
    metricsPort: e.METRICS_PORT === null ? null : Number(e.METRICS_PORT),
    metricsToken: e.METRICS_TOKEN,
    alertInstanceLimit: e.ALERT_INSTANCE_LIMIT === null ? 50 : Number(e.ALERT_INSTANCE_LIMIT),
    alertRetentionDays: e.ALERT_RETENTION_DAYS === null ? 90 : Number(e.ALERT_RETENTION_DAYS),
    alertReportRetentionDays:
      e.ALERT_REPORT_RETENTION_DAYS === null ? 400 : Number(e.ALERT_REPORT_RETENTION_DAYS),
    alertmanager: alertmanager.target,
  };
}
