// The `storm` queue: brings a storm's Slack presence up to date with its alerts. A job only names
// the storm; the worker reads the members' latest state, so jobs converge like notify's:
// - the digest is posted once (a claim in the storm's hash, a look-up by metadata after a crash)
//   and rewritten in place, its metadata with it;
// - changes coalesce: a job's id is the storm and the `digestEveryMs` slot it runs at the end of,
//   so every change within a slot is one job and one `chat.update` (a change while the job runs
//   falls in the next slot's job);
// - the on-call engineer gets one DM per storm, the thread one summary note once it is over;
// - escalation's re-page and team broadcast go out once per storm (and team), however many of
//   its alerts reach the step.

import type { Queue, Worker } from "bullmq";
import type { Alert } from "../../core/alert";
import type { Team } from "../../core/config";
import { createWorker } from "../../platform/queue/worker";
import { SlackCallError } from "../../platform/slack/api";
import { type Destination, type MessageContent, postOnce } from "../../platform/slack/delivery";
import type { Runtime } from "../../runtime";
import {
  digestMessage,
  STORM_EVENT,
  type StormView,
  stormBroadcast,
  stormDm,
  stormMark,
  stormNote,
  stormRepageDm,
} from "./blocks";
import { DEFAULT_STORM, type StormSettings, summarise } from "./rules";
import type { Storm, StormStore } from "./store";

export const STORM_QUEUE = "storm";
/** Messages a storm sends besides its digest: the DM, the note, re-pages, broadcasts. */
export const STORM_SENT_EVENT = "oncall_storm_sent";

export interface StormJobData {
  readonly stormId: string;
}

export type StormDeps = Pick<Runtime, "alerts" | "slack" | "config" | "log" | "now" | "redis"> & {
  readonly store: StormStore;
  readonly queue: Queue<StormJobData>;
  readonly settings: StormSettings;
};

export function stormSettings(rt: Pick<Runtime, "settings">): StormSettings {
  return { ...DEFAULT_STORM, ...rt.settings.storm };
}

const JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: "exponential", delay: 1_000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/**
 * Asks for the storm's digest to be brought up to date: at once for a new storm (its first post is
 * the page of everything in it), otherwise at the end of the current slot, one job per slot.
 */
export async function enqueueDigest(
  deps: Pick<StormDeps, "queue" | "settings">,
  stormId: string,
  now = false,
) {
  const every = Math.max(250, deps.settings.digestEveryMs);
  const wall = Date.now();
  const slot = Math.floor(wall / every);
  await deps.queue.add(
    "digest",
    { stormId },
    now
      ? { ...JOB_OPTIONS, jobId: `digest-${stormId}-open` }
      : { ...JOB_OPTIONS, jobId: `digest-${stormId}-${slot}`, delay: (slot + 1) * every - wall },
  );
}

/** What the storm's surfaces show: its counters as the members' alerts read now. */
export async function stormView(deps: Pick<StormDeps, "alerts" | "store" | "settings">, storm: Storm) {
  const alerts = await deps.alerts.getMany(await deps.store.alertIds(storm.id));
  const view: StormView = {
    id: storm.id,
    channel: storm.channel,
    openedAt: storm.openedAt,
    oncall: storm.oncall,
    closedAt: storm.closed ? (storm.closedAt ?? storm.openedAt) : null,
    summary: summarise(alerts, deps.settings.top),
  };
  return { view, alerts };
}

/** Sends `message` once per storm under `name`; the record and the mark make it exactly once. */
async function sendOnce(
  deps: StormDeps,
  stormId: string,
  name: string,
  to: Destination,
  message: MessageContent,
  priority: "urgent" | "normal" | "background" = "normal",
) {
  return postOnce(
    deps.slack,
    deps.store.record(stormId, name),
    to,
    message,
    { event_type: STORM_SENT_EVENT, event_payload: { storm_id: stormId, name } },
    { priority },
  );
}

