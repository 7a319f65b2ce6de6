// The `notify` queue: brings an alert's Slack presence up to date with its stored state. A job only
// names the alert; the worker reads the latest state, so duplicates and retries converge on the same
// messages and never post twice:
// - the page is posted once (a stored ts, and for a crash between Slack's answer and storing the ts,
//   a look-up of the page by its message metadata before posting again);
// - later changes rewrite the page in place (`chat.update`) and add thread replies for new events,
//   each claimed before it is posted and looked up by metadata if a run died after posting;
// - the on-call engineer's DM copy of the page is posted once and rewritten with the page, so it
//   never shows a resolved or handed-off alert as firing with every button.

import type { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Alert, AlertEvent } from "../../core/alert";
import { MAX_REPLY_TEXT, truncate } from "../../core/mrkdwn";
import { createWorker } from "../../platform/queue/worker";
import { SlackCallError } from "../../platform/slack/api";
import {
  type Destination,
  type MessageContent,
  type MessageMark,
  type PostOutcome,
  post,
  postFromCursor,
  postOnce,
  rewrite,
} from "../../platform/slack/delivery";
import type { Feature, Runtime } from "../../runtime";
import { pageBlocks, pageText } from "./blocks";
import type { DeliveryState, SentMessages } from "./delivery-store";

export const NOTIFY_QUEUE = "notify";
export const PAGE_EVENT = "oncall_page";
export const THREAD_EVENT = "oncall_event";
/** Messages besides the page, recorded by name: team posts, broadcast DMs, re-pages, the question. */
export const SENT_EVENT = "oncall_sent";

export interface NotifyJobData {
  readonly alertId: string;
}

export type NotifyDeps = Pick<
  Runtime,
  "alerts" | "delivery" | "slack" | "config" | "page" | "metrics" | "log" | "redis" | "now"
> &
  Partial<Pick<Runtime, "alertGroups">>;

/** Whether a group (a storm digest) shows the alert instead of a page of its own; see AlertGrouping. */
async function foldedAway(alert: Alert, deps: NotifyDeps): Promise<boolean> {
  for (const group of deps.alertGroups ?? []) if (await group.fold(alert)) return true;
  return false;
}

/** Attempts of a sync (exponential from 1 s: about 34 minutes); the reconciler takes over after. */
export const NOTIFY_ATTEMPTS = 12;

/** The sync job of an alert's version: one per version, so repeats dedupe. */
export function notifyJobId(alert: Pick<Alert, "id" | "version">): string {
  return `sync-${alert.id}-v${alert.version}`;
}

