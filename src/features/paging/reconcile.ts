// The Slack reconciler. A sync job retries for about half an hour; a Slack outage longer than that
// would leave a page unposted (or a page, a DM, a thread behind) until the alert next changed. So
// every period one run across the cluster (a job scheduler on the schedule queue, the run under a
// Redis lock) looks at every alert that changed since Slack last caught up (the delivery store's
// pending set: a resolve counts too) and every open alert, and where Slack shows less than the
// store holds and no sync job is left to catch up, enqueues the alert's sync again. An outage of
// any length then loses nothing: the first period after Slack answers again brings every alert up
// to date. Alerts Slack is up to date on leave the pending set. A sync Slack refused for good (an
// archived channel) is not retried: its refusal is on the timeline.

import type { Queue } from "bullmq";
import type { Alert } from "../../core/alert";
import { onScheduledJob } from "../../platform/queue/schedule";
import { tryLock } from "../../platform/redis/lock";
import type { Feature, Runtime } from "../../runtime";
import { enqueueNotify, NOTIFY_ATTEMPTS, notifyJobId } from "./notify";
import { slackBehind } from "./rules";

export const RECONCILE_JOB = "reconcile-slack";
export const RECONCILE_SCHEDULER_ID = "reconcile-slack";
export const DEFAULT_RECONCILE_EVERY_MS = 60_000;
/** A run that outlives this (a huge backlog) loses the lock; the next period's run continues. */
const LOCK_MS = 60_000;

export type ReconcileDeps = Pick<
  Runtime,
  "alerts" | "delivery" | "config" | "queues" | "redis" | "log" | "settings"
> &
  Partial<Pick<Runtime, "alertGroups">>;

/** A storm's alert has no page to be behind on: its digest shows it (see AlertGrouping). */
async function heldByGroup(deps: ReconcileDeps, alert: Alert, sent: { readonly ts: string | null }) {
  if (sent.ts) return false;
  for (const group of deps.alertGroups ?? []) if (await group.holds(alert)) return true;
  return false;
}

export type ReconcileOutcome =
  | { readonly kind: "locked" }
  | { readonly kind: "done"; readonly checked: number; readonly requeued: readonly string[] };

/** The alerts to look at: those changed since Slack last caught up, and every open one. */
async function candidateIds(deps: ReconcileDeps): Promise<string[]> {
  const scopes = [
    ...deps.config.rotations.map((r) => ({ rotationId: r.id })),
    ...deps.config.teams.map((t) => ({ teamId: t.id })),
    { teamId: null },
  ];
  const ids = new Set(await deps.delivery.pendingIds());
  for (const scope of scopes) for (const id of await deps.alerts.openIds(scope)) ids.add(id);
  return [...ids].sort();
}

/**
 * Whether the alert's sync for its version is still under way (waiting, delayed, running) or was
 * refused for good; a finished or exhausted one is removed, so the same id can be enqueued again.
 */
async function syncStillCounts(queue: Queue, id: string): Promise<boolean> {
  const job = await queue.getJob(id);
  if (!job) return false;
  const state = await job.getState();
  if (state !== "completed" && state !== "failed") return true;
  // Failed before its last attempt: a permanent refusal (UnrecoverableError), already recorded.
  if (state === "failed" && job.attemptsMade < (job.opts.attempts ?? 1)) return true;
  try {
    await job.remove();
    return false;
  } catch {
    // A worker took it meanwhile; the next period looks again.
    return true;
  }
}

/** One reconciliation, unless another replica's is running. */
export async function reconcileSlack(deps: ReconcileDeps): Promise<ReconcileOutcome> {
  const release = await tryLock(deps.redis, deps.alerts.keys.lock(RECONCILE_JOB), LOCK_MS);
  if (!release) return { kind: "locked" };
  try {
    const ids = await candidateIds(deps);
    const requeued: string[] = [];
    for (const id of ids) {
      const alert = await deps.alerts.get(id);
      // Gone (expired): nothing left to show.
      if (!alert) {
        await deps.delivery.settlePending(id, Number.MAX_SAFE_INTEGER);
        continue;
      }
      const [sent, eventCount] = await Promise.all([
        deps.delivery.get(alert.id),
        deps.redis.llen(deps.alerts.keys.events(alert.id)),
      ]);
      if (!slackBehind(alert, sent, eventCount) || (await heldByGroup(deps, alert, sent))) {
        await deps.delivery.settlePending(alert.id, alert.version);
        continue;
      }
      if (await syncStillCounts(deps.queues.notify, notifyJobId(alert))) continue;
      await enqueueNotify(deps.queues.notify, alert, deps.settings.notifyAttempts ?? NOTIFY_ATTEMPTS);
      requeued.push(alert.id);
    }
    if (requeued.length) deps.log.warn({ alerts: requeued }, "Slack was behind: synced these alerts again");
    return { kind: "done", checked: ids.length, requeued };
  } finally {
    await release();
  }
}

/** The reconciler's repeating job scheduler (one per cluster: the scheduler's id dedupes it). */
export async function scheduleReconcile(rt: Pick<Runtime, "queues">, everyMs: number): Promise<void> {
  await rt.queues.schedule.upsertJobScheduler(
    RECONCILE_SCHEDULER_ID,
    { every: everyMs },
    {
      name: RECONCILE_JOB,
      data: {},
      opts: { removeOnComplete: { count: 20 }, removeOnFail: { count: 100 } },
    },
  );
}

/** Brings back into the notify queue every open alert Slack is behind on (see the file's comment). */
export const slackReconcileFeature: Feature = {
  name: "slack-reconcile",
  setup(rt) {
    onScheduledJob(rt, RECONCILE_JOB, () => reconcileSlack(rt));
    return {
      start: () => scheduleReconcile(rt, rt.settings.slackReconcileEveryMs ?? DEFAULT_RECONCILE_EVERY_MS),
    };
  },
};