/** One run of the digest job (see the file's comment). */
export async function syncStorm(deps: StormDeps, stormId: string): Promise<string> {
  const storm = await deps.store.get(stormId);
  if (!storm) return "storm gone";
  const { view } = await stormView(deps, storm);
  const message = digestMessage(view);
  const mark = stormMark(view);
  const outcome = await postOnce(
    deps.slack,
    deps.store.record(stormId, "digest"),
    { channel: storm.channel },
    message,
    mark,
    {
      identity: ["storm_id"],
      priority: "urgent",
      oldest: String(Math.floor(Date.parse(storm.openedAt) / 1000) - 60),
    },
  );
  const digest = outcome.kind === "already" ? await deps.store.message(stormId, "digest") : outcome.message;
  if (outcome.kind !== "posted" && digest) {
    // The metadata goes along: monitoring reads the counts from it.
    await deps.slack.call(
      "chat.update",
      { channel: digest.channel, ts: digest.ts, text: message.text, blocks: message.blocks, metadata: mark },
      { priority: "normal" },
    );
  }
  if (storm.oncall && !storm.closed) {
    const link = digest ? await permalink(deps, digest) : null;
    await sendOnce(deps, stormId, "dm", { user: storm.oncall }, stormDm(view, link), "urgent");
  }
  if (storm.closed && digest) {
    await sendOnce(
      deps,
      stormId,
      "note",
      { channel: digest.channel, threadTs: digest.ts },
      stormNote(view),
      // One note per storm: not worth holding behind the channel's other background replies.
      "normal",
    );
  }
  return `${outcome.kind === "posted" ? "posted" : "updated"}: ${view.summary.alerts} alerts`;
}

async function permalink(deps: StormDeps, m: { channel: string; ts: string }): Promise<string | null> {
  try {
    const res = await deps.slack.call<{ permalink?: string }>("chat.getPermalink", {
      channel: m.channel,
      message_ts: m.ts,
    });
    return res.permalink ?? null;
  } catch (err) {
    deps.log.warn({ err }, "no permalink for the storm message");
    return null;
  }
}

/**
 * Notify's hook before a new alert's first page: true when the alert is in a storm (admitted now,
 * or before), which then shows it; its digest is brought up to date instead of a page.
 */
export async function foldIntoStorm(deps: StormDeps, alert: Alert): Promise<boolean> {
  let id = await deps.store.stormOf(alert);
  if (!id) {
    const admitted = await deps.store.admit(alert, deps.settings, deps.now());
    if (admitted.kind === "page") return false;
    id = admitted.stormId;
    if (admitted.opened) await enqueueDigest(deps, id, true);
  }
  await deps.store.markState(id, alert, deps.now());
  await enqueueDigest(deps, id);
  return true;
}

/** Escalation's re-page of a storm alert: one DM per storm and step. True when the alert is in a storm. */
export async function repageStorm(
  deps: StormDeps,
  alert: Alert,
  step: number,
  repeats: number,
): Promise<boolean> {
  const id = await deps.store.stormOf(alert);
  if (!id) return false;
  const storm = await deps.store.get(id);
  if (!storm) return false;
  const oncall = storm.oncall ?? alert.route.oncallUser;
  if (!oncall || storm.closed) return true;
  const { view } = await stormView(deps, storm);
  await sendOnce(deps, id, `repage:${step}`, { user: oncall }, stormRepageDm(view, step, repeats), "urgent");
  return true;
}

/** Escalation's broadcast for a storm alert: once per team and storm. True when the alert is in a storm. */
export async function broadcastStorm(deps: StormDeps, alert: Alert, team: Team): Promise<boolean> {
  const id = await deps.store.stormOf(alert);
  if (!id) return false;
  const storm = await deps.store.get(id);
  if (!storm) return false;
  const { view } = await stormView(deps, storm);
  const message = stormBroadcast(view, team.name);
  const by = alert.escalation?.by;
  const send = async (name: string, to: Destination) => {
    try {
      await sendOnce(deps, id, name, to, message);
    } catch (err) {
      // A member Slack refuses for good (deactivated) must not keep the others from hearing it.
      if (!(err instanceof SlackCallError) || err.failure.kind !== "permanent") throw err;
      deps.log.error({ stormId: id, name, err }, "Slack refused a storm broadcast");
    }
  };
  for (const member of team.members) {
    if (member !== by) await send(`broadcast:${team.id}:dm:${member}`, { user: member });
  }
  await send(`broadcast:${team.id}:channel`, { channel: team.channel });
  return true;
}

export function createStormWorker(rt: Runtime, deps: StormDeps): Worker<StormJobData> {
  return createWorker<StormJobData, string>({
    queue: STORM_QUEUE,
    connection: rt.workerConnection(),
    prefix: rt.bullPrefix,
    redis: rt.redis,
    log: rt.log,
    concurrency: 4,
    process: (job, run) =>
      run.exclusive(rt.alerts.keys.lock(`storm:${job.data.stormId}`), () =>
        syncStorm(deps, job.data.stormId),
      ),
  });
}

export { STORM_EVENT };
