// The weekly review: a BullMQ job scheduler on the shared `schedule` queue fires at the configured
// day and time (in the review's time zone) and the worker posts the agenda plus the ops report to
// the review channel. Exactly one post per ISO week, however many replicas run and however often
// the job is retried: a per-week lock keeps replicas apart, a per-week marker records the post, and
// a claim set before posting lets a retry after a crash find the message instead of posting again
// (platform/slack/delivery.ts).

import type { Job } from "bullmq";
import { DAY_MS } from "../../core/tz";
import { onScheduledJob } from "../../platform/queue/schedule";
import { tryLock } from "../../platform/redis/lock";
import { postOnce } from "../../platform/slack/delivery";
import type { Block } from "../../platform/slack/kit";
import type { Feature, Runtime } from "../../runtime";
import { type Agenda, buildAgenda, reviewCron, reviewSlotAt } from "./agenda";
import { reviewMessage } from "./agenda-blocks";
import { opsReport } from "./ops-report";
import { incidentStore } from "./store";

export const REVIEW_JOB = "weekly-review";
export const REVIEW_EVENT = "oncall_review";

/** How far back a missing postmortem is still chased. */
const MISSING_LOOKBACK_DAYS = 90;
const POSTED_TTL_SECONDS = 60 * 24 * 3600;
const CLAIM_TTL_SECONDS = 14 * 24 * 3600;
const LOCK_TTL_MS = 120_000;
const LOCK_WAIT_MS = 15_000;
const BUSY = "another replica is posting it";

export interface ReviewContent {
  readonly agenda: Agenda;
  readonly text: string;
  readonly blocks: Block[];
}

/**
 * When the agenda starts: the last review posted; before the first one, the last review
 * schedules/review.yaml had due before `now`; a week back only when no review is configured.
 */
export async function lastReviewAt(rt: Runtime, now: Date): Promise<Date> {
  const store = incidentStore(rt.redis, rt.prefix);
  const last = await rt.redis.get(store.keys.reviewLast());
  const at = last ? new Date(last) : null;
  if (at && at.getTime() < now.getTime()) return at;
  const review = rt.config.review;
  // Strictly before now: the review posted at its own time covers the week before it.
  return review ? reviewSlotAt(review, new Date(now.getTime() - 1)).at : new Date(now.getTime() - 7 * DAY_MS);
}

/** The review as it stands at `now`: what the weekly post, `/oncall report` and `/incident agenda` show. */
export async function reviewContent(rt: Runtime, now: Date, since?: Date): Promise<ReviewContent> {
  const store = incidentStore(rt.redis, rt.prefix);
  const from = since ?? (await lastReviewAt(rt, now));
  const lookback = new Date(Math.min(from.getTime(), now.getTime() - MISSING_LOOKBACK_DAYS * DAY_MS));
  const [recent, open] = await Promise.all([
    // The period ends at `now` inclusive: something declared this instant is on the agenda.
    store.idsDeclaredBetween(lookback, new Date(now.getTime() + 1)),
    rt.redis.smembers(store.keys.incidentsOpen()),
  ]);
  const ids = [...new Set([...recent, ...open])];
  const [incidents, postmortems] = await Promise.all([store.getMany(ids), store.postmortems(ids)]);
  const agenda = buildAgenda({ incidents, postmortems, since: from, until: now });
  const windowDays = Math.max(1, Math.round((now.getTime() - from.getTime()) / DAY_MS));
  const report = await opsReport(rt, now, windowDays);
  return { agenda, ...reviewMessage(agenda, report) };
}

export type ReviewOutcome =
  | { readonly posted: true; readonly week: string; readonly channel: string; readonly ts: string }
  | { readonly posted: false; readonly week: string | null; readonly reason: string };

/**
 * Posts this week's review unless it is already posted. `now` decides the week: the latest
 * scheduled review at or before it (a late run still posts that week's review, once).
 */
