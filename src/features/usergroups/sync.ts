// Keeps each rotation's user group holding whoever is on call.
//
// Every reason to look (start-up, a stored override or ejection, the current shift's end) asks for
// a sync of the rotation: one job per rotation on the `usergroups` queue, its jobId fixed, so a
// burst of changes coalesces into one job while it waits. A change stored while that job already
// runs bumps the rotation's request counter; the job goes round again when the counter moved, as
// BullMQ ignores an add for a job id that is active. usergroups.users.update is Tier 2: the calls
// go through the runtime's SlackApi, whose pacer spaces them, and a 429 puts the job back to
// delayed (platform/queue/worker.ts).
//
// The next look is a delayed job on the schedule queue at the current shift's end, which is where
// a hand-off or an override's start or end falls. Start-up syncs every rotation, so whatever a bot
// that was down missed is repaired then.

import type { Job, Worker } from "bullmq";
import type { Rotation, UsergroupRef } from "../../core/config";
import { createWorker, type JobRun } from "../../platform/queue/worker";
import { SlackCallError } from "../../platform/slack/api";
import type { Runtime } from "../../runtime";
import { desiredMembership, membershipPlan, usergroupLabel, usergroupToCreate } from "./rules";

export const USERGROUPS_QUEUE = "usergroups";
export const SYNC_JOB = "sync";
export const USERGROUP_DUE_JOB = "usergroup-due";
/** Rounds one job makes while changes keep arriving; later ones are left to the next request. */
const MAX_ROUNDS = 3;
const SYNC_ATTEMPTS = 10;

export interface SyncJobData {
  readonly rotationId: string;
}

export interface DueJobData {
  readonly rotationId: string;
  /** The instant (ms) the shift ended. */
  readonly at: number;
}

export type SyncOutcome =
  | { readonly kind: "keep" | "set"; readonly usergroup: string; readonly users: readonly string[] }
  | { readonly kind: "nobody"; readonly usergroup: string }
  | { readonly kind: "disabled"; readonly usergroup: string }
  | { readonly kind: "none" };

export function syncJobId(rotationId: string): string {
  return `sync-${rotationId}`;
}

export function dueJobId(rotationId: string, at: number): string {
  return `usergroup-due-${rotationId}-${at}`;
}

/** Asks for a sync of the rotation's group; coalesces with one already waiting. */
export async function requestSync(rt: Runtime, rotationId: string): Promise<void> {
  await rt.redis.hincrby(rt.alerts.keys.usergroup(rotationId), "requests", 1);
  await rt.queues.usergroups.add(SYNC_JOB, { rotationId } satisfies SyncJobData, {
    jobId: syncJobId(rotationId),
    attempts: SYNC_ATTEMPTS,
    backoff: { type: "exponential", delay: 1_000 },
    // Kept jobs would hold the id, and every later request for the rotation would be dropped.
    removeOnComplete: true,
    removeOnFail: true,
  });
}

interface ListedGroup {
  readonly id: string;
  readonly handle?: string;
  readonly date_delete?: number;
}

/** The group's id: named in the config, remembered, found by its handle, or created. */
async function groupId(rt: Runtime, rotation: Rotation, ref: UsergroupRef): Promise<string | "disabled"> {
  if (ref.kind === "id") return ref.id;
  const key = rt.alerts.keys.usergroup(rotation.id);
  const [known, knownHandle] = await rt.redis.hmget(key, "id", "handle");
  if (known && knownHandle === ref.handle) return known;
  const listed = await rt.slack.call<{ usergroups?: ListedGroup[] }>("usergroups.list", {
    include_disabled: true,
  });
  const found = listed.usergroups?.find((g) => g.handle === ref.handle);
  // Someone turned it off in Slack on purpose; the bot must not revive it behind their back.
  if (found?.date_delete) return "disabled";
  const id =
    found?.id ??
    (
      await rt.slack.call<{ usergroup: { id: string } }>(
        "usergroups.create",
        usergroupToCreate(rotation, ref.handle),
      )
    ).usergroup.id;
  if (!found) rt.log.info({ rotation: rotation.id, usergroup: id, handle: ref.handle }, "user group created");
  await rt.redis.hset(key, "id", id, "handle", ref.handle);
  return id;
}

