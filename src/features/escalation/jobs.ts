// The `escalate` queue: escalation timers, and the messages that reach the owning team.
//
// - `timer` jobs (id `timer-<alertId>-<step>`, delayed by the rotation's ack_timeout) re-page the
//   on-call engineer up to `repeats` times, then escalate to the owning team. The job only names
//   the alert and the step; the worker applies the step through the store's compare-and-set, which
//   refuses it once the alert was taken or the step already ran, so a late or repeated timer does
//   nothing. Being BullMQ jobs in Redis, timers survive a restart of the bot.
// - `handoff` jobs (id `handoff-<alertId>-v<version of the hand-off>`, delayed by the ack_timeout)
//   give a handed-off alert nobody in the owning team took back to on-call, with a DM to the
//   on-call engineer; its timers then run again. Refused, like a timer, once someone took it.
// - `team` jobs bring the owning team's messages up to date with the alert: the channel post after
//   a hand-off, the escalation broadcast (a DM to every member plus a channel post), and rewriting
//   them once someone acknowledges or the alert resolves.
// Every message is posted at most once, by name (`sendNamed`, through platform/slack/delivery.ts).

import type { Queue, Worker } from "bullmq";
import type { Alert, AlertChange, AlertEvent } from "../../core/alert";
import { awaitingAck } from "../../core/alert-actions";
import type { OncallConfig, Team } from "../../core/config";
import { findRotation, findTeam } from "../../core/routing";
import { createWorker } from "../../platform/queue/worker";
import { type Destination, rewrite } from "../../platform/slack/delivery";
import type { Feature, Runtime } from "../../runtime";
import { deliverOrRecord, enqueueNotify, sendNamed } from "../paging/notify";
import { escalationDm, handOffLapsedDm, repageDm, type SlackMessage, teamPost } from "./blocks";
import { handOffLapse, timerStep } from "./rules";

export const ESCALATE_QUEUE = "escalate";
export { SENT_EVENT } from "../paging/notify";

export type EscalateJobData =
  | { readonly kind: "timer"; readonly alertId: string; readonly step: number }
  | { readonly kind: "handoff"; readonly alertId: string; readonly version: number }
  | { readonly kind: "team"; readonly alertId: string };

export type EscalateDeps = Pick<
  Runtime,
  "alerts" | "delivery" | "slack" | "config" | "log" | "redis" | "now" | "queues" | "alertChanged"
> &
  Partial<Pick<Runtime, "alertGroups">>;

/** Whether a group (a storm) sends this step for all its alerts at once; see AlertGrouping. */
async function groupedRepage(deps: EscalateDeps, alert: Alert, step: number, repeats: number) {
  for (const group of deps.alertGroups ?? []) if (await group.repage(alert, step, repeats)) return true;
  return false;
}

async function groupedBroadcast(deps: EscalateDeps, alert: Alert, team: Team) {
  for (const group of deps.alertGroups ?? []) if (await group.broadcast(alert, team)) return true;
  return false;
}

const JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: "exponential", delay: 1_000 },
  // Kept for a week: adding a finished timer again is then a no-op rather than a second timer.
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export function timerJobId(alertId: string, step: number): string {
  return `timer-${alertId}-${step}`;
}

function rotationEscalation(config: OncallConfig, alert: Alert) {
  return findRotation(config, alert.route.rotationId)?.escalation ?? null;
}

/** Sets the timer for the alert's next step, unless it is set already (the id dedupes). */
export async function scheduleNextTimer(queue: Queue, config: OncallConfig, alert: Alert): Promise<void> {
  const policy = rotationEscalation(config, alert);
  const step = alert.repages + 1;
  if (!policy || step > policy.repeats + 1) return;
  await queue.add(
    "timer",
    { kind: "timer", alertId: alert.id, step },
    { ...JOB_OPTIONS, jobId: timerJobId(alert.id, step), delay: policy.ackTimeoutMs },
  );
}

/** The hand-off timer of the hand-off stored as `version`. */
export function handOffTimerJobId(alertId: string, version: number): string {
  return `handoff-${alertId}-v${version}`;
}

/**
 * After a hand-off: the owning team has the rotation's ack_timeout to take the alert before it
 * goes back to on-call (`runHandOffTimer`).
 */
export async function scheduleHandOffTimer(queue: Queue, config: OncallConfig, alert: Alert): Promise<void> {
  const policy = rotationEscalation(config, alert);
  if (!policy) return;
  await queue.add(
    "handoff",
    { kind: "handoff", alertId: alert.id, version: alert.version },
    { ...JOB_OPTIONS, jobId: handOffTimerJobId(alert.id, alert.version), delay: policy.ackTimeoutMs },
  );
}

/** Removes the alert's pending timers; one that is already running re-checks the alert and stops. */
export async function cancelTimers(queue: Queue, config: OncallConfig, alert: Alert): Promise<void> {
  const repeats = rotationEscalation(config, alert)?.repeats ?? 0;
  for (let step = Math.max(1, alert.repages); step <= repeats + 1; step++) {
    try {
      await queue.remove(timerJobId(alert.id, step));
    } catch {
      // BullMQ refuses to remove a job a worker holds; that run re-checks the alert and stops.
    }
  }
}

