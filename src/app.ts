// Composition root: builds the runtime (stores, queues, Slack client) from settings and config,
// lets every feature plug in, starts the HTTP server, and stops it all in order. `main.ts` calls
// it; end-to-end tests call it with their own Redis prefix and a fake Slack.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { Queue, type Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Settings } from "./config/env";
import type { OncallConfig } from "./core/config";
import { FEATURES } from "./features";
import { AlertStore } from "./features/paging/alert-store";
import { DeliveryStore } from "./features/paging/delivery-store";
import { opsgenieRoute } from "./features/paging/opsgenie-api";
import { webhookRoute } from "./features/paging/webhooks";
import { RotationStateStore } from "./features/rotation/store";
import { createHttpServer, createMetricsServer, type ExtraRoute } from "./platform/http/server";
import type { Logger } from "./platform/log";
import { createMetrics } from "./platform/metrics";
import { ScheduledJobs } from "./platform/queue/schedule";
import {
  blockingConnection,
  connectQueue,
  connectStore,
  DEFAULT_COMMAND_TIMEOUT_MS,
  waitReady,
} from "./platform/redis/client";
import { DEFAULT_WAIT_TIMEOUT_MS, ReplicaWait } from "./platform/redis/replication";
import { createSlackClient, SlackApi, SlackCallError, slackLogger } from "./platform/slack/api";
import { CommandRouter } from "./platform/slack/commands";
import { SlackPacer } from "./platform/slack/pace";
import { SlackHttpReceiver } from "./platform/slack/receiver";
import type { AlertChangeHook, FeatureParts, Queues, Role, Runtime } from "./runtime";

export type { Role };

export interface AppOptions {
  readonly settings: Settings;
  readonly config: OncallConfig;
  readonly log: Logger;
  readonly role?: Role;
  /** Injected clock: tests pin time; production uses the system clock. */
  readonly now?: () => Date;
  /** Port override (0 for a random free port in tests); defaults to settings.port. */
  readonly port?: number;
  readonly host?: string;
  /** METRICS_PORT override (0 for a random free port in tests); defaults to settings.metricsPort. */
  readonly metricsPort?: number | null;
  readonly extraRoutes?: readonly ExtraRoute[];
}

