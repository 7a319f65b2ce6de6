// Composition root: builds the stores, queues, workers, Bolt app and HTTP server from settings and
// config, and stops them in order. `main.ts` calls it; end-to-end tests call it with their own
// Redis prefix and a fake Slack.

import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from "@slack/bolt";
import { Queue, type Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Settings } from "./config/env";
import type { OncallConfig } from "./config/types";
import { createHttpServer, type ExtraRoute } from "./http/server";
import type { AfterStore } from "./intake/receive";
import type { Logger } from "./log";
import { createMetrics, type Metrics } from "./metrics";
import {
  createNotifyWorker,
  enqueueNotify,
  NOTIFY_QUEUE,
  type NotifyDeps,
  type NotifyJobData,
} from "./queue/notify";
import { createSlackClient, SlackApi } from "./slack/api";
import type { PageContext } from "./slack/blocks/page";
import { registerSlackHandlers, type SlackHandlerDeps } from "./slack/handlers";
import { AlertStore } from "./store/alerts";
import { DeliveryStore } from "./store/delivery";
import { connectQueue, connectStore, waitReady } from "./store/redis";
import { RotationStateStore } from "./store/rotation-state";

export type Role = "all" | "web" | "worker";

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
  readonly extraRoutes?: readonly ExtraRoute[];
}

export interface OncallApp {
  readonly url: string;
  readonly server: Server | null;
  readonly metrics: Metrics;
  readonly alerts: AlertStore;
  readonly delivery: DeliveryStore;
  readonly rotationState: RotationStateStore;
  readonly queues: { readonly notify: Queue<NotifyJobData> };
  readonly redis: Redis;
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 10_000;

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

export async function startApp(opts: AppOptions): Promise<OncallApp> {
  const { settings, config, log } = opts;
  const role = opts.role ?? "all";
  const now = opts.now ?? (() => new Date());
  const metrics = createMetrics();

  const redis = connectStore(settings.redisUrl);
  redis.on("error", (err) => log.warn({ err: err.message }, "Redis connection error"));
  await waitReady(redis, settings.redisUrl);
  const queueConn = connectQueue(settings.redisUrl);
  queueConn.on("error", (err) => log.warn({ err: err.message }, "Redis (queue) connection error"));
  await waitReady(queueConn, settings.redisUrl);

  const prefix = settings.redisPrefix;
  const bullPrefix = `${prefix}bull`;
  const alerts = new AlertStore(redis, prefix);
  const delivery = new DeliveryStore(redis, prefix);
  const rotationState = new RotationStateStore(redis, prefix);
  const notifyQueue = new Queue<NotifyJobData>(NOTIFY_QUEUE, { connection: queueConn, prefix: bullPrefix });

  const slackClient = createSlackClient(settings.slackBotToken, settings.slackApiUrl);
  const slack = new SlackApi(slackClient, metrics);
  const page: PageContext = { config, runbookBaseUrl: settings.runbookBaseUrl };

  const afterStore: AfterStore[] = [(r) => enqueueNotify(notifyQueue, r.alert)];

  const workers: Worker[] = [];
  const connections: Redis[] = [redis, queueConn];
  if (role !== "web") {
    const notifyDeps: NotifyDeps = { alerts, delivery, slack, config, page, metrics, log, lockRedis: redis };
    const workerConn = queueConn.duplicate();
    workerConn.on("error", (err) => log.warn({ err: err.message }, "Redis (worker) connection error"));
    connections.push(workerConn);
    const w = createNotifyWorker(workerConn, bullPrefix, notifyDeps);
    w.on("failed", (job, err) => log.warn({ jobId: job?.id, err: err.message }, "notify job failed"));
    w.on("error", (err) => log.error({ err: err.message }, "notify worker error"));
    workers.push(w);
  }

  let server: Server | null = null;
  let boltApp: InstanceType<typeof App> | null = null;
  let socketReceiver: InstanceType<typeof SocketModeReceiver> | null = null;
  let url = "";
  if (role !== "worker") {
    const httpReceiver = settings.slackAppToken
      ? null
      : new HTTPReceiver({ signingSecret: settings.slackSigningSecret, endpoints: "/slack/events" });
    socketReceiver = settings.slackAppToken
      ? new SocketModeReceiver({ appToken: settings.slackAppToken, logLevel: LogLevel.WARN })
      : null;
    boltApp = new App({
      token: settings.slackBotToken,
      receiver: (httpReceiver ?? socketReceiver)!,
      clientOptions: {
        ...(settings.slackApiUrl ? { slackApiUrl: settings.slackApiUrl } : {}),
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: true,
      },
      logLevel: LogLevel.WARN,
    });
    const handlerDeps: SlackHandlerDeps = { config, alerts, rotationState, slack, log, now, page };
    registerSlackHandlers(boltApp, handlerDeps);
    boltApp.error(async (err: Error) => {
      log.error({ err: err.message }, "Slack handler failed");
    });

    server = createHttpServer({
      webhook: {
        token: settings.alertWebhookToken,
        config,
        alerts,
        rotationState,
        metrics,
        log,
        afterStore,
        now,
      },
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
      beforeScrape: async () => {
        const counts = await notifyQueue.getJobCounts("waiting", "active", "delayed", "failed");
        for (const [state, n] of Object.entries(counts))
          metrics.queueDepth.set({ queue: NOTIFY_QUEUE, state }, n);
      },
      ...(opts.extraRoutes ? { extraRoutes: opts.extraRoutes } : {}),
    });
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(opts.port ?? settings.port, opts.host ?? "0.0.0.0", () => resolve());
    });
    const addr = srv.address() as AddressInfo;
    url = `http://${opts.host ?? "127.0.0.1"}:${addr.port}`;
    if (socketReceiver) await socketReceiver.start();
  }

  log.info({ role, url: url || null, socketMode: Boolean(socketReceiver) }, "shared-oncall started");

  let stopped = false;
  return {
    url,
    server,
    metrics,
    alerts,
    delivery,
    rotationState,
    queues: { notify: notifyQueue },
    redis,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (server) {
        const srv = server;
        const closing = new Promise<void>((resolve) => srv.close(() => resolve()));
        srv.closeIdleConnections();
        const timer = setTimeout(() => srv.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
        await closing;
        clearTimeout(timer);
      }
      if (socketReceiver) await socketReceiver.stop().catch(() => undefined);
      // Let running jobs finish, but not forever: a stop must end even when Redis is gone.
      await Promise.all(workers.map((w) => within(SHUTDOWN_GRACE_MS, w.close())));
      await within(2_000, notifyQueue.close());
      await Promise.all(connections.map((c) => within(2_000, c.quit())));
      for (const c of connections) c.disconnect();
      log.info("shared-oncall stopped");
    },
  };
}