/** One look: reads the group's members and replaces them only when they are not whoever is on call. */
export async function syncUsergroup(rt: Runtime, rotation: Rotation): Promise<SyncOutcome> {
  const ref = rotation.usergroup;
  if (!ref) return { kind: "none" };
  const key = rt.alerts.keys.usergroup(rotation.id);
  let id = await groupId(rt, rotation, ref);
  if (id === "disabled") return { kind: "disabled", usergroup: usergroupLabel(ref) };
  const state = await rt.rotationState.routingState();
  const desired = desiredMembership(rotation, rt.now(), state);
  let current: readonly string[];
  try {
    current =
      (await rt.slack.call<{ users?: string[] }>("usergroups.users.list", { usergroup: id })).users ?? [];
  } catch (err) {
    // A remembered group deleted in Slack: find or create it again, once.
    if (!(ref.kind === "handle" && isRefusal(err, "no_such_subteam"))) throw err;
    await rt.redis.hdel(key, "id", "handle");
    id = await groupId(rt, rotation, ref);
    if (id === "disabled") return { kind: "disabled", usergroup: usergroupLabel(ref) };
    current =
      (await rt.slack.call<{ users?: string[] }>("usergroups.users.list", { usergroup: id })).users ?? [];
  }
  const plan = membershipPlan(current, desired.users);
  if (plan.kind === "nobody") return { kind: "nobody", usergroup: id };
  if (plan.kind === "set") {
    await rt.slack.call("usergroups.users.update", { usergroup: id, users: plan.users.join(",") });
    rt.log.info({ rotation: rotation.id, usergroup: id, users: plan.users }, "on-call user group updated");
  }
  const users = plan.kind === "set" ? plan.users : current;
  await rt.redis.hset(key, "members", users.join(","), "synced", String(rt.now().getTime()));
  await scheduleDue(rt, rotation.id, desired.until);
  return { kind: plan.kind, usergroup: id, users };
}

function isRefusal(err: unknown, error: string): boolean {
  return err instanceof SlackCallError && err.failure.kind === "permanent" && err.failure.error === error;
}

/** The next look at the rotation, when its current shift ends. */
async function scheduleDue(rt: Runtime, rotationId: string, until: Date | null): Promise<void> {
  if (!until) return;
  const at = until.getTime();
  await rt.queues.schedule.add(USERGROUP_DUE_JOB, { rotationId, at } satisfies DueJobData, {
    jobId: dueJobId(rotationId, at),
    delay: Math.max(0, at - rt.now().getTime()),
    attempts: SYNC_ATTEMPTS,
    backoff: { type: "exponential", delay: 1_000 },
    removeOnComplete: { count: 20 },
    removeOnFail: { count: 100 },
  });
}

/** The due job: early when the clocks of replicas disagree, so it waits for the shift's end. */
export async function processDue(rt: Runtime, job: Job, run: JobRun): Promise<void> {
  const data = job.data as DueJobData;
  const early = data.at - rt.now().getTime();
  if (early > 0) await run.later(early);
  await requestSync(rt, data.rotationId);
}

/** The usergroups queue's worker: syncs, then goes round again while requests kept arriving. */
export function usergroupWorker(rt: Runtime): Worker {
  return createWorker<SyncJobData, SyncOutcome>({
    queue: USERGROUPS_QUEUE,
    connection: rt.workerConnection(),
    prefix: rt.bullPrefix,
    redis: rt.redis,
    log: rt.log,
    // One group per job; rotations are few, and Tier 2 is the limit anyway.
    concurrency: 2,
    process: async (job) => {
      const rotation = rt.config.rotations.find((r) => r.id === job.data.rotationId);
      if (!rotation) return { kind: "none" };
      const key = rt.alerts.keys.usergroup(rotation.id);
      let outcome: SyncOutcome = { kind: "none" };
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const requests = await rt.redis.hget(key, "requests");
        outcome = await syncUsergroup(rt, rotation);
        if ((await rt.redis.hget(key, "requests")) === requests) break;
      }
      return outcome;
    },
  });
}