/** Enqueues a sync of the alert's Slack presence for this version (ids dedupe repeats). */
export async function enqueueNotify(
  queue: Queue,
  alert: Pick<Alert, "id" | "version">,
  attempts: number = NOTIFY_ATTEMPTS,
) {
  await queue.add(
    "sync",
    { alertId: alert.id },
    {
      jobId: notifyJobId(alert),
      attempts,
      backoff: { type: "exponential", delay: 1_000 },
      removeOnComplete: { age: 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  );
}

export function notifyJobOptions() {
  // No queue-wide limiter: Slack's limits are per channel and per method, and the pacer (see
  // platform/slack/pace.ts) holds back only the jobs whose bucket is empty, so slots stay free for
  // the pages of every other channel.
  return { concurrency: 8 };
}

export interface SyncOutcome {
  readonly posted: boolean;
  readonly updated: boolean;
  readonly threadReplies: number;
}

function pageMark(alert: Alert): MessageMark {
  return { event_type: PAGE_EVENT, event_payload: { alert_id: alert.id, occurrence: alert.occurrence } };
}

function pageContent(alert: Alert, deps: NotifyDeps): MessageContent {
  return { text: pageText(alert, deps.config), blocks: pageBlocks(alert, deps.page) };
}

/** The on-call engineer's DM copy: the page's blocks, with a fallback text that says why it came. */
function dmCopyContent(alert: Alert, state: DeliveryState, deps: NotifyDeps): MessageContent {
  const link = state.channel ? ` in <#${state.channel}>` : "";
  return {
    text: `You are on call: ${pageText(alert, deps.config)}${link}`,
    blocks: pageBlocks(alert, deps.page),
  };
}

/** One run of the sync. Throws SlackCallError for the caller to turn into queue behaviour. */
export async function syncAlert(alertId: string, deps: NotifyDeps): Promise<SyncOutcome> {
  const { alerts, delivery, slack } = deps;
  const alert = await alerts.get(alertId);
  if (!alert) return { posted: false, updated: false, threadReplies: 0 };
  let state = await delivery.get(alertId);
  let posted = false;
  let updated = false;
  // Never paged: a storm may hold it instead (no page, no DM, no thread of its own).
  if (!state.ts && (await foldedAway(alert, deps))) {
    await delivery.settlePending(alertId, alert.version);
    return { posted: false, updated: false, threadReplies: 0 };
  }

  if (!state.ts) {
    const channel = alert.route.channel;
    // The page is found by its alert id alone: the occurrence is informational (monitoring).
    const outcome = await postOnce(
      slack,
      {
        state: async () => (state.claim === -1 ? "claimed" : "none"),
        claim: () => delivery.setClaim(alertId, -1),
        posted: async (m) => {
          await delivery.setPage(alertId, m.channel, m.ts);
          await delivery.setClaim(alertId, null);
        },
      },
      { channel },
      () => pageContent(alert, deps),
      pageMark(alert),
      {
        oldest: String(Math.floor(Date.parse(alert.createdAt) / 1000) - 60),
        identity: ["alert_id"],
        priority: "urgent",
      },
    );
    if (outcome.kind === "found") {
      // The run that posted it died; what it rendered may be older than the alert is now.
      await rewrite(slack, outcome.message, pageContent(alert, deps));
      updated = true;
    } else {
      deps.metrics.pagesSent.inc();
      posted = true;
    }
    await delivery.raise(alertId, "renderedVersion", alert.version);
    state = await delivery.get(alertId);
  } else if (state.renderedVersion < alert.version) {
    await rewrite(slack, { channel: state.channel!, ts: state.ts }, pageContent(alert, deps));
    // Before the version is raised: a run that dies in between rewrites both again.
    await rewriteDmCopy(alert, state, deps);
    await delivery.raise(alertId, "renderedVersion", alert.version);
    updated = true;
  }

  // Apart from the page: a retry after the DM failed finds the page posted and must still send it.
  await sendOncallDm(alert, state, deps);
  const threadReplies = await postThreadEvents(alert, state, deps);
  return { posted, updated, threadReplies };
}

/** Notes a DM Slack refused for good, so that later syncs skip it and the timeline shows why. */
async function recordDmRefused(alert: Alert, user: string, err: SlackCallError, deps: NotifyDeps) {
  await noteRefused(alert, err, deps, "Slack refused the on-call DM", async (error) => {
    await deps.delivery.setDmFailed(alert.id, error);
    return `Could not DM <@${user}>: Slack ${err.method} failed: ${error}`;
  });
}

/**
 * A Slack refusal for good: counted, logged, and written on the alert's timeline (not its thread)
 * with the text `record` returns once it has stored what later syncs need to know.
 */
async function noteRefused(
  alert: Alert,
  err: SlackCallError,
  deps: NotifyDeps,
  logLine: string,
  record: (error: string) => Promise<string>,
): Promise<void> {
  const error = err.failure.kind === "permanent" ? err.failure.error : err.message;
  const text = await record(error);
  deps.metrics.pagesFailed.inc({ error });
  deps.log.error({ alertId: alert.id, err }, logLine);
  await deps.alerts.appendEvents(alert.id, [
    { at: deps.now().toISOString(), type: "delivery_failed", actor: "bot", text, thread: false },
  ]);
}

function isPermanent(err: unknown): err is SlackCallError {
  return err instanceof SlackCallError && err.failure.kind === "permanent";
}

/** Sends the on-call engineer the DM copy of the page, once. */
async function sendOncallDm(alert: Alert, state: DeliveryState, deps: NotifyDeps): Promise<void> {
  const user = alert.route.oncallUser;
  if (!user || alert.state === "resolved" || state.dmTs || state.dmFailed) return;
  try {
    // No claim: a DM sent twice after a crash is a nuisance, a DM never sent is a missed page.
    // To the user id: no conversations.open per DM (see Destination in platform/slack/delivery.ts).
    const sent = await post(deps.slack, user, dmCopyContent(alert, state, deps), { priority: "urgent" });
    await deps.delivery.setDm(alert.id, sent.channel, sent.ts);
  } catch (err) {
    if (!isPermanent(err)) throw err;
    await recordDmRefused(alert, user, err, deps);
  }
}

/** Rewrites the DM copy with the page; a copy Slack no longer takes (deleted, user gone) is left. */
async function rewriteDmCopy(alert: Alert, state: DeliveryState, deps: NotifyDeps): Promise<void> {
  if (!state.dmChannel || !state.dmTs) return;
  try {
    await rewrite(
      deps.slack,
      { channel: state.dmChannel, ts: state.dmTs },
      dmCopyContent(alert, state, deps),
    );
  } catch (err) {
    if (!isPermanent(err)) throw err;
    // The page is what counts; failing the sync here would hold back its thread replies.
    deps.log.warn({ alertId: alert.id, err }, "could not rewrite the on-call DM copy");
  }
}

async function postThreadEvents(alert: Alert, state: DeliveryState, deps: NotifyDeps): Promise<number> {
  if (!state.ts || !state.channel) return 0;
  const page = { channel: state.channel, ts: state.ts };
  const events = await deps.alerts.events(alert.id);
  return postFromCursor(events, state.threadCursor, {
    // Cut here too, whatever wrote the event: Slack refuses a text over its limit for good.
    message: (event: AlertEvent) => (event.thread ? { text: truncate(event.text, MAX_REPLY_TEXT) } : null),
    post: async (content, i): Promise<PostOutcome> => {
      try {
        return await postOnce(
          deps.slack,
          {
            state: async () => (state.claim === i ? "claimed" : "none"),
            claim: () => deps.delivery.setClaim(alert.id, i),
            posted: () => deps.delivery.setClaim(alert.id, null),
          },
          { channel: page.channel, threadTs: page.ts },
          content,
          { event_type: THREAD_EVENT, event_payload: { alert_id: alert.id, index: i } },
        );
      } catch (err) {
        if (!isPermanent(err)) throw err;
        // Retrying cannot help, and holding the cursor here would hold back every later reply.
        await skipRefusedReply(alert, content, err, deps);
        return { kind: "already" };
      }
    },
    advance: (next) => deps.delivery.raise(alert.id, "threadCursor", next),
  });
}

/** A thread reply Slack refused for good: logged, noted on the timeline (not the thread), skipped. */
async function skipRefusedReply(
  alert: Alert,
  content: MessageContent,
  err: SlackCallError,
  deps: NotifyDeps,
) {
  await noteRefused(alert, err, deps, "Slack refused a thread reply for good; skipped it", async (error) => {
    await deps.delivery.setClaim(alert.id, null);
    return `Could not post a thread reply (Slack ${err.method} failed: ${error}), skipped it: ${truncate(content.text, 200)}`;
  });
}

export type NamedDeps = Pick<Runtime, "alerts" | "delivery" | "slack" | "log" | "now">;

/**
 * Posts `message` for the alert under `name` (its key in the alert's sent messages) unless it was
 * posted, or refused for good, before.
 */
export async function sendNamed(
  deps: NamedDeps,
  alert: Alert,
  sent: SentMessages,
  name: string,
  to: Destination,
  message: MessageContent,
): Promise<void> {
  if (sent.failed.has(name)) return;
  await postOnce(
    deps.slack,
    {
      state: async () => (sent.messages.has(name) ? "posted" : sent.claims.has(name) ? "claimed" : "none"),
      claim: () => deps.delivery.claimSent(alert.id, name),
      posted: (m) => deps.delivery.recordSent(alert.id, name, { ...m, version: alert.version }),
    },
    to,
    message,
    { event_type: SENT_EVENT, event_payload: { alert_id: alert.id, name } },
  );
}

/**
 * Runs one delivery; a permanent Slack refusal (a deactivated member, an archived channel) is
 * recorded and logged so the others still get theirs, and the job does not retry it forever.
 */
export async function deliverOrRecord(
  deps: NamedDeps,
  alert: Alert,
  name: string,
  deliver: () => Promise<void>,
): Promise<void> {
  try {
    await deliver();
  } catch (err) {
    if (!isPermanent(err) || err.failure.kind !== "permanent") throw err;
    deps.log.error({ alertId: alert.id, name, err }, "Slack refused");
    await deps.delivery.recordSendFailed(alert.id, name, err.failure.error);
    await deps.alerts.appendEvents(alert.id, [
      {
        at: deps.now().toISOString(),
        type: "delivery_failed",
        actor: "bot",
        text: `Could not deliver ${name}: Slack ${err.method} failed: ${err.failure.error}`,
        thread: false,
      },
    ]);
  }
}

/** The worker: one sync per alert at a time (a Redis lock), Slack failures mapped onto the queue. */
export function createNotifyWorker(
  connection: Redis,
  prefix: string,
  deps: NotifyDeps,
): Worker<NotifyJobData, SyncOutcome> {
  return createWorker<NotifyJobData, SyncOutcome>({
    queue: NOTIFY_QUEUE,
    connection,
    prefix,
    redis: deps.redis,
    log: deps.log,
    ...notifyJobOptions(),
    process: (job, run) =>
      run.exclusive(deps.alerts.keys.lock(`notify:${job.data.alertId}`), () =>
        syncAlert(job.data.alertId, deps),
      ),
    async onRefused(job, err) {
      deps.metrics.pagesFailed.inc({ error: err.failure.error });
      await deps.alerts.appendEvents(job.data.alertId, [
        {
          at: deps.now().toISOString(),
          type: "delivery_failed",
          actor: "bot",
          text: `Slack ${err.method} failed: ${err.failure.error}`,
          thread: false,
        },
      ]);
    },
  });
}

/** Every stored change brings the page up to date (what an outage leaves: see reconcile.ts). */
export const notifyFeature: Feature = {
  name: "notify",
  setup(rt) {
    const attempts = rt.settings.notifyAttempts ?? NOTIFY_ATTEMPTS;
    rt.onAlertChange.push(async (change) => {
      // Noted first: should every attempt of the sync fail, the reconciler finds the alert here.
      await rt.delivery.markPending(change.alert.id, change.alert.version);
      await enqueueNotify(rt.queues.notify, change.alert, attempts);
    });
    return { workers: () => [createNotifyWorker(rt.workerConnection(), rt.bullPrefix, rt)] };
  },
};
