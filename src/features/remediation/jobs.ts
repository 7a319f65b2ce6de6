// The `remediate` queue: runs a runbook's remediation handler for an alert (or one of its
// instances), with retries, a timeout and a loop guard, and keeps the alert's page and thread up to
// date while it does.
//
// BullMQ delivers at least once: a worker that dies mid-run leaves a stalled job that another worker
// runs again, and retries repeat side effects. Handlers must therefore be idempotent (see
// handlers/registry.ts). Job ids are deterministic (`rem-<alert>-auto-<target>`,
// `rem-<alert>-manual-<n>`), so the same run enqueued twice is one job.

import { DelayedError, type Job, type Queue, UnrecoverableError, type Worker } from "bullmq";
import { Counter, type Registry } from "prom-client";
import { handlerRegistry, RetryableHandlerError } from "../../../handlers/registry";
import {
  isWait,
  type RemediationHandler,
  type RemediationOutcome,
  type RemediationWait,
} from "../../../handlers/types";
import type { Alert } from "../../core/alert";
import type { Transition } from "../../core/alert-actions";
import type { RemediationSpec } from "../../core/config";
import { createWorker, type JobRun } from "../../platform/queue/worker";
import { post, postEphemeral, postTarget } from "../../platform/slack/delivery";
import type { Feature, Runtime } from "../../runtime";
import {
  attemptsOf,
  attemptText,
  autoRuns,
  BACKOFF_BASE_MS,
  DEFAULT_GROUP_CAP,
  definiteFailureText,
  describeInstance,
  failureDmText,
  finalFailureText,
  finishRun,
  groupCapText,
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
  waitText,
} from "./rules";
import { alreadyRunningText, registerRemediateActions } from "./slack";
import { type ActiveRun, type GuardTarget, RemediationStore } from "./store";

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
  /** Where whoever asked for a manual run pressed, for an ephemeral answer; absent for automatic runs. */
  readonly replyTo?: { readonly channel: string; readonly threadTs: string | null } | null;
  /** How long the run has waited as a delayed job (a handler's RemediationWait); absent before. */
  readonly waitedMs?: number;
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
  | "group-cap"
  | "already-running"
  | "gone"
  | "not-configured";

export type RemediationDeps = Pick<
  Runtime,
  "alerts" | "config" | "log" | "now" | "slack" | "alertChanged" | "settings" | "queues" | "metrics"
>;

/** Where a person confirmed a manual run: refusals that come later from the queue go there. */
export type ReplyTo = NonNullable<RunJobData["replyTo"]>;

