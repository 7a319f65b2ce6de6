// The actionable question: once an alert resolves, its page's thread asks whether it was
// actionable, and the answers feed the noise report (rule 3: noisy alerts get eliminated).
//
// The question is a job on the shared schedule queue, so that it comes after the resolution in the
// thread: the notify queue posts the thread replies, and the question waits (briefly, moving itself
// to delayed) until the thread cursor is past the resolution. It is posted once, by name, like
// every message about an alert besides its page.

import type { Job, Queue } from "bullmq";
import type { AlertChange } from "../../core/alert";
import type { JobRun } from "../../platform/queue/worker";
import type { Runtime } from "../../runtime";
import { deliverOrRecord, sendNamed } from "../paging/notify";
import { actionableQuestion } from "./blocks";

export const QUESTION_JOB = "actionable-question";

export interface QuestionJobData {
  readonly alertId: string;
  readonly waits?: number;
}

export type QuestionDeps = Pick<Runtime, "alerts" | "delivery" | "slack" | "log" | "now" | "redis"> &
  Partial<Pick<Runtime, "alertGroups">>;

/** How long the question waits for the thread to show the resolution first (250 ms each). */
const MAX_QUESTION_WAITS = 40;
const WAIT_MS = 250;

export async function enqueueQuestion(queue: Queue, alert: { readonly id: string }): Promise<void> {
  await queue.add(QUESTION_JOB, { alertId: alert.id } satisfies QuestionJobData, {
    jobId: `question-${alert.id}`,
    attempts: 10,
    backoff: { type: "exponential", delay: 1_000 },
    // Kept for a week: a repeated resolution then adds no second question.
    removeOnComplete: { age: 7 * 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}

/** After any change: a resolution asks the question (the job id makes it once per alert). */
export async function onChange(queue: Queue, change: AlertChange): Promise<void> {
  if (change.events.some((e) => e.type === "resolved")) await enqueueQuestion(queue, change.alert);
}

export type QuestionOutcome = "asked" | "not yet" | "skipped";

/** Asks in the page's thread whether the resolved alert was actionable, after the resolution. */
export async function askActionable(
  deps: QuestionDeps,
  alertId: string,
  mayWait: boolean,
): Promise<QuestionOutcome> {
  const alert = await deps.alerts.get(alertId);
  if (alert?.state !== "resolved" || alert.answer) return "skipped";
  const page = await deps.delivery.get(alertId);
  // A storm's alert has no page nor thread to ask in (the storm's digest counts it; the report too).
  if (!page.ts) for (const group of deps.alertGroups ?? []) if (await group.holds(alert)) return "skipped";
  // Without a page there is no thread yet; the notify queue is still posting it.
  if (!page.channel || !page.ts) throw new Error(`page of ${alertId} not posted yet`);
  const events = await deps.alerts.events(alertId);
  const resolvedAt = events.findLastIndex((e) => e.type === "resolved");
  if (mayWait && page.threadCursor <= resolvedAt) return "not yet";
  const sent = await deps.delivery.sent(alertId);
  await deliverOrRecord(deps, alert, "question", () =>
    sendNamed(
      deps,
      alert,
      sent,
      "question",
      { channel: page.channel!, threadTs: page.ts! },
      actionableQuestion(alert),
    ),
  );
  return "asked";
}

/** One run of a question job, one per alert at a time across replicas. */
export async function runQuestion(
  deps: QuestionDeps,
  job: Job<QuestionJobData>,
  run: JobRun,
): Promise<QuestionOutcome> {
  const { alertId } = job.data;
  return run.exclusive(deps.alerts.keys.lock(`noise-question:${alertId}`), async () => {
    const waits = job.data.waits ?? 0;
    const outcome = await askActionable(deps, alertId, waits < MAX_QUESTION_WAITS);
    if (outcome === "not yet") {
      await job.updateData({ ...job.data, waits: waits + 1 });
      return run.later(WAIT_MS);
    }
    return outcome;
  });
}
