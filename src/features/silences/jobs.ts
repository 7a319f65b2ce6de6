// The end of a silence: a delayed job on the shared schedule queue, due when the silence ends. It
// takes the silence off the alert, so the page offers Silence again and the thread says that
// Alertmanager notifies about the group again. A silence expired by hand first leaves it nothing to do.

import type { Job, Queue } from "bullmq";
import type { AlertSilence } from "../../core/alert";
import type { JobRun } from "../../platform/queue/worker";
import type { Runtime } from "../../runtime";
import { silenceRanOut } from "./rules";

export const SILENCE_END_JOB = "silence-end";

export interface SilenceEndJobData {
  readonly alertId: string;
  readonly silenceId: string;
}

export function silenceEndJobId(silenceId: string): string {
  return `silence-end-${silenceId}`;
}

export async function scheduleSilenceEnd(
  queue: Queue,
  alertId: string,
  silence: AlertSilence,
  now: Date,
): Promise<void> {
  await queue.add(SILENCE_END_JOB, { alertId, silenceId: silence.id } satisfies SilenceEndJobData, {
    jobId: silenceEndJobId(silence.id),
    delay: Math.max(0, Date.parse(silence.endsAt) - now.getTime()),
    attempts: 10,
    backoff: { type: "exponential", delay: 1_000 },
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}

/** A silence expired by hand needs no timer; one already running finds nothing to do. */
export async function cancelSilenceEnd(
  rt: Pick<Runtime, "queues" | "log">,
  silenceId: string,
): Promise<void> {
  try {
    await rt.queues.schedule.remove(silenceEndJobId(silenceId));
  } catch (err) {
    rt.log.debug({ err, silenceId }, "silence end job not removed; it will find the silence gone");
  }
}

export type SilenceEndOutcome = "ended" | "gone";

export async function runSilenceEnd(
  rt: Pick<Runtime, "alerts" | "alertChanged" | "now">,
  job: Job<SilenceEndJobData>,
  run: JobRun,
): Promise<SilenceEndOutcome> {
  const { alertId, silenceId } = job.data;
  const alert = await rt.alerts.get(alertId);
  if (!alert || alert.silence?.id !== silenceId) return "gone";
  const left = Date.parse(alert.silence.endsAt) - rt.now().getTime();
  // Early (a clock that differs from the queue's): look again when the silence ends.
  if (left > 0) return run.later(left);
  const res = await rt.alerts.update(alertId, (a) => silenceRanOut(a, silenceId, rt.now()));
  if (!res.ok) return "gone";
  await rt.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
  return "ended";
}