export async function enqueueTeamSync(queue: Queue, alert: Pick<Alert, "id" | "version">): Promise<void> {
  await queue.add(
    "team",
    { kind: "team", alertId: alert.id },
    { ...JOB_OPTIONS, jobId: `team-${alert.id}-v${alert.version}` },
  );
}

const TEAM_EVENTS: ReadonlySet<AlertEvent["type"]> = new Set([
  "handed_off",
  "escalated",
  "acked",
  "resolved",
]);

/** What the escalation feature does after any stored change; idempotent like every hook. */
export async function onChange(deps: Pick<EscalateDeps, "queues" | "config">, change: AlertChange) {
  const { alert, previous, events } = change;
  const queue = deps.queues.escalate;
  if (awaitingAck(alert)) await scheduleNextTimer(queue, deps.config, alert);
  else if (previous && awaitingAck(previous)) await cancelTimers(queue, deps.config, alert);
  if (alert.state === "handed_off" && events.some((e) => e.type === "handed_off")) {
    await scheduleHandOffTimer(queue, deps.config, alert);
  }
  if (alert.assignedTeam && events.some((e) => TEAM_EVENTS.has(e.type))) await enqueueTeamSync(queue, alert);
}

async function pageLink(deps: EscalateDeps, alertId: string): Promise<string | null> {
  const page = await deps.delivery.get(alertId);
  if (!page.channel || !page.ts) return null;
  try {
    const res = await deps.slack.call<{ permalink?: string }>("chat.getPermalink", {
      channel: page.channel,
      message_ts: page.ts,
    });
    return res.permalink ?? null;
  } catch (err) {
    // A message without the link is better than no message.
    deps.log.warn({ alertId, err }, "no permalink for the page");
    return null;
  }
}

/** Whether the alert, read now, still waits for someone to take it. */
async function stillAwaitingAck(deps: Pick<EscalateDeps, "alerts">, alertId: string): Promise<boolean> {
  const now = await deps.alerts.get(alertId);
  return now !== null && awaitingAck(now);
}

// --- the jobs ---------------------------------------------------------------------------------

/** One timer step. Returns what it did, for the job's return value and the logs. */
export async function runTimer(deps: EscalateDeps, alertId: string, step: number): Promise<string> {
  const alert = await deps.alerts.get(alertId);
  if (!alert) return "alert gone";
  const policy = rotationEscalation(deps.config, alert);
  if (!policy) return "no rotation";
  const team = alert.route.teamId ? findTeam(deps.config, alert.route.teamId) : undefined;
  const res = await deps.alerts.update(alertId, (a) => timerStep(a, step, policy.repeats, team, deps.now()));
  if (res.ok) await deps.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
  const current = res.alert;
  // The step's follow-ups run whenever the step is applied, also when an earlier run applied it
  // and died before finishing them; any other state means the timer is stale.
  if (!current || current.repages !== step) return res.ok ? "applied" : `stale: ${res.reason}`;
  if (!res.ok) await enqueueNotify(deps.queues.notify, current);
  if (step <= policy.repeats) {
    if (!awaitingAck(current)) return "applied; taken meanwhile";
    const oncall = current.route.oncallUser;
    // A storm's alert: the storm re-pages its on-call engineer once for all its alerts.
    if (oncall && !(await groupedRepage(deps, current, step, policy.repeats))) {
      const sent = await deps.delivery.sent(alertId);
      const link = await pageLink(deps, alertId);
      // The permalink is a Slack call: someone may have taken the alert since the step was applied.
      // The state that counts is the one when sending, not the snapshot from before.
      if (!(await stillAwaitingAck(deps, alertId))) return "applied; taken meanwhile";
      await deliverOrRecord(deps, current, `repage:${step}`, () =>
        sendNamed(
          deps,
          current,
          sent,
          `repage:${step}`,
          { user: oncall },
          repageDm(current, deps.config, step, policy.repeats, link),
        ),
      );
    }
    await scheduleNextTimer(deps.queues.escalate, deps.config, current);
    return `re-paged (${step} of ${policy.repeats})`;
  }
  if (current.escalation) await enqueueTeamSync(deps.queues.escalate, current);
  return current.escalation ? "escalated" : "no team to escalate to";
}

/**
 * The hand-off timer: nobody in the owning team took the alert within the ack_timeout, so the
 * on-call engineer is paged again (a DM) and the alert goes back to on-call, whose timers run
 * again. The DM goes first, named after the hand-off, so a run that dies in between sends it once
 * and still applies the change when retried.
 */
