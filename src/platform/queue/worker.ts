// The one way the bot runs a BullMQ worker. Every queue's jobs end up calling Slack, and Slack's
// failures need the same treatment everywhere, or one worker hammers Slack while the others wait:
// - rate limited (our own pacer has no token for the call's bucket for a while, or Slack answered
//   429 anyway and the bucket is blocked for its Retry-After): this job alone goes back to delayed
//   for that long, without spending an attempt. Never the whole queue: one busy channel's bucket
//   must not hold the pages of every other channel (see slack/pace.ts).
// - 5xx, timeouts, network errors: the job fails this attempt and BullMQ retries it after the job's
//   backoff (a delayed retry), up to its attempts.
// - a permanent refusal (`channel_not_found`, `user_not_found`, …): retrying cannot help, so the job
//   fails for good (`UnrecoverableError`) after `onRefused` has recorded it where people look.
// A job that must wait (another replica holds its lock, or it waits for something to happen first)
// moves itself to delayed and frees its slot, so one busy alert never holds the others.

import { DelayedError, type Job, type Processor, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../log";
import { tryLock } from "../redis/lock";
import { SlackCallError } from "../slack/api";
import { JOB_MAX_WAIT_MS, paceDefaults } from "../slack/pace";

/** How long a worker owns a job before BullMQ thinks it stalled; renewed at half of it while it runs. */
export const DEFAULT_LOCK_MS = 30_000;
/** How soon a job whose alert lock is held elsewhere looks again. */
export const LOCK_RETRY_MS = 250;

/** What a job's run can do besides its work. */
export interface JobRun {
  readonly token: string | undefined;
  /** Ends this run and runs the job again in `ms`, without spending an attempt. */
  later(ms: number): Promise<never>;
  /**
   * Runs `work` holding a cross-replica Redis lock on `key`; when another run holds it, the job
   * looks again shortly instead of racing it.
   */
  exclusive<T>(key: string, work: () => Promise<T>, ttlMs?: number): Promise<T>;
}

export interface WorkerOptions<D, R> {
  readonly queue: string;
  /** A connection of the worker's own (BullMQ blocks on it). */
  readonly connection: Redis;
  readonly prefix: string;
  /** The store's connection, for `JobRun.exclusive`. */
  readonly redis?: Redis;
  readonly log: Logger;
  readonly concurrency: number;
  readonly lockDurationMs?: number;
  readonly process: (job: Job<D>, run: JobRun) => Promise<R>;
  /** Slack refused for good: record it for people to see before the job fails without retry. */
  readonly onRefused?: (
    job: Job<D>,
    err: SlackCallError & { failure: { kind: "permanent" } },
  ) => Promise<void>;
}

function isPermanent(err: SlackCallError): err is SlackCallError & { failure: { kind: "permanent" } } {
  return err.failure.kind === "permanent";
}

/**
 * The wait before a rate-limited job runs again: the bucket's wait, plus up to a fifth more so that
 * the jobs waiting on one bucket do not all come back in the same millisecond.
 */
export function rateLimitedDelay(waitMs: number, random: () => number = Math.random): number {
  return Math.ceil(waitMs + Math.min(waitMs, 1_000) * 0.2 * random());
}

/** A worker with the Slack failure mapping and job locks (see the file's comment). */
export function createWorker<D, R>(opts: WorkerOptions<D, R>): Worker<D, R> {
  const { log } = opts;
  const processor: Processor<D, R> = async (job, token) => {
    const run: JobRun = {
      token,
      async later(ms) {
        await job.moveToDelayed(Date.now() + ms, token);
        throw new DelayedError();
      },
      async exclusive(key, work, ttlMs) {
        if (!opts.redis) throw new Error(`worker of ${opts.queue} has no Redis for locks`);
        // A release Redis does not take (mid-failover) is logged and retried, never the job's failure.
        const release = await tryLock(opts.redis, key, ttlMs, (err) =>
          log.warn({ err, queue: opts.queue, job: job.id, key }, "could not release a job's lock; retrying"),
        );
        if (!release) return run.later(LOCK_RETRY_MS);
        try {
          return await work();
        } finally {
          await release();
        }
      },
    };
    try {
      return await paceDefaults.run({ maxWaitMs: JOB_MAX_WAIT_MS }, () => opts.process(job, run));
    } catch (err) {
      if (!(err instanceof SlackCallError)) throw err;
      const where = { queue: opts.queue, job: job.id, method: err.method };
      const f = err.failure;
      if (f.kind === "rate_limited") {
        // Pacing is the normal case in a storm and not worth a warning; a 429 from Slack is.
        if (f.paced) log.debug({ ...where, waitMs: f.retryAfterMs }, "Slack call paced; job delayed");
        else log.warn({ ...where, retryAfterMs: f.retryAfterMs }, "Slack rate limit; job delayed");
        return run.later(rateLimitedDelay(f.retryAfterMs));
      }
      if (isPermanent(err)) {
        log.error({ ...where, err }, "Slack refused; not retrying");
        await opts.onRefused?.(job, err);
        throw new UnrecoverableError(err.message);
      }
      log.warn({ ...where, err, attempt: job.attemptsMade + 1 }, "Slack call failed; will retry");
      throw err;
    }
  };
  const worker: Worker<D, R> = new Worker<D, R>(opts.queue, processor, {
    connection: opts.connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    lockDuration: opts.lockDurationMs ?? DEFAULT_LOCK_MS,
  });
  return worker;
}
