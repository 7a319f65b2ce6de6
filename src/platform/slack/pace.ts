// Pacing Slack calls ourselves instead of learning from 429s. Slack limits chat.postMessage to
// about one message per second per channel (short bursts allowed) and every other method by its
// tier, per workspace: Tier 2 20+/min, Tier 3 50+/min, Tier 4 100+/min. Apps that keep calling
// after 429s risk being disabled, and a queue-wide pause after one 429 stalls every channel.
//
// So every call takes a token from a bucket in Redis first, shared by every replica and worker:
// - chat.postMessage: one bucket per channel (thread replies included; a DM posted to a user id
//   counts against that user's DM), so one busy channel never delays another;
// - every other method: one bucket per method, sized by its tier.
// A call that would wait longer than its caller can afford fails with a `rate_limited` failure
// carrying the wait, which the queue turns into a delayed retry of that job alone (its worker slot
// is free meanwhile). A 429 that still gets through blocks only its own bucket for Retry-After.
// Priorities leave tokens for what matters at 3 a.m.: a page's first post and the on-call DM may take
// a bucket's last token; updates leave some behind, thread notes and Home republishes more.

import { AsyncLocalStorage } from "node:async_hooks";
import type { Redis } from "ioredis";
import { type BucketSize, takeSlackToken } from "../redis/scripts";

/** What a call is for; the less urgent, the more tokens it leaves for the others. */
export type SlackPriority = "urgent" | "normal" | "background";

export type SlackTier = 1 | 2 | 3 | 4;

export interface SlackLimits {
  /** chat.postMessage per channel: the burst, then `postsPerSecond`. */
  readonly postBurst: number;
  readonly postsPerSecond: number;
  /** Calls per minute of one method of each tier. */
  readonly perMinute: Readonly<Record<SlackTier, number>>;
}

/** Slack's documented figures (https://api.slack.com/apis/rate-limits). */
export const SLACK_LIMITS: SlackLimits = {
  postBurst: 4,
  postsPerSecond: 1,
  perMinute: { 1: 1, 2: 20, 3: 50, 4: 100 },
};

/** The tier of each method the bot calls; anything unlisted is treated as Tier 3. */
export const METHOD_TIERS: Readonly<Record<string, SlackTier>> = {
  "auth.test": 4,
  "chat.delete": 3,
  "chat.getPermalink": 4,
  "chat.postEphemeral": 4,
  "chat.update": 3,
  "conversations.history": 3,
  "conversations.info": 3,
  "conversations.open": 3,
  "conversations.replies": 3,
  "team.info": 3,
  "usergroups.create": 2,
  "usergroups.list": 2,
  "usergroups.update": 2,
  "usergroups.users.list": 4,
  "usergroups.users.update": 2,
  "users.info": 4,
  "users.list": 2,
  "users.lookupByEmail": 3,
  "views.open": 4,
  "views.publish": 4,
  "views.push": 4,
  "views.update": 4,
};

export function tierOf(method: string): SlackTier {
  return METHOD_TIERS[method] ?? 3;
}

export interface Bucket {
  /** "channel" or "tier": what the bucket limits (a metric label). */
  readonly kind: "channel" | "tier";
  /** Its name under the pacer's key prefix. */
  readonly name: string;
  readonly size: BucketSize;
}

/**
 * Buckets refill this much slower than Slack's figures. A token taken on time can still reach Slack
 * early next to the one before it (a busy event loop, a claim written in between, replicas on
 * different paths); without a margin that is a 429 at exactly the documented rate.
 */
export const REFILL_MARGIN = 0.95;

/** Tiers are per method, and a bucket holds half a minute's calls (Slack allows bursts like that). */
export function bucketOf(
  method: string,
  args: Readonly<Record<string, unknown>>,
  limits: SlackLimits,
): Bucket {
  if (method === "chat.postMessage" && typeof args.channel === "string" && args.channel) {
    return {
      kind: "channel",
      name: `channel:${args.channel}`,
      size: { capacity: limits.postBurst, perSecond: limits.postsPerSecond * REFILL_MARGIN },
    };
  }
  const perMinute = limits.perMinute[tierOf(method)];
  return {
    kind: "tier",
    name: `method:${method}`,
    size: { capacity: Math.max(1, Math.floor(perMinute / 2)), perSecond: (perMinute / 60) * REFILL_MARGIN },
  };
}

/** Tokens a call of `priority` leaves in a bucket of `capacity` for more urgent calls. */
export function reserveFor(priority: SlackPriority, capacity: number): number {
  if (priority === "urgent" || capacity < 2) return 0;
  const share = priority === "normal" ? 0.25 : 0.5;
  return Math.max(1, Math.floor(capacity * share));
}

/** Why a call did not go out now: the bucket it needs has no token for this long. */
export interface PacedWait {
  readonly bucket: Bucket;
  readonly waitMs: number;
}

export interface PaceOptions {
  readonly priority?: SlackPriority;
  /** Longest the call may wait in place; beyond it `take` answers the wait instead. */
  readonly maxWaitMs?: number;
}

/**
 * How long a call waits in place. A queue job's call waits briefly and otherwise goes back to the
 * queue, so a worker slot is never held for one busy bucket; a call answering a person (a button,
 * a command) has no retry behind it and waits longer.
 */
export const JOB_MAX_WAIT_MS = 250;
export const INTERACTIVE_MAX_WAIT_MS = 5_000;

/** Pacing defaults of the code running now: queue workers run their jobs inside `run(JOB…)`. */
export const paceDefaults = new AsyncLocalStorage<PaceOptions>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The buckets, in Redis under `keyPrefix` (see the file's comment). */
export class SlackPacer {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    readonly limits: SlackLimits = SLACK_LIMITS,
  ) {}

  bucketOf(method: string, args: Readonly<Record<string, unknown>>): Bucket {
    return bucketOf(method, args, this.limits);
  }

  /**
   * Takes a token for the call, waiting in place up to `maxWaitMs`. Returns null once taken, or
   * the wait still ahead when it is longer than that (nothing taken).
   */
  async take(method: string, args: Readonly<Record<string, unknown>>, opts: PaceOptions = {}) {
    const bucket = this.bucketOf(method, args);
    const reserve = reserveFor(opts.priority ?? "normal", bucket.size.capacity);
    const maxWaitMs = opts.maxWaitMs ?? paceDefaults.getStore()?.maxWaitMs ?? INTERACTIVE_MAX_WAIT_MS;
    const started = Date.now();
    for (;;) {
      const waitMs = await takeSlackToken(this.redis, this.key(bucket), bucket.size, reserve);
      if (waitMs === 0) return { bucket, waitedMs: Date.now() - started, deferred: null };
      const waited = Date.now() - started;
      if (waited + waitMs > maxWaitMs) {
        return { bucket, waitedMs: waited, deferred: { bucket, waitMs } satisfies PacedWait };
      }
      await sleep(waitMs);
    }
  }

  /** Slack answered 429 anyway: this bucket alone takes nothing for `retryAfterMs`. */
  async block(method: string, args: Readonly<Record<string, unknown>>, retryAfterMs: number): Promise<void> {
    const bucket = this.bucketOf(method, args);
    await takeSlackToken(this.redis, this.key(bucket), bucket.size, 0, retryAfterMs);
  }

  private key(bucket: Bucket): string {
    return `${this.keyPrefix}${bucket.name}`;
  }
}