export async function runHandOffTimer(
  deps: EscalateDeps,
  alertId: string,
  handOffVersion: number,
): Promise<string> {
  const alert = await deps.alerts.get(alertId);
  if (!alert) return "alert gone";
  const policy = rotationEscalation(deps.config, alert);
  if (!policy) return "no rotation";
  const team = alert.assignedTeam ? findTeam(deps.config, alert.assignedTeam) : undefined;
  const check = handOffLapse(alert, team, policy.ackTimeoutMs, deps.now());
  if (!check.ok) return `stale: ${check.reason}`;
  const oncall = alert.route.oncallUser;
  if (oncall && team) {
    const sent = await deps.delivery.sent(alertId);
    const link = await pageLink(deps, alertId);
    const name = `handoff-lapsed:${handOffVersion}`;
    // As for a re-page: whether the team took it meanwhile counts when sending.
    const now = await deps.alerts.get(alertId);
    if (!now || !handOffLapse(now, team, policy.ackTimeoutMs, deps.now()).ok) return "taken meanwhile";
    await deliverOrRecord(deps, now, name, () =>
      sendNamed(
        deps,
        now,
        sent,
        name,
        { user: oncall },
        handOffLapsedDm(now, deps.config, team, policy.ackTimeoutMs, link),
      ),
    );
  }
  // The timers start again from the alert's next step: clear any job a past run left under those
  // ids (a timer that ran stale while the alert was taken), or adding them again would be a no-op.
  await cancelTimers(deps.queues.escalate, deps.config, alert);
  const res = await deps.alerts.update(alertId, (a) =>
    handOffLapse(a, team, policy.ackTimeoutMs, deps.now()),
  );
  if (!res.ok) return `stale: ${res.reason}`;
  await deps.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
  return "back with on-call";
}

function render(
  name: string,
  alert: Alert,
  config: OncallConfig,
  team: Team,
  events: readonly AlertEvent[],
  link: string | null,
): SlackMessage | null {
  if (name === "team:handoff") {
    const by = events.find((e) => e.type === "handed_off")?.actor ?? "bot";
    return teamPost(alert, config, team, "handoff", by, link);
  }
  if (name === "team:escalation" && alert.escalation) {
    return teamPost(alert, config, team, "escalation", alert.escalation.by, link);
  }
  if (name.startsWith("dm:") && alert.escalation) return escalationDm(alert, config, name.slice(3), link);
  return null;
}

/** Brings the owning team's messages up to date with the alert (see the file's comment). */
export async function syncTeam(deps: EscalateDeps, alertId: string): Promise<void> {
  const alert = await deps.alerts.get(alertId);
  if (!alert?.assignedTeam) return;
  const team = findTeam(deps.config, alert.assignedTeam);
  if (!team) return;
  const events = await deps.alerts.events(alertId);
  let sent = await deps.delivery.sent(alertId);
  const link = await pageLink(deps, alertId);
  const post = async (name: string, to: Destination) => {
    const message = render(name, alert, deps.config, team, events, link);
    if (!message) return;
    await deliverOrRecord(deps, alert, name, () => sendNamed(deps, alert, sent, name, to, message));
  };

  if (events.some((e) => e.type === "handed_off")) await post("team:handoff", { channel: team.channel });
  // A storm's alert: the storm tells the team once for all its alerts.
  if (alert.escalation && !(await groupedBroadcast(deps, alert, team))) {
    // The person who escalated knows already; everyone else in the team hears it once.
    for (const member of team.members) {
      if (member !== alert.escalation.by) await post(`dm:${member}`, { user: member });
    }
    await post("team:escalation", { channel: team.channel });
  }

  sent = await deps.delivery.sent(alertId);
  for (const [name, msg] of sent.messages) {
    if (msg.version >= alert.version) continue;
    const message = render(name, alert, deps.config, team, events, link);
    if (!message) continue;
    await deliverOrRecord(deps, alert, `update of ${name}`, async () => {
      await rewrite(deps.slack, msg, message);
      await deps.delivery.recordSent(alertId, name, { ...msg, version: alert.version });
    });
  }
}

export function createEscalateWorker(rt: Runtime): Worker<EscalateJobData> {
  const deps: EscalateDeps = rt;
  return createWorker<EscalateJobData, unknown>({
    queue: ESCALATE_QUEUE,
    connection: rt.workerConnection(),
    prefix: rt.bullPrefix,
    redis: rt.redis,
    log: rt.log,
    concurrency: 8,
    process: async (job, run) => {
      const data = job.data;
      if (data.kind === "timer") return runTimer(deps, data.alertId, data.step);
      if (data.kind === "handoff") return runHandOffTimer(deps, data.alertId, data.version);
      // Team messages are sent one run per alert at a time, across replicas.
      return run.exclusive(rt.alerts.keys.lock(`escalate-team:${data.alertId}`), () =>
        syncTeam(deps, data.alertId),
      );
    },
  });
}

/** Escalation timers, hand-off posts and the escalation broadcast. */
export const escalationFeature: Feature = {
  name: "escalation",
  setup(rt) {
    rt.onAlertChange.push((change) => onChange(rt, change));
    return { workers: () => [createEscalateWorker(rt)] };
  },
};
