// The `remediate` queue: runs a runbook's remediation handler for an alert (or one of its
// instances), with retries, a timeout and a loop guard, and keeps the alert's page and thread up to
// date while it does.
//
// BullMQ delivers at least once: a worker that dies mid-run leaves a stalled job that another worker
// runs again, and retries repeat side effects. Handlers must therefore be idempotent (see
// handlers/registry.ts). Job ids are deterministic (`rem-<alert>-auto-<target>`,
// `rem-<alert>-manual-<n>`), so the same run enqueued twice is one job.

import { DelayedError, type Job, type Queue, UnrecoverableError, type Worker } from "bullmq";
import { handlerRegistry, RetryableHandlerError } from "../../../handlers/registry";
import type { RemediationHandler, RemediationOutcome } from "../../../handlers/types";
import type { Alert } from "../../core/alert";
import type { Transition } from "../../core/alert-actions";
import type { RemediationSpec } from "../../core/config";
import { createWorker } from "../../platform/queue/worker";
import { conversationOf, post } from "../../platform/slack/delivery";
import type { Feature, Runtime } from "../../runtime";
import {
  attemptsOf,
  attemptText,
  autoRuns,
  BACKOFF_BASE_MS,
  definiteFailureText,
  describeInstance,
  failureDmText,
  finalFailureText,
  finishRun,
  loopGuardText,
  manualRuns,
  noteRun,
  pagedText,
  type RemediationRun,
  remediationAlert,
  retryText,
  runTarget,
  skippedText,
  startRun,
  successText,
  targetResolved,
  timeoutOf,
} from "./rules";
import { registerRemediateActions } from "./slack";
import { type GuardTarget, RemediationStore } from "./store";

export const REMEDIATE_QUEUE = "remediate";
const RUN_JOB = "run";
/** The DM to the on-call engineer after a run failed for good. */
const FAILURE_DM_JOB = "failure-dm";
/** Its name in earlier versions; such jobs may still wait in the queue after an upgrade. */
const LEGACY_FAILURE_DM_JOB = "page";

export interface RunJobData {
  readonly alertId: string;
  /** The runbook (alert name) whose remediation runs. */
  readonly runbook: string;
  readonly fingerprint: string | null;
  readonly source: RemediationRun["source"];
  readonly requestedBy: string | null;
}

export interface FailureDmJobData {
  readonly alertId: string;
  readonly user: string;
  readonly text: string;
}

export type RunResult =
  | "succeeded"
  | "failed"
  | "skipped"
  | "loop-guard"
  | "already-running"
  | "gone"
  | "not-configured";

export type RemediationDeps = Pick<
  Runtime,
  "alerts" | "config" | "log" | "now" | "slack" | "alertChanged" | "settings" | "queues"
>;

