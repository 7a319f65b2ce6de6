// Waits until the bot has nothing left to do, for tests that check "nothing more happens": every
// BullMQ queue is idle and the fake Slack has no request open, for a short quiet stretch in a row.
// A fixed sleep either wastes time or is too short on a slow machine; this waits exactly as long
// as the work takes, and fails loudly when the work never ends.

import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Queues } from "../../src/runtime";

/** What settled() watches: the harness has both. */
export interface Watched {
  readonly app: { readonly queues: Queues; readonly runtime: { readonly queueConnection: Redis } };
  readonly slack: { readonly inFlight: number; readonly calls: readonly unknown[] };
}

export interface SettledOptions {
  /**
   * Delayed jobs due within this many ms count as pending (a retry after Retry-After, a one-second
   * re-page timer); later ones (an escalation timer minutes away, the next shift-change tick) do not.
   */
  readonly horizonMs?: number;
  /** How long the idle state must hold before it counts: a listener may enqueue just after its ack. */
  readonly quietMs?: number;
  readonly timeoutMs?: number;
}

// BullMQ scores a delayed job timestamp * 0x1000 + a counter (commands/includes/getDelayedScore.lua).
const DELAY_SCORE_FACTOR = 0x1000;

/** Counts of jobs that will run soon, per queue, empty when none will. */
export async function pendingJobs(
  queues: Queues,
  redis: Redis,
  horizonMs: number,
): Promise<Record<string, number>> {
  const pending: Record<string, number> = {};
  for (const [name, queue] of Object.entries(queues) as [string, Queue][]) {
    const counts = await queue.getJobCounts("waiting", "active", "prioritized", "waiting-children");
    const due = await redis.zcount(
      queue.toKey("delayed"),
      0,
      (Date.now() + horizonMs + 1) * DELAY_SCORE_FACTOR,
    );
    const n = Object.values(counts).reduce((a, b) => a + b, 0) + due;
    if (n > 0) pending[name] = n;
  }
  return pending;
}

/** Resolves once queues and fake Slack have stayed idle for `quietMs`; throws after `timeoutMs`. */
export async function settled(h: Watched, opts: SettledOptions = {}): Promise<void> {
  const { horizonMs = 3_000, quietMs = 150, timeoutMs = 15_000 } = opts;
  const deadline = Date.now() + timeoutMs;
  let quietSince: number | null = null;
  let calls = -1;
  let last = "";
  for (;;) {
    const pending = await pendingJobs(h.app.queues, h.app.runtime.queueConnection, horizonMs);
    const busy = Object.keys(pending).length > 0 || h.slack.inFlight > 0 || h.slack.calls.length !== calls;
    calls = h.slack.calls.length;
    if (busy) {
      quietSince = null;
      last = `jobs ${JSON.stringify(pending)}, ${h.slack.inFlight} Slack request(s) open`;
    } else {
      quietSince ??= Date.now();
      if (Date.now() - quietSince >= quietMs) return;
    }
    if (Date.now() > deadline) throw new Error(`the bot did not settle within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
