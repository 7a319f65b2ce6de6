// The `schedule` queue is shared by every feature with timed or repeating work (shift changes,
// Home tab refreshes, the weekly review, the actionable question). BullMQ hands a job to whichever
// worker of the queue asks first, so the queue must have one worker per process that dispatches on
// the job's name: features register their handlers (`onScheduledJob`) during setup, and the
// composition root starts the single worker once every feature has registered.

import type { Job, Worker } from "bullmq";
import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../log";
import { createWorker, type JobRun } from "./worker";

export const SCHEDULE_QUEUE = "schedule";

export type ScheduledHandler = (job: Job, run: JobRun) => Promise<unknown>;

/** The handlers of the schedule queue, by job name. */
export class ScheduledJobs {
  private readonly handlers = new Map<string, ScheduledHandler>();

  on(name: string, handler: ScheduledHandler): void {
    if (this.handlers.has(name)) throw new Error(`schedule job "${name}" has two handlers`);
    this.handlers.set(name, handler);
  }

  names(): string[] {
    return [...this.handlers.keys()];
  }

  /** The queue's one worker in this process. */
  worker(deps: {
    readonly connection: Redis;
    readonly prefix: string;
    readonly redis: Redis;
    readonly log: Logger;
  }): Worker {
    return createWorker({
      queue: SCHEDULE_QUEUE,
      ...deps,
      concurrency: 4,
      process: async (job: Job, run) => {
        const handler = this.handlers.get(job.name);
        if (!handler) throw new UnrecoverableError(`no handler for schedule job "${job.name}"`);
        return handler(job, run);
      },
    });
  }
}

/** Routes jobs named `name` on the schedule queue to `handler`. Call from a feature's setup. */
export function onScheduledJob(
  rt: { readonly scheduled: ScheduledJobs },
  name: string,
  handler: ScheduledHandler,
): void {
  rt.scheduled.on(name, handler);
}
