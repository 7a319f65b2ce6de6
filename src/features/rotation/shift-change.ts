// Shift changes: at every hand-off the rotation channel hears who is on call now and until when,
// and the incoming engineer gets a DM with the rotation's open alerts.
//
// Hand-offs are local wall-clock times (DST moves them in UTC), so instead of a cron per rotation
// a BullMQ job scheduler ticks every minute per rotation and each tick asks the rotation engine
// which hand-off happened last, using the runtime clock (tests inject it). A job scheduler makes one
// job per tick however many replicas run; what a hand-off has posted is recorded per rotation and
// hand-off instant, under a lock, so retries and overlapping ticks never post twice, and a post that
// died before it was recorded is found again by its message metadata (platform/slack/delivery.ts).

import type { Redis } from "ioredis";
import type { Rotation } from "../../core/config";
import { handoffsBetween, shiftAt } from "../../core/rotation";
import { MINUTE_MS } from "../../core/tz";
import { onScheduledJob } from "../../platform/queue/schedule";
import { tryLock } from "../../platform/redis/lock";
import { type MessageMark, type PostRecord, postOnce } from "../../platform/slack/delivery";
import { slackDate } from "../../platform/slack/kit";
import type { Feature, Runtime } from "../../runtime";
import { withAskForCover } from "../swaps/blocks";
import { alertLine, shiftWho } from "./blocks";
import { openAlertsOf, pageLinks } from "./home";

export const SHIFT_CHANGE_JOB = "shift-change";
export const HANDOFF_EVENT = "oncall_handoff";
export const DEFAULT_TICK_MS = 60_000;
/**
 * A hand-off is announced when a tick sees it within this long after it happened. Longer outages
 * skip the announcement: by then the news is stale and people have found out another way.
 */
export const ANNOUNCE_WITHIN_MS = 30 * MINUTE_MS;
const RECORD_TTL_SECONDS = 30 * 24 * 3600;
const MAX_ALERTS_IN_DM = 20;

export interface ShiftChangeJobData {
  readonly rotationId: string;
}

export function schedulerId(rotationId: string): string {
  return `shift-change-${rotationId}`;
}

/** Creates or updates one ticking scheduler per rotation and removes those of rotations now gone. */
export async function scheduleShiftChanges(rt: Runtime, everyMs = DEFAULT_TICK_MS): Promise<void> {
  const queue = rt.queues.schedule;
  const wanted = new Set(rt.config.rotations.map((r) => schedulerId(r.id)));
  for (const rotation of rt.config.rotations) {
    await queue.upsertJobScheduler(
      schedulerId(rotation.id),
      { every: everyMs },
      {
        name: SHIFT_CHANGE_JOB,
        data: { rotationId: rotation.id } satisfies ShiftChangeJobData,
        opts: { removeOnComplete: { count: 20 }, removeOnFail: { count: 100 } },
      },
    );
  }
  for (const s of await queue.getJobSchedulers(0, -1)) {
    if (s.key.startsWith("shift-change-") && !wanted.has(s.key)) await queue.removeJobScheduler(s.key);
  }
}

export type ShiftChangeOutcome =
  | { readonly kind: "none" }
  | { readonly kind: "done-before" | "busy"; readonly handoff: Date }
  | { readonly kind: "announced"; readonly handoff: Date; readonly user: string | null };

/**
 * This hand-off's record of one post (`field` of the hand-off's hash): the ts once posted,
 * "claimed" while a post is under way.
 */
export function handoffRecord(redis: Redis, key: string, field: string): PostRecord {
  return {
    async state() {
      const recorded = await redis.hget(key, field);
      if (!recorded) return "none";
      return recorded === "claimed" ? "claimed" : "posted";
    },
    async claim() {
      await redis.hset(key, field, "claimed");
      await redis.expire(key, RECORD_TTL_SECONDS);
    },
    async posted(m) {
      await redis.hset(key, field, m.ts);
    },
  };
}

function handoffMark(rotationId: string, at: number): MessageMark {
  return { event_type: HANDOFF_EVENT, event_payload: { rotation: rotationId, at } };
}