export async function postWeeklyReview(rt: Runtime, now: Date = rt.now()): Promise<ReviewOutcome> {
  const review = rt.config.review;
  if (!review) return { posted: false, week: null, reason: "no review configured (schedules/review.yaml)" };
  const slot = reviewSlotAt(review, now);
  const store = incidentStore(rt.redis, rt.prefix);
  const keys = store.keys;
  const release = await lockWithin(rt, keys.lock(`review:${slot.week}`), LOCK_WAIT_MS);
  if (!release) return { posted: false, week: slot.week, reason: BUSY };
  try {
    const outcome = await postOnce(
      rt.slack,
      {
        async state() {
          if (await rt.redis.exists(keys.reviewPosted(slot.week))) return "posted";
          return (await rt.redis.exists(keys.reviewClaim(slot.week))) ? "claimed" : "none";
        },
        async claim() {
          await rt.redis.set(keys.reviewClaim(slot.week), now.toISOString(), "EX", CLAIM_TTL_SECONDS);
        },
        posted: (m) => markPosted(rt, slot, m.channel, m.ts),
      },
      { channel: review.channel },
      () => reviewContent(rt, now),
      { event_type: REVIEW_EVENT, event_payload: { week: slot.week } },
      // The newest messages: a crashed run posted moments before its retry looks (no time bound,
      // since Slack's ts is the wall clock and the claim's time may come from another replica's).
      { limit: 100 },
    );
    if (outcome.kind === "already") return { posted: false, week: slot.week, reason: "already posted" };
    if (outcome.kind === "found") {
      return { posted: false, week: slot.week, reason: "already posted (found after an interrupted run)" };
    }
    const { channel, ts } = outcome.message;
    rt.log.info({ week: slot.week, channel }, "weekly review posted");
    return { posted: true, week: slot.week, channel, ts };
  } finally {
    await release();
  }
}

/**
 * The week's lock, waiting a little for a replica that holds it: it is usually done in a moment, and
 * then this run finds the post and ends cleanly instead of failing.
 */
async function lockWithin(rt: Runtime, key: string, waitMs: number): Promise<(() => Promise<void>) | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const release = await tryLock(rt.redis, key, LOCK_TTL_MS);
    if (release || Date.now() >= deadline) return release;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function markPosted(
  rt: Runtime,
  slot: { week: string; at: Date },
  channel: string,
  ts: string,
): Promise<void> {
  const keys = incidentStore(rt.redis, rt.prefix).keys;
  await rt.redis
    .multi()
    .set(keys.reviewPosted(slot.week), JSON.stringify({ channel, ts }), "EX", POSTED_TTL_SECONDS)
    .set(keys.reviewLast(), slot.at.toISOString())
    .del(keys.reviewClaim(slot.week))
    .exec();
}

/** The scheduler and its handler; the schedule queue's single worker runs it. */
export const reviewFeature: Feature = {
  name: "weekly-review",
  setup(rt) {
    onScheduledJob(rt, REVIEW_JOB, async (_job: Job) => {
      const outcome = await postWeeklyReview(rt);
      // Another replica has been at it for long: try again later rather than risk no post at all.
      if (!outcome.posted && outcome.reason === BUSY)
        throw new Error(`weekly review ${outcome.week}: ${BUSY}`);
      return outcome;
    });
    return {
      async start() {
        const review = rt.config.review;
        if (!review) {
          await rt.queues.schedule.removeJobScheduler(REVIEW_JOB);
          return;
        }
        await rt.queues.schedule.upsertJobScheduler(
          REVIEW_JOB,
          { pattern: reviewCron(review), tz: review.timezone },
          {
            name: REVIEW_JOB,
            data: {},
            opts: {
              attempts: 10,
              backoff: { type: "exponential", delay: 5_000 },
              removeOnComplete: { count: 50 },
              removeOnFail: { count: 50 },
            },
          },
        );
      },
    };
  },
};