/** Enqueues one run; returns false when a job with its id exists already (a duplicate). */
export async function enqueueRun(queue: Queue, run: RemediationRun, spec: RemediationSpec): Promise<boolean> {
  const data: RunJobData = {
    alertId: run.alertId,
    runbook: run.runbook,
    fingerprint: run.fingerprint,
    source: run.source,
    requestedBy: run.requestedBy,
  };
  const existing = await queue.getJob(run.jobId);
  if (existing) return false;
  await queue.add(RUN_JOB, data, {
    jobId: run.jobId,
    attempts: attemptsOf(spec),
    backoff: { type: "exponential", delay: BACKOFF_BASE_MS },
    // Kept for a week so that the id still dedupes a late duplicate; failures a month for inspection.
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
  return true;
}

/** After any change: enqueue the automatic runs the alert calls for that were not enqueued before. */
export async function enqueueAutoRuns(
  rt: Pick<Runtime, "config" | "queues">,
  store: RemediationStore,
  alert: Alert,
): Promise<RemediationRun[]> {
  const started: RemediationRun[] = [];
  for (const run of autoRuns(alert, rt.config.runbooks)) {
    const target = runTarget(run.fingerprint);
    if (await store.autoEnqueued(alert.id, target)) continue;
    const spec = rt.config.runbooks[run.runbook]?.remediation;
    if (!spec) continue;
    // Enqueue before noting: a crash in between leaves a job whose id dedupes the next try.
    if (await enqueueRun(rt.queues.remediate, run, spec)) started.push(run);
    await store.markAutoEnqueued(alert.id, target);
  }
  return started;
}

/** A press of "Run remediation", confirmed: every run the alert's runbooks describe, numbered anew. */
export async function enqueueManualRuns(
  rt: Pick<Runtime, "config" | "queues">,
  store: RemediationStore,
  alert: Alert,
  user: string,
): Promise<RemediationRun[]> {
  const n = await store.nextManualRun(alert.id);
  const runs = manualRuns(alert, rt.config.runbooks, n, user);
  for (const run of runs) {
    const spec = rt.config.runbooks[run.runbook]?.remediation;
    if (spec) await enqueueRun(rt.queues.remediate, run, spec);
  }
  return runs;
}

async function apply(
  deps: RemediationDeps,
  alertId: string,
  transition: (alert: Alert) => Transition,
): Promise<Alert | null> {
  const res = await deps.alerts.update(alertId, transition);
  if (!res.ok) return null;
  try {
    await deps.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
  } catch (err) {
    // The change is stored, and the next one brings the page and thread up to date. Throwing here
    // would make BullMQ retry the run, repeating a remediation that may already have worked.
    deps.log.warn({ alertId, err }, "alert hooks failed after a remediation change");
  }
  return res.alert;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/** One attempt of a run. Throws to have BullMQ retry; returns when the run is over. */
export async function runAttempt(
  job: Job<RunJobData>,
  token: string | undefined,
  deps: RemediationDeps,
  store: RemediationStore,
  shutdown: AbortSignal,
): Promise<RunResult> {
  const { alertId, runbook, fingerprint } = job.data;
  const runId = job.id ?? `${alertId}-${runbook}`;
  const alert = await deps.alerts.get(alertId);
  if (!alert) return "gone";
  const spec = deps.config.runbooks[runbook]?.remediation;
  const handler: RemediationHandler | undefined = spec ? handlerRegistry.get(spec.handler) : undefined;
  const instance = fingerprint ? alert.instances.find((i) => i.fingerprint === fingerprint) : undefined;
  const instanceName = instance ? describeInstance(instance) : null;
  if (!spec || !handler) {
    // The config changed since the run was enqueued (a restart with a new runbook).
    await apply(deps, alertId, (a) =>
      finishRun(a, runId, deps.now(), [`⏭ Remediation not run: runbooks/${runbook}.md no longer names one`]),
    );
    return "not-configured";
  }

  const attempt = Math.min(job.attemptsMade + 1, job.opts.attempts ?? 1);
  if (targetResolved(alert, fingerprint)) {
    await apply(deps, alertId, (a) =>
      finishRun(a, runId, deps.now(), [skippedText(handler.name, instanceName, attempt > 1)]),
    );
    return "skipped";
  }

  const target = { groupId: alert.groupId, handler: handler.name, target: runTarget(fingerprint) };
  // One run per alert, handler and target at a time: a second one racing it is refused, not queued.
  const release = await store.claimActive(alertId, target, timeoutOf(handler.timeoutMs, spec) + 60_000);
  if (!release) {
    if (alert.remediating?.runs.includes(runId)) {
      await apply(deps, alertId, (a) => finishRun(a, runId, deps.now(), []));
    }
    return "already-running";
  }
  try {
    return await claimedAttempt(job, token, deps, store, shutdown, { alert, spec, handler, target, runId });
  } finally {
    await release();
  }
}

async function claimedAttempt(
  job: Job<RunJobData>,
  token: string | undefined,
  deps: RemediationDeps,
  store: RemediationStore,
  shutdown: AbortSignal,
  c: {
    alert: Alert;
    spec: RemediationSpec;
    handler: RemediationHandler;
    target: GuardTarget;
    runId: string;
  },
): Promise<RunResult> {
  const { alertId, fingerprint, requestedBy } = job.data;
  const { alert, spec, handler, target, runId } = c;
  const instance = fingerprint ? alert.instances.find((i) => i.fingerprint === fingerprint) : undefined;
  const instanceName = instance ? describeInstance(instance) : null;
  const attempts = job.opts.attempts ?? 1;
  const attempt = Math.min(job.attemptsMade + 1, attempts);
  const info = { handler: handler.name, attempt, attempts, instance: instanceName, requestedBy };
  const guard = deps.settings.remediationLoopGuard;
  if (!(await store.claimRun(target, runId, deps.now(), guard))) {
    const texts = (await store.firstGuardNote(alertId, target, guard))
      ? [loopGuardText(handler.name, guard, instanceName)]
      : [];
    if (texts.length || alert.remediating?.runs.includes(runId)) {
      await apply(deps, alertId, (a) => finishRun(a, runId, deps.now(), texts));
    }
    return "loop-guard";
  }

  const started = await apply(deps, alertId, (a) =>
    startRun(a, runId, deps.now(), attemptText(info), requestedBy ?? "bot"),
  );
  if (!started) return "skipped";

  const seen = remediationAlert(started, fingerprint);
  const remAlert = seen && { ...seen, runId };
  const parsed = handler.params.safeParse(spec.params);
  if (!remAlert || !parsed.success) {
    const why = !remAlert
      ? "the instance is gone from the alert"
      : `its params do not fit the handler: ${parsed.error?.issues[0]?.message ?? "invalid"}`;
    await fail(deps, runId, alertId, { ...info, attempts: attempt }, `not run: ${why}`, true);
    return "failed";
  }

  const log = deps.log.child({ alertId, runId, handler: handler.name, attempt });
  const signal = AbortSignal.any([AbortSignal.timeout(timeoutOf(handler.timeoutMs, spec)), shutdown]);
  let outcome: RemediationOutcome;
  try {
    outcome = await handler.run({
      alert: remAlert,
      params: parsed.data,
      signal,
      log: { info: (msg, data) => log.info(data ?? {}, msg), warn: (msg, data) => log.warn(data ?? {}, msg) },
      isResolved: async () => targetResolved(await deps.alerts.get(alertId), fingerprint),
    });
  } catch (error) {
    if (shutdown.aborted) {
      // Not the run's fault: hand it back without spending an attempt; another worker picks it up.
      log.info("worker shutting down; remediation run handed back to the queue");
      await job.moveToDelayed(Date.now() + 1_000, token);
      throw new DelayedError();
    }
    const message = messageOf(error);
    if (error instanceof RetryableHandlerError && attempt < attempts) {
      log.warn({ err: message }, "remediation attempt failed; retrying");
      await apply(deps, alertId, (a) => noteRun(a, deps.now(), [retryText(info, message)]));
      throw error;
    }
    // The last attempt failed, or the handler threw something other than a RetryableHandlerError:
    // a bug in it, which retrying the same code would not fix.
    log.warn({ err: message }, "remediation failed for good");
    await fail(deps, runId, alertId, { ...info, attempts: attempt }, message, false);
    throw new UnrecoverableError(message);
  }

  if (outcome.ok) {
    await apply(deps, alertId, (a) =>
      finishRun(a, runId, deps.now(), [successText(handler.name, instanceName, outcome.summary)]),
    );
    return "succeeded";
  }
  await fail(deps, runId, alertId, info, outcome.summary, true);
  return "failed";
}

/** The run ended without success: record it, and page the on-call engineer unless it resolved. */
async function fail(
  deps: RemediationDeps,
  runId: string,
  alertId: string,
  info: Parameters<typeof finalFailureText>[0],
  message: string,
  definite: boolean,
): Promise<void> {
  const current = await deps.alerts.get(alertId);
  const user = current ? (current.route.oncallUser ?? current.assignee) : null;
  const page = current !== null && current.state !== "resolved";
  const outcome = definite
    ? definiteFailureText(info.handler, info.instance, message)
    : finalFailureText(info, message);
  const after = await apply(deps, alertId, (a) =>
    finishRun(a, runId, deps.now(), [page ? `${outcome}\n${pagedText(user)}` : outcome]),
  );
  if (!page || !user || !after) return;
  const data: FailureDmJobData = {
    alertId,
    user,
    text: failureDmText({
      alertName: after.name,
      handler: info.handler,
      instance: info.instance,
      attempts: info.attempt,
      outcome: message,
      channel: after.route.channel,
    }),
  };
  await deps.queues.remediate.add(FAILURE_DM_JOB, data, {
    // The id is kept from when the job had another name, so a run never DMs twice across an upgrade.
    jobId: `rem-page-${runId}`,
    attempts: 8,
    backoff: { type: "exponential", delay: BACKOFF_BASE_MS },
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 30 * 24 * 3600 },
  });
}

/** DMs the on-call engineer that automation failed; the worker maps Slack failures onto retries. */
async function sendFailureDm(data: FailureDmJobData, deps: RemediationDeps): Promise<void> {
  const dm = await conversationOf(deps.slack, { user: data.user });
  await post(deps.slack, dm, { text: data.text });
}

export function createRemediationWorker(
  rt: RemediationDeps & Pick<Runtime, "workerConnection" | "bullPrefix">,
  store: RemediationStore,
): Worker {
  const shutdown = new AbortController();
  const worker = createWorker<RunJobData | FailureDmJobData, RunResult | undefined>({
    queue: REMEDIATE_QUEUE,
    connection: rt.workerConnection(),
    prefix: rt.bullPrefix,
    log: rt.log,
    concurrency: rt.settings.remediationConcurrency,
    process: async (job, run) => {
      if (job.name === FAILURE_DM_JOB || job.name === LEGACY_FAILURE_DM_JOB) {
        await sendFailureDm(job.data as FailureDmJobData, rt);
        return undefined;
      }
      return runAttempt(job as Job<RunJobData>, run.token, rt, store, shutdown.signal);
    },
  });
  // Abort running handlers as soon as a stop begins, so their processes and requests end within
  // the shutdown grace period; their runs go back to the queue.
  worker.on("closing", () => shutdown.abort(new Error("the worker is shutting down")));
  return worker;
}

export const remediationFeature: Feature = {
  name: "remediation",
  setup(rt) {
    const store = new RemediationStore(rt.redis, rt.prefix);
    rt.onAlertChange.push(async (change) => {
      await enqueueAutoRuns(rt, store, change.alert);
    });
    return {
      slack: (app) =>
        registerRemediateActions(app, {
          rt,
          store,
          enqueue: (alert, user) => enqueueManualRuns(rt, store, alert, user),
        }),
      workers: () => [createRemediationWorker(rt, store)],
    };
  },
};