async function incomingDm(rt: Runtime, rotation: Rotation, until: Date): Promise<string> {
  const open = (await openAlertsOf(rt, [rotation.id])).filter((a) => !a.route.ejected);
  const head = `🔁 You are on call for ${rotation.name} now, until ${slackDate(until)}.`;
  if (!open.length) return `${head}\nNo open alerts.`;
  const shown = open.slice(0, MAX_ALERTS_IN_DM);
  const links = await pageLinks(rt, shown);
  const lines = shown.map((a) => `• ${alertLine(rt.config, a, links.get(a.id) ?? null)}`);
  const more = open.length > shown.length ? `\n… and ${open.length - shown.length} more.` : "";
  return `${head}\nOpen alerts (${open.length}):\n${lines.join("\n")}${more}`;
}

/** One tick for one rotation: announces its latest hand-off if that is recent and not yet announced. */
export async function processShiftChange(rt: Runtime, rotationId: string): Promise<ShiftChangeOutcome> {
  const rotation = rt.config.rotations.find((r) => r.id === rotationId);
  if (!rotation) return { kind: "none" };
  const now = rt.now();
  const handoff = handoffsBetween(
    rotation,
    new Date(now.getTime() - ANNOUNCE_WITHIN_MS),
    new Date(now.getTime() + 1),
  ).at(-1);
  if (!handoff) return { kind: "none" };
  const at = handoff.getTime();
  const key = rt.alerts.keys.handoff(rotation.id, at);
  if ((await rt.redis.hget(key, "done")) === "1") return { kind: "done-before", handoff };
  const release = await tryLock(rt.redis, rt.alerts.keys.lock(`handoff:${rotation.id}:${at}`), 60_000);
  if (!release) return { kind: "busy", handoff };
  try {
    if ((await rt.redis.hget(key, "done")) === "1") return { kind: "done-before", handoff };
    const state = await rt.rotationState.routingState();
    const shift = shiftAt(rotation, now, state);
    let text: string;
    if (shift) {
      const before = shiftAt(rotation, new Date(at - 1), state);
      const from = before && before.user !== shift.user ? `, taking over from <@${before.user}>` : "";
      text = `🔁 On call now: ${shiftWho(rt.config, shift)} until ${slackDate(shift.end)}${from}.`;
    } else {
      text = `🔁 Nobody is on call in ${rotation.name}: every team of it is ejected.`;
    }
    const mark = handoffMark(rotation.id, at);
    const record = (field: string) => handoffRecord(rt.redis, key, field);
    // Whoever comes on call can ask for cover right from the announcement.
    const ask = shift ? { rotationId: rotation.id, from: shift.start, to: shift.end } : null;
    const content = withAskForCover(text, ask);
    await postOnce(rt.slack, record("channel"), { channel: rotation.channel }, content, mark);
    if (shift) {
      // Rendered only when the DM is still to be sent: it reads the open alerts and their links.
      const dmText = async () => ({ text: await incomingDm(rt, rotation, shift.end) });
      await postOnce(rt.slack, record("dm"), { user: shift.user }, dmText, mark);
    }
    await rt.redis.hset(key, "done", "1");
    await rt.redis.expire(key, RECORD_TTL_SECONDS);
    rt.log.info(
      { rotation: rotation.id, handoff: handoff.toISOString(), user: shift?.user },
      "shift change announced",
    );
    return { kind: "announced", handoff, user: shift?.user ?? null };
  } finally {
    await release();
  }
}

/** The shift-change feature; `tickMs` is how often each rotation is looked at. */
export function createShiftChangeFeature(opts: { tickMs?: number } = {}): Feature {
  return {
    name: "shift-change",
    setup(rt) {
      onScheduledJob(rt, SHIFT_CHANGE_JOB, (job) =>
        processShiftChange(rt, (job.data as ShiftChangeJobData).rotationId),
      );
      return { start: () => scheduleShiftChanges(rt, opts.tickMs ?? DEFAULT_TICK_MS) };
    },
  };
}

export const shiftChangeFeature = createShiftChangeFeature();