/** Enqueues one run; returns false when a job with its id exists already (a duplicate). */
export async function enqueueRun(
  queue: Queue,
  run: RemediationRun,
  spec: RemediationSpec,
  replyTo: ReplyTo | null = null,
): Promise<boolean> {
  const data: RunJobData = {
    alertId: run.alertId,
    runbook: run.runbook,
    fingerprint: run.fingerprint,
    source: run.source,
    requestedBy: run.requestedBy,
    ...(replyTo ? { replyTo } : {}),
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
  replyTo: ReplyTo | null = null,
): Promise<RemediationRun[]> {
  const n = await store.nextManualRun(alert.id);
  const runs = manualRuns(alert, rt.config.runbooks, n, user);
  for (const run of runs) {
    const spec = rt.config.runbooks[run.runbook]?.remediation;
    if (spec) await enqueueRun(rt.queues.remediate, run, spec, replyTo);
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

/** The refusals of runs, by reason, for /metrics; one counter per app's registry. */
const refusedCounters = new WeakMap<Registry, Counter<"reason" | "handler">>();

function refused(deps: Pick<RemediationDeps, "metrics">): Counter<"reason" | "handler"> {
  const registry = deps.metrics.registry;
  let counter = refusedCounters.get(registry);
  if (!counter) {
    counter = new Counter({
      name: "oncall_remediation_refused_total",
      help: "Remediation runs refused before they started, by reason (already-running, loop-guard, group-cap) and handler",
      labelNames: ["reason", "handler"] as const,
      registers: [registry],
    });
    refusedCounters.set(registry, counter);
  }
  return counter;
}

/** Tells whoever confirmed a run that lost the race to an active one that theirs did not start. */
async function tellAlreadyRunning(
  deps: RemediationDeps,
  data: RunJobData,
  handler: string,
  holder: ActiveRun | null,
): Promise<void> {
  if (!data.requestedBy || !data.replyTo) return;
  try {
    await postEphemeral(
      deps.slack,
      { user: data.requestedBy, channel: data.replyTo.channel, threadTs: data.replyTo.threadTs },
      alreadyRunningText(handler, holder),
    );
  } catch (err) {
    // Only a courtesy: the run was refused either way, and the thread shows the one that runs.
    deps.log.warn(
      { err, alertId: data.alertId, user: data.requestedBy },
      "could not tell that a run was already under way",
    );
  }
}

/**
 * One attempt of a run. Throws to have BullMQ retry; returns when the run is over. A handler that
 * asks to wait ends the attempt as a delayed job (`run.later`), so the wait holds no worker slot;
 * its active claim stays taken across the wait.
 */
export async function runAttempt(
  job: Job<RunJobData>,
  run: Pick<JobRun, "token" | "later">,
  deps: RemediationDeps,
  store: RemediationStore,
  shutdown: AbortSignal,
): Promise<RunResult> {
  const { alertId, runbook, fingerprint } = job.data;
  const runId = job.id ?? `${alertId}-${runbook}`;
  const waited = job.data.waitedMs ?? 0;
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
  // After a wait the handler's own check says what resolving meant; before, the run is moot.
  if (!waited && targetResolved(alert, fingerprint)) {
    await apply(deps, alertId, (a) =>
      finishRun(a, runId, deps.now(), [skippedText(handler.name, instanceName, attempt > 1)]),
    );
    return "skipped";
  }

  const target = { groupId: alert.groupId, handler: handler.name, target: runTarget(fingerprint) };
  const ttlMs = timeoutOf(handler.timeoutMs, spec) + 60_000;
  // One run per alert, handler and target at a time: a second one racing it is refused, not queued.
  const claim = await store.claimActive(
    alertId,
    target,
    { runId, by: job.data.requestedBy, at: deps.now().toISOString() },
    ttlMs,
  );
  if (!claim.ok) {
    deps.log.info(
      { alertId, runId, holder: claim.holder?.runId },
      "remediation refused: a run is already under way",
    );
    refused(deps).inc({ reason: "already-running", handler: handler.name });
    if (alert.remediating?.runs.includes(runId)) {
      await apply(deps, alertId, (a) => finishRun(a, runId, deps.now(), []));
    }
    await tellAlreadyRunning(deps, job.data, handler.name, claim.holder);
    return "already-running";
  }
  let waiting = false;
  try {
    const result = await claimedAttempt(job, run.token, deps, store, shutdown, {
      alert,
      spec,
      handler,
      target,
      runId,
    });
    if (typeof result === "string") return result;
    waiting = true;
    await claim.extend(result.waitMs + ttlMs);
    await job.updateData({ ...job.data, waitedMs: waited + result.waitMs });
    return await run.later(result.waitMs);
  } catch (error) {
    // The claim outlasts the attempt only when the run did become a delayed job to wait.
    if (!(error instanceof DelayedError)) waiting = false;
    throw error;
  } finally {
    if (!waiting) await claim.release();
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
): Promise<RunResult | RemediationWait> {
  const { alertId, fingerprint, requestedBy } = job.data;
  const waited = job.data.waitedMs ?? 0;
  const { alert, spec, handler, target, runId } = c;
  const instance = fingerprint ? alert.instances.find((i) => i.fingerprint === fingerprint) : undefined;
  const instanceName = instance ? describeInstance(instance) : null;
  const attempts = job.opts.attempts ?? 1;
  const attempt = Math.min(job.attemptsMade + 1, attempts);
  const info = { handler: handler.name, attempt, attempts, instance: instanceName, requestedBy };

  let started: Alert | null = alert;
  // A run back from a wait was counted and shown as started before it waited.
  if (!waited) {
    const refusal = await guarded(deps, store, { alert, target, runId, instanceName });
    if (refusal) return refusal;
    started = await apply(deps, alertId, (a) =>
      startRun(a, runId, deps.now(), attemptText(info), requestedBy ?? "bot"),
    );
    if (!started) return "skipped";
  }

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
  let outcome: RemediationOutcome | RemediationWait;
  try {
    outcome = await handler.run({
      alert: remAlert,
      params: parsed.data,
      signal,
      log: { info: (msg, data) => log.info(data ?? {}, msg), warn: (msg, data) => log.warn(data ?? {}, msg) },
      isResolved: async () => targetResolved(await deps.alerts.get(alertId), fingerprint),
      waitedMs: waited,
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

  if (isWait(outcome)) {
    log.info({ waitMs: outcome.waitMs }, "remediation waits as a delayed job");
    await apply(deps, alertId, (a) =>
      noteRun(a, deps.now(), [waitText(handler.name, instanceName, outcome.summary)]),
    );
    return outcome;
  }
  if (outcome.ok) {
    const { summary } = outcome;
    await apply(deps, alertId, (a) =>
      finishRun(a, runId, deps.now(), [successText(handler.name, instanceName, summary)]),
    );
    return "succeeded";
  }
  await fail(deps, runId, alertId, info, outcome.summary, true);
  return "failed";
}

/**
 * The group cap and the loop guard, checked and recorded before a run starts: the refusal (with
 * its note in the thread, once), or null when the run may start.
 */
async function guarded(
  deps: RemediationDeps,
  store: RemediationStore,
  r: { alert: Alert; target: GuardTarget; runId: string; instanceName: string | null },
): Promise<RunResult | null> {
  const { alert, target, runId } = r;
  const alertId = alert.id;
  const now = deps.now();
  const stop = async (texts: string[]) => {
    if (texts.length || alert.remediating?.runs.includes(runId)) {
      await apply(deps, alertId, (a) => finishRun(a, runId, deps.now(), texts));
    }
  };
  const cap = deps.settings.remediationGroupCap ?? DEFAULT_GROUP_CAP;
  if (!(await store.claimGroupRun(target, runId, now, cap))) {
    deps.log.warn(
      { alertId, runId, groupId: target.groupId, handler: target.handler, cap },
      "remediation refused: the group cap is reached",
    );
    refused(deps).inc({ reason: "group-cap", handler: target.handler });
    await stop(
      (await store.firstCapNote(alertId, target.handler, cap)) ? [groupCapText(target.handler, cap)] : [],
    );
    return "group-cap";
  }
  const guard = deps.settings.remediationLoopGuard;
  if (!(await store.claimRun(target, runId, now, guard))) {
    // Not started, so not counted towards the cap either.
    await store.unclaimGroupRun(target, runId);
    refused(deps).inc({ reason: "loop-guard", handler: target.handler });
    await stop(
      (await store.firstGuardNote(alertId, target, guard))
        ? [loopGuardText(target.handler, guard, r.instanceName)]
        : [],
    );
    return "loop-guard";
  }
  return null;
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
/** Automation gave up: a page in its own right, so it goes first, to the user id (no conversations.open). */
async function sendFailureDm(data: FailureDmJobData, deps: RemediationDeps): Promise<void> {
  await post(deps.slack, postTarget({ user: data.user }), { text: data.text }, { priority: "urgent" });
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
      return runAttempt(job as Job<RunJobData>, run, rt, store, shutdown.signal);
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
          enqueue: (alert, user, replyTo) => enqueueManualRuns(rt, store, alert, user, replyTo),
        }),
      workers: () => [createRemediationWorker(rt, store)],
    };
  },
};
