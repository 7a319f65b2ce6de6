// The `schedule` queue is shared by every feature with timed or repeating work (shift changes,
// Home tab refreshes, the weekly review). BullMQ hands a job to whichever worker of the queue asks
// first, so the queue must have one worker per process that dispatches on the job's name; a feature
// registers its handler with `onScheduledJob` during setup and never creates its own worker here.

import { type Job, UnrecoverableError, Worker } from "bullmq";
import type { Feature, Runtime } from "../../runtime";
import { SlackCallError } from "../slack/api";

export const SCHEDULE_QUEUE = "schedule";

export type ScheduledHandler = (job: Job) => Promise<unknown>;

const registries = new WeakMap<Runtime, Map<string, ScheduledHandler>>();

function registry(rt: Runtime): Map<string, ScheduledHandler> {
  let handlers = registries.get(rt);
  if (!handlers) {
    handlers = new Map();
    registries.set(rt, handlers);
  }
  return handlers;
}

/** Routes jobs named `name` on `rt.queues.schedule` to `handler`. Call from a feature's setup. */
export function onScheduledJob(rt: Runtime, name: string, handler: ScheduledHandler): void {
  const handlers = registry(rt);
  if (handlers.has(name)) throw new Error(`schedule job "${name}" has two handlers`);
  handlers.set(name, handler);
}

/** The single worker of the schedule queue; must come after the features that register handlers. */
export const scheduleFeature: Feature = {
  name: "schedule",
  setup(rt) {
    return {
      workers: () => {
        const handlers = registry(rt);
        const worker: Worker = new Worker(
          SCHEDULE_QUEUE,
          async (job: Job) => {
            const handler = handlers.get(job.name);
            if (!handler) throw new UnrecoverableError(`no handler for schedule job "${job.name}"`);
            try {
              return await handler(job);
            } catch (err) {
              if (!(err instanceof SlackCallError)) throw err;
              if (err.failure.kind === "rate_limited") {
                await worker.rateLimit(err.failure.retryAfterMs);
                throw Worker.RateLimitError();
              }
              if (err.failure.kind === "permanent") throw new UnrecoverableError(err.message);
              throw err;
            }
          },
          {
            connection: rt.workerConnection(),
            prefix: rt.bullPrefix,
            concurrency: 4,
            // Without a limiter, `worker.rateLimit()` holds back only this worker: the other
            // replicas would take the job straight back and call Slack again within its Retry-After.
            limiter: { max: 50, duration: 1_000 },
          },
        );
        return [worker];
      },
    };
  },
};
