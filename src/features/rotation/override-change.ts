// Overrides starting and ending are announced in the rotation's channel, like hand-offs: setting
// an override for next week says so at once (commands.ts), but the channel should also hear when
// it takes effect and when the schedule applies again. Each stored override gets a delayed job on
// the schedule queue at its start (when that is still to come) and at its end; removing it drops
// them (the removal is announced by whoever removes it). Posts are recorded per override and edge
// and marked, so a retry or a second replica never posts twice (platform/slack/delivery.ts).

import type { Job } from "bullmq";
import type { Override } from "../../core/rotation";
import { shiftAt } from "../../core/rotation";
import { onScheduledJob } from "../../platform/queue/schedule";
import type { JobRun } from "../../platform/queue/worker";
import { postOnce } from "../../platform/slack/delivery";
import { slackDate } from "../../platform/slack/kit";
import type { Feature, Runtime } from "../../runtime";
import { shiftWho, teamName } from "./blocks";
import { ANNOUNCE_WITHIN_MS, handoffRecord } from "./shift-change";

export const OVERRIDE_CHANGE_JOB = "override-change";
export const OVERRIDE_EVENT = "oncall_override";

export type OverrideEdge = "start" | "end";

export interface OverrideChangeData {
  readonly overrideId: string;
  readonly edge: OverrideEdge;
  /** The edge's instant (ms). */
  readonly at: number;
}

export function overrideJobId(overrideId: string, edge: OverrideEdge): string {
  return `override-${edge}-${overrideId}`;
}

export type OverrideChangeOutcome =
  | { readonly kind: "gone" | "stale" | "already" }
  | { readonly kind: "announced"; readonly text: string };

async function scheduleEdges(rt: Runtime, o: Override): Promise<void> {
  const now = rt.now().getTime();
  const edges: [OverrideEdge, number][] = [
    ["start", o.from.getTime()],
    ["end", o.to.getTime()],
  ];
  for (const [edge, at] of edges) {
    // An override starting at once was announced when it was set.
    if (at <= now || (edge === "end" && !(o.from.getTime() < at))) continue;
    await rt.queues.schedule.add(
      OVERRIDE_CHANGE_JOB,
      { overrideId: o.id, edge, at } satisfies OverrideChangeData,
      {
        jobId: overrideJobId(o.id, edge),
        delay: at - now,
        attempts: 10,
        backoff: { type: "exponential", delay: 1_000 },
        removeOnComplete: { count: 50 },
        removeOnFail: { count: 100 },
      },
    );
  }
}

async function dropEdges(rt: Runtime, o: Override): Promise<void> {
  for (const edge of ["start", "end"] as const) {
    // A job already running (or gone) cannot be removed; it finds the override gone and posts nothing.
    await rt.queues.schedule.remove(overrideJobId(o.id, edge)).catch(() => 0);
  }
}

/** Announces one edge of one override, once, if it still exists and the news is fresh. */
export async function processOverrideChange(
  rt: Runtime,
  data: OverrideChangeData,
  run?: JobRun,
): Promise<OverrideChangeOutcome> {
  const now = rt.now();
  const early = data.at - now.getTime();
  if (early > 0 && run) await run.later(early);
  const o = await rt.rotationState.override(data.overrideId);
  const rotation = o && rt.config.rotations.find((r) => r.id === o.rotationId);
  if (!o || !rotation) return { kind: "gone" };
  if (now.getTime() - data.at > ANNOUNCE_WITHIN_MS) return { kind: "stale" };
  const shift = shiftAt(rotation, now, await rt.rotationState.routingState());
  const onCall = shift
    ? `${shiftWho(rt.config, shift)} until ${slackDate(shift.end)}`
    : "nobody (every team of it is ejected)";
  const covering = shift?.overrideId === o.id ? shift : null;
  const text =
    data.edge === "end"
      ? `🔁 Override \`${o.id}\` (<@${o.user}>) ended; the schedule applies again. On call now: ${onCall}.`
      : covering
        ? `🔀 Override \`${o.id}\` started: <@${o.user}> (${teamName(rt.config, covering.team)}) is on call for ${rotation.name} until ${slackDate(covering.end)}, instead of <@${covering.scheduledUser}>.`
        : `🔀 Override \`${o.id}\` started. On call now: ${onCall}.`;
  const key = `${rt.prefix}override-announce:${o.id}`;
  const mark = { event_type: OVERRIDE_EVENT, event_payload: { override: o.id, edge: data.edge } };
  const posted = await postOnce(
    rt.slack,
    handoffRecord(rt.redis, key, data.edge),
    { channel: rotation.channel },
    { text },
    mark,
  );
  if (posted.kind === "already") return { kind: "already" };
  rt.log.info({ rotation: rotation.id, override: o.id, edge: data.edge }, "override change announced");
  return { kind: "announced", text };
}

export const overrideChangeFeature: Feature = {
  name: "override-change",
  setup(rt) {
    onScheduledJob(rt, OVERRIDE_CHANGE_JOB, (job: Job, run) =>
      processOverrideChange(rt, job.data as OverrideChangeData, run),
    );
    rt.rotationState.onChange(async (change) => {
      try {
        if (change.kind === "override-added") await scheduleEdges(rt, change.override);
        if (change.kind === "override-removed") await dropEdges(rt, change.override);
      } catch (err) {
        rt.log.warn({ err, change: change.kind }, "could not schedule an override's announcements");
      }
    });
    return {};
  },
};
