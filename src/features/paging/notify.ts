// The `notify` queue: brings an alert's Slack presence up to date with its stored state. A job only
// names the alert; the worker reads the latest state, so duplicates and retries converge on the same
// messages and never post twice:
// - the page is posted once (a stored ts, and for a crash between Slack's answer and storing the ts,
//   a look-up of the page by its message metadata before posting again);
// - later changes rewrite the page in place (`chat.update`) and add thread replies for new events,
//   each claimed before it is posted and looked up by metadata if a run died after posting.

import { DelayedError, type Job, type Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Alert, AlertEvent } from "../../core/alert";
import { tryLock } from "../../platform/redis/lock";
import { type SlackApi, SlackCallError } from "../../platform/slack/api";
import type { Feature, Runtime } from "../../runtime";
import { pageBlocks, pageText } from "./blocks";
import type { DeliveryStore } from "./delivery-store";

export const NOTIFY_QUEUE = "notify";
export const PAGE_EVENT = "oncall_page";
export const THREAD_EVENT = "oncall_event";

export interface NotifyJobData {
  readonly alertId: string;
}

export type NotifyDeps = Pick<
  Runtime,
  "alerts" | "delivery" | "slack" | "config" | "page" | "metrics" | "log" | "redis"
>;

/** Enqueues a sync of the alert's Slack presence for this version (ids dedupe repeats). */
export async function enqueueNotify(queue: Queue, alert: Pick<Alert, "id" | "version">) {
  await queue.add(
    "sync",
    { alertId: alert.id },
    {
      jobId: `sync-${alert.id}-v${alert.version}`,
      attempts: 12,
      backoff: { type: "exponential", delay: 1_000 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  );
}

export function notifyJobOptions() {
  // The limiter is what makes `worker.rateLimit()` hold every slot after a Slack 429; without it the
  // other slots would pick the job straight up again. 50/s stays under Slack's posting limits.
  return { concurrency: 8, limiter: { max: 50, duration: 1_000 } };
}

export interface SyncOutcome {
  readonly posted: boolean;
  readonly updated: boolean;
  readonly threadReplies: number;
}

/** One run of the sync. Throws SlackCallError for the caller to turn into queue behaviour. */
export async function syncAlert(alertId: string, deps: NotifyDeps): Promise<SyncOutcome> {
  const { alerts, delivery, slack } = deps;
  const alert = await alerts.get(alertId);
  if (!alert) return { posted: false, updated: false, threadReplies: 0 };
  let state = await delivery.get(alertId);
  let posted = false;
  let updated = false;

  if (!state.ts) {
    const channel = alert.route.channel;
    const found = state.claim === -1 ? await findPage(slack, channel, alert) : null;
    if (found) {
      await delivery.setPage(alertId, channel, found);
      await delivery.setClaim(alertId, null);
      // The run that posted it died; what it rendered may be older than the alert is now.
      await slack.call("chat.update", {
        channel,
        ts: found,
        text: pageText(alert, deps.config),
        blocks: pageBlocks(alert, deps.page),
      });
      updated = true;
    } else {
      await delivery.setClaim(alertId, -1);
      const res = await slack.call<{ ts?: string; channel?: string }>("chat.postMessage", {
        channel,
        text: pageText(alert, deps.config),
        blocks: pageBlocks(alert, deps.page),
        unfurl_links: false,
        metadata: {
          event_type: PAGE_EVENT,
          event_payload: { alert_id: alert.id, occurrence: alert.occurrence },
        },
      });
      await delivery.setPage(alertId, res.channel ?? channel, String(res.ts));
      await delivery.setClaim(alertId, null);
      deps.metrics.pagesSent.inc();
      posted = true;
    }
    await delivery.raise(alertId, "renderedVersion", alert.version);
    state = await delivery.get(alertId);
  } else if (state.renderedVersion < alert.version) {
    await slack.call("chat.update", {
      channel: state.channel,
      ts: state.ts,
      text: pageText(alert, deps.config),
      blocks: pageBlocks(alert, deps.page),
    });
    await delivery.raise(alertId, "renderedVersion", alert.version);
    updated = true;
  }

  // Apart from the page: a retry after the DM failed finds the page posted and must still send it.
  await notifyOncallByDm(alert, state, deps);
  const threadReplies = await postThreadEvents(alert, state, deps);
  return { posted, updated, threadReplies };
}

async function notifyOncallByDm(
  alert: Alert,
  state: Awaited<ReturnType<DeliveryStore["get"]>>,
  deps: NotifyDeps,
): Promise<void> {
  const user = alert.route.oncallUser;
  if (!user || alert.state === "resolved" || state.dmTs || state.dmFailed) return;
  try {
    const open = await deps.slack.call<{ channel?: { id?: string } }>("conversations.open", { users: user });
    const dm = open.channel?.id;
    if (!dm) return;
    const link = state.channel ? ` in <#${state.channel}>` : "";
    const res = await deps.slack.call<{ ts?: string }>("chat.postMessage", {
      channel: dm,
      text: `You are on call: ${pageText(alert, deps.config)}${link}`,
      blocks: pageBlocks(alert, deps.page),
      unfurl_links: false,
    });
    await deps.delivery.setDm(alert.id, dm, String(res.ts));
  } catch (err) {
    if (!(err instanceof SlackCallError) || err.failure.kind !== "permanent") throw err;
    // Recorded, so that later syncs of the alert do not fail on it before its thread replies.
    await deps.delivery.setDmFailed(alert.id, err.failure.error);
    deps.metrics.pagesFailed.inc({ error: err.failure.error });
    deps.log.error(
      { alertId: alert.id, method: err.method, error: err.failure.error },
      "Slack refused the DM",
    );
    await deps.alerts.appendEvents(alert.id, [
      {
        at: new Date().toISOString(),
        type: "delivery_failed",
        actor: "bot",
        text: `Could not DM <@${user}>: Slack ${err.method} failed: ${err.failure.error}`,
        thread: false,
      },
    ]);
  }
}

async function postThreadEvents(
  alert: Alert,
  state: Awaited<ReturnType<DeliveryStore["get"]>>,
  deps: NotifyDeps,
): Promise<number> {
  if (!state.ts || !state.channel) return 0;
  const events = await deps.alerts.events(alert.id);
  let posted = 0;
  for (let i = state.threadCursor; i < events.length; i++) {
    const event = events[i] as AlertEvent;
    if (event.thread) {
      const already =
        state.claim === i ? await findThreadEvent(deps.slack, state.channel, state.ts, alert.id, i) : false;
      if (!already) {
        await deps.delivery.setClaim(alert.id, i);
        await deps.slack.call("chat.postMessage", {
          channel: state.channel,
          thread_ts: state.ts,
          text: event.text,
          unfurl_links: false,
          metadata: { event_type: THREAD_EVENT, event_payload: { alert_id: alert.id, index: i } },
        });
        await deps.delivery.setClaim(alert.id, null);
        posted++;
      }
    }
    await deps.delivery.raise(alert.id, "threadCursor", i + 1);
  }
  return posted;
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

async function findPage(slack: SlackApi, channel: string, alert: Alert): Promise<string | null> {
  const oldest = String(Math.floor(Date.parse(alert.createdAt) / 1000) - 60);
  const res = await slack.call<{ messages?: HistoryMessage[] }>("conversations.history", {
    channel,
    oldest,
    limit: 200,
    include_all_metadata: true,
  });
  const hit = res.messages?.find(
    (m) => m.metadata?.event_type === PAGE_EVENT && m.metadata.event_payload?.alert_id === alert.id,
  );
  return hit?.ts ?? null;
}

async function findThreadEvent(
  slack: SlackApi,
  channel: string,
  ts: string,
  alertId: string,
  index: number,
): Promise<boolean> {
  const res = await slack.call<{ messages?: HistoryMessage[] }>("conversations.replies", {
    channel,
    ts,
    limit: 200,
    include_all_metadata: true,
  });
  return (res.messages ?? []).some(
    (m) =>
      m.metadata?.event_type === THREAD_EVENT &&
      m.metadata.event_payload?.alert_id === alertId &&
      Number(m.metadata.event_payload?.index) === index,
  );
}

/** The worker: one sync per alert at a time (a Redis lock), Slack failures mapped onto the queue. */
export function createNotifyWorker(
  connection: Redis,
  prefix: string,
  deps: NotifyDeps,
): Worker<NotifyJobData> {
  const worker: Worker<NotifyJobData> = new Worker<NotifyJobData>(
    NOTIFY_QUEUE,
    async (job: Job<NotifyJobData>, token?: string) => {
      const { alertId } = job.data;
      const release = await tryLock(deps.redis, deps.alerts.keys.lock(`notify:${alertId}`), 60_000);
      if (!release) {
        // Another replica is syncing this alert; look again shortly rather than race it.
        await job.moveToDelayed(Date.now() + 250, token);
        throw new DelayedError();
      }
      try {
        return await syncAlert(alertId, deps);
      } catch (err) {
        if (!(err instanceof SlackCallError)) throw err;
        const f = err.failure;
        if (f.kind === "rate_limited") {
          deps.log.warn(
            { alertId, method: err.method, retryAfterMs: f.retryAfterMs },
            "Slack rate limit; queue paused",
          );
          await worker.rateLimit(f.retryAfterMs);
          throw Worker.RateLimitError();
        }
        if (f.kind === "permanent") {
          deps.metrics.pagesFailed.inc({ error: f.error });
          deps.log.error(
            { alertId, method: err.method, error: f.error },
            "Slack refused delivery; not retrying",
          );
          await deps.alerts.appendEvents(alertId, [
            {
              at: new Date().toISOString(),
              type: "delivery_failed",
              actor: "bot",
              text: `Slack ${err.method} failed: ${f.error}`,
              thread: false,
            },
          ]);
          throw new UnrecoverableError(err.message);
        }
        deps.log.warn(
          { alertId, method: err.method, detail: f.detail, attempt: job.attemptsMade + 1 },
          "Slack call failed; will retry",
        );
        throw err;
      } finally {
        await release();
      }
    },
    { connection, prefix, ...notifyJobOptions() },
  );
  return worker;
}

/** Every stored change brings the page up to date. */
export const notifyFeature: Feature = {
  name: "notify",
  setup(rt) {
    rt.onAlertChange.push((change) => enqueueNotify(rt.queues.notify, change.alert));
    return { workers: () => [createNotifyWorker(rt.workerConnection(), rt.bullPrefix, rt)] };
  },
};