export interface OncallApp {
  /** Base URL of the HTTP server; "" for the worker role. */
  readonly url: string;
  /** Base URL of the METRICS_PORT listener; "" when metrics share the public one. */
  readonly metricsUrl: string;
  readonly server: Server | null;
  readonly runtime: Runtime;
  readonly metrics: Runtime["metrics"];
  readonly alerts: AlertStore;
  readonly delivery: DeliveryStore;
  readonly rotationState: RotationStateStore;
  readonly queues: Queues;
  readonly redis: Redis;
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;
const SCRAPE_WAIT_MS = 2_000;
const QUEUE_NAMES = ["notify", "escalate", "remediate", "schedule", "usergroups", "storm"] as const;

/** Waits for `p`, but at most `ms`; failures are left to the caller's logs. */
async function within(ms: number, p: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => undefined),
    new Promise((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}

/**
 * A token Slack refuses is a configuration error: refuse to start. Slack being unreachable is not:
 * webhooks must still be stored, and the queues retry delivery until Slack answers.
 */
async function checkSlackToken(slack: SlackApi, log: Logger): Promise<void> {
  try {
    await slack.call("auth.test", {});
  } catch (err) {
    if (err instanceof SlackCallError && err.failure.kind === "permanent") {
      throw new Error(
        `Slack refused SLACK_BOT_TOKEN (${err.failure.error}): copy the Bot User OAuth Token (xoxb-…) from the app's "OAuth & Permissions" page`,
      );
    }
    log.warn({ err }, "Slack is not reachable at start; starting anyway, deliveries will retry");
  }
}

export async function startApp(opts: AppOptions): Promise<OncallApp> {
  const { settings, config, log } = opts;
  const role = opts.role ?? "all";
  const metrics = createMetrics();
  const connections: Redis[] = [];
  const track = (conn: Redis, what: string) => {
    conn.on("error", (err) => log.warn({ err }, `Redis (${what}) connection error`));
    connections.push(conn);
    return conn;
  };

  // Every command bounded: a Redis that hangs makes webhooks answer 503 and /readyz fail in time.
  const commandTimeout = settings.redisCommandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const target = settings.redisTarget ?? settings.redisUrl;
  const redis = track(connectStore(target, { commandTimeout }), "store");
  await waitReady(redis, target);
  const queueConnection = track(connectQueue(target, { commandTimeout }), "queue");
  await waitReady(queueConnection, target);
  // A webhook's 2xx waits for a replica to hold its writes (both connections write: the alert, its jobs).
  const replicaWait = new ReplicaWait(
    [redis, queueConnection],
    settings.redisWait ?? { replicas: "auto", timeoutMs: DEFAULT_WAIT_TIMEOUT_MS },
    (err) => log.warn({ err }, "could not ask Redis for its replicas"),
  );
  await replicaWait.start();

  const prefix = settings.redisPrefix;
  const bullPrefix = `${prefix}bull`;
  const queues = Object.fromEntries(
    QUEUE_NAMES.map((name) => {
      const queue = new Queue(name, { connection: queueConnection, prefix: bullPrefix });
      // Without a listener BullMQ prints every connection error to stderr, bypassing the logs.
      queue.on("error", (err) => log.warn({ err, queue: name }, "queue error"));
      return [name, queue];
    }),
  ) as unknown as Queues;
  // One pace for every replica and worker: the buckets live in Redis (see platform/slack/pace.ts).
  const pacer =
    settings.slackLimits === null
      ? null
      : new SlackPacer(redis, `${prefix}slack:pace:`, settings.slackLimits);
  const slack = new SlackApi(
    createSlackClient(settings.slackBotToken, settings.slackApiUrl, log),
    metrics,
    pacer,
  );
  await checkSlackToken(slack, log);
  const hooks: AlertChangeHook[] = [];
  const rt: Runtime = {
    role,
    settings,
    config,
    log,
    now: opts.now ?? (() => new Date()),
    metrics,
    redis,
    queueConnection,
    prefix,
    bullPrefix,
    alerts: new AlertStore(redis, prefix, {
      ...(settings.alertInstanceLimit === undefined ? {} : { instanceLimit: settings.alertInstanceLimit }),
      ...(settings.alertRetentionDays === undefined
        ? {}
        : { retentionSeconds: settings.alertRetentionDays * 86_400 }),
      ...(settings.alertReportRetentionDays === undefined
        ? {}
        : { reportRetentionSeconds: settings.alertReportRetentionDays * 86_400 }),
    }),
    delivery: new DeliveryStore(redis, prefix),
    rotationState: new RotationStateStore(redis, prefix),
    queues,
    slack,
    page: { config, runbookBaseUrl: settings.runbookBaseUrl, alertmanager: Boolean(settings.alertmanager) },
    commands: new CommandRouter(),
    onAlertChange: hooks,
    intakeFilters: [],
    alertGroups: [],
    scheduled: new ScheduledJobs(),
    // The hooks write to separate keys and queues and none reads another's result, so they run
    // side by side: a webhook waits for the slowest hook's round trips, not for their sum. Any
    // failure still rejects, so the webhook is not answered 2xx without every hook's write.
    async alertChanged(change) {
      await Promise.all(hooks.map((hook) => hook(change)));
    },
    workerConnection: () => track(blockingConnection(queueConnection), "worker"),
    awaitReplicas: () => replicaWait.wait(),
  };

  const parts: FeatureParts[] = [];
  for (const feature of FEATURES) parts.push(await feature.setup(rt));
  // Last: the schedule queue's one worker dispatches to the handlers the features registered.
  parts.push({
    workers: () => [
      rt.scheduled.worker({ connection: rt.workerConnection(), prefix: bullPrefix, redis, log }),
    ],
  });

  const workers: Worker[] = [];
  if (role !== "web") {
    // Before any worker takes a job: a job left in Redis by a process that died (a heartbeat
    // check, say) must already see what this start records, such as the start time itself.
    for (const p of parts) await p.start?.();
    for (const p of parts) {
      for (const w of (await p.workers?.()) ?? []) {
        w.on("error", (err) => log.error({ err, queue: w.name }, "worker error"));
        w.on("failed", (job, err) =>
          log.warn({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err }, "job failed"),
        );
        workers.push(w);
      }
    }
  }

  let server: Server | null = null;
  let metricsServer: Server | null = null;
  let metricsUrl = "";
  let socketReceiver: InstanceType<typeof SocketModeReceiver> | null = null;
  let url = "";
  if (role !== "worker") {
    // Our own receiver, not Bolt's HTTPReceiver: it refuses future timestamps and replays, answers
    // bodies that are no Slack payload with a 4xx, and acknowledges what no listener takes.
    const httpReceiver = settings.slackAppToken
      ? null
      : new SlackHttpReceiver({ signingSecret: settings.slackSigningSecret, redis, prefix, log });
    socketReceiver = settings.slackAppToken
      ? new SocketModeReceiver({
          appToken: settings.slackAppToken,
          logLevel: LogLevel.WARN,
          logger: slackLogger(log, "socket-mode"),
          // The socket client has a WebClient of its own for apps.connections.open; it must ask the
          // same Slack as the bot's client (the fake one in tests and the sandbox).
          installerOptions: {
            clientOptions: settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {},
          },
        })
      : null;
    const boltApp = new App({
      token: settings.slackBotToken,
      receiver: (httpReceiver ?? socketReceiver)!,
      clientOptions: {
        ...(settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
        timeout: 10_000,
      },
      logLevel: LogLevel.WARN,
      // Bolt hands it to its WebClient too: the SDK's lines go into the JSON log, not beside it.
      logger: slackLogger(log, "bolt"),
      // Checked above without crashing when Slack is briefly unreachable; Bolt's own check at
      // construction would reject unhandled and take the process (and the webhooks) down with it.
      tokenVerificationEnabled: false,
    });
    for (const p of parts) p.slack?.(boltApp);
    rt.commands.attach(boltApp, log);
    boltApp.error(async (err: Error) => {
      log.error({ err }, "Slack handler failed");
    });

    const routes = [...parts.flatMap((p) => p.routes ?? []), ...(opts.extraRoutes ?? [])];
    const webhooks = webhookRoute({
      token: settings.alertWebhookToken,
      config,
      alerts: rt.alerts,
      rotationState: rt.rotationState,
      metrics,
      log,
      alertChanged: rt.alertChanged,
      now: rt.now,
      intakeFilters: rt.intakeFilters,
      awaitReplicas: rt.awaitReplicas,
    });
    const metricsPort = opts.metricsPort !== undefined ? opts.metricsPort : (settings.metricsPort ?? null);
    // The queue connection waits for Redis to come back; a scrape in an outage must not wait with it.
    const beforeScrape = () =>
      within(
        SCRAPE_WAIT_MS,
        (async () => {
          for (const name of QUEUE_NAMES) {
            const counts = await queues[name].getJobCounts("waiting", "active", "delayed", "failed");
            for (const [state, n] of Object.entries(counts))
              metrics.queueDepth.set({ queue: name, state }, n);
          }
        })(),
      );
    server = createHttpServer({
      metrics,
      log,
      slackListener: httpReceiver ? httpReceiver.requestListener : null,
      ready: async () => {
        const checks: Record<string, string> = { config: "loaded" };
        try {
          await redis.ping();
          checks.redis = "ok";
        } catch (err) {
          checks.redis = `unreachable: ${(err as Error).message}`;
        }
        return { ok: checks.redis === "ok", checks };
      },
      metricsOnPublic: metricsPort === null,
      metricsToken: settings.metricsToken ?? null,
      beforeScrape,
      extraRoutes: [webhooks, opsgenieRoute(rt, settings), ...routes],
    });
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(opts.port ?? settings.port, opts.host ?? "0.0.0.0", () => resolve());
    });
    const addr = srv.address() as AddressInfo;
    url = `http://${opts.host ?? "127.0.0.1"}:${addr.port}`;
    if (metricsPort !== null) {
      const msrv = createMetricsServer({
        metrics,
        log,
        beforeScrape,
        metricsToken: settings.metricsToken ?? null,
      });
      metricsServer = msrv;
      await new Promise<void>((resolve, reject) => {
        msrv.once("error", reject);
        msrv.listen(metricsPort, opts.host ?? "0.0.0.0", () => resolve());
      });
      metricsUrl = `http://${opts.host ?? "127.0.0.1"}:${(msrv.address() as AddressInfo).port}`;
    }
    if (socketReceiver) await socketReceiver.start();
  }

  log.info({ role, url: url || null, socketMode: Boolean(socketReceiver) }, "shared-oncall started");

  let stopped = false;
  return {
    url,
    metricsUrl,
    server,
    runtime: rt,
    metrics,
    alerts: rt.alerts,
    delivery: rt.delivery,
    rotationState: rt.rotationState,
    queues,
    redis,
    async stop() {
      if (stopped) return;
      stopped = true;
      replicaWait.stop();
      if (server) {
        const srv = server;
        const closing = new Promise<void>((resolve) => srv.close(() => resolve()));
        srv.closeIdleConnections();
        const timer = setTimeout(() => srv.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
        await closing;
        clearTimeout(timer);
      }
      if (metricsServer) {
        const msrv = metricsServer;
        await within(2_000, new Promise<void>((resolve) => msrv.close(() => resolve())));
        msrv.closeAllConnections();
      }
      if (socketReceiver) await within(2_000, socketReceiver.stop());
      // Let running jobs finish, but not forever: a stop must end even when Redis is gone.
      await Promise.all(workers.map((w) => within(SHUTDOWN_GRACE_MS, w.close())));
      for (const p of parts) await within(2_000, p.stop?.() ?? Promise.resolve());
      await Promise.all(QUEUE_NAMES.map((name) => within(2_000, queues[name].close())));
      await Promise.all(connections.map((c) => within(2_000, c.quit())));
      for (const c of connections) c.disconnect();
      log.info("shared-oncall stopped");
    },
  };
}
