// The `escalate` queue: escalation timers, and the messages that reach the owning team.
//
// - `timer` jobs (id `timer-<alertId>-<step>`, delayed by the rotation's ack_timeout) re-page the
//   on-call engineer up to `repeats` times, then escalate to the owning team. The job only names
//   the alert and the step; the worker applies the step through the store's compare-and-set, which
//   refuses it once the alert was taken or the step already ran, so a late or repeated timer does
//   nothing. Being BullMQ jobs in Redis, timers survive a restart of the bot.
// - `team` jobs bring the owning team's messages up to date with the alert: the channel post after
//   a hand-off, the escalation broadcast (a DM to every member plus a channel post), and rewriting
//   them once someone acknowledges or the alert resolves.
// - `question` jobs ask, in the page's thread, whether a resolved alert was actionable.
// Every message is posted at most once: it is recorded by name, claimed before posting, and looked
// up by its metadata when a run died between Slack's answer and the record.

import { DelayedError, type Job, type Queue, UnrecoverableError, Worker } from "bullmq";
import type { Alert, AlertEvent } from "../../core/alert";
import { awaitingAck } from "../../core/alert-actions";
import type { OncallConfig, Team } from "../../core/config";
import { findRotation, findTeam } from "../../core/routing";
import { tryLock } from "../../platform/redis/lock";
import { SlackCallError } from "../../platform/slack/api";
import type { AlertChange, Feature, Runtime } from "../../runtime";
import type { SentMessages } from "../paging/delivery-store";
import { enqueueNotify } from "../paging/notify";
import { actionableQuestion, escalationDm, repageDm, type SlackMessage, teamPost } from "./blocks";
import { timerStep } from "./rules";

export const ESCALATE_QUEUE = "escalate";
export const SENT_EVENT = "oncall_sent";

export type EscalateJobData =
  | { readonly kind: "timer"; readonly alertId: string; readonly step: number }
  | { readonly kind: "team"; readonly alertId: string }
  | { readonly kind: "question"; readonly alertId: string; readonly waits?: number };

export type EscalateDeps = Pick<
  Runtime,
  "alerts" | "delivery" | "slack" | "config" | "log" | "redis" | "now" | "queues" | "alertChanged"
>;

const JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: "exponential", delay: 1_000 },
  // Kept for a week: adding a finished timer again is then a no-op rather than a second timer.
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** How long the question waits for the thread to show the resolution first (250 ms each). */
const MAX_QUESTION_WAITS = 40;

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

export async function enqueueQuestion(queue: Queue, alert: Pick<Alert, "id">): Promise<void> {
  await queue.add(
    "question",
    { kind: "question", alertId: alert.id },
    { ...JOB_OPTIONS, jobId: `question-${alert.id}` },
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
  if (alert.assignedTeam && events.some((e) => TEAM_EVENTS.has(e.type))) await enqueueTeamSync(queue, alert);
  if (events.some((e) => e.type === "resolved")) await enqueueQuestion(queue, alert);
}

// --- posting once -----------------------------------------------------------------------------

interface Target {
  readonly channel?: string;
  readonly user?: string;
  readonly threadTs?: string;
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

async function openDm(deps: EscalateDeps, user: string): Promise<string> {
  const res = await deps.slack.call<{ channel?: { id?: string } }>("conversations.open", { users: user });
  const id = res.channel?.id;
  if (!id) throw new SlackCallError("conversations.open", { kind: "transient", detail: "no channel id" });
  return id;
}

async function findSent(
  deps: EscalateDeps,
  channel: string,
  threadTs: string | undefined,
  alertId: string,
  name: string,
): Promise<string | null> {
  const res = await deps.slack.call<{ messages?: HistoryMessage[] }>(
    threadTs ? "conversations.replies" : "conversations.history",
    { channel, ...(threadTs ? { ts: threadTs } : {}), limit: 200, include_all_metadata: true },
  );
  const hit = res.messages?.find(
    (m) =>
      m.metadata?.event_type === SENT_EVENT &&
      m.metadata.event_payload?.alert_id === alertId &&
      m.metadata.event_payload?.name === name,
  );
  return hit?.ts ?? null;
}

/** Posts `message` under `name` unless it was posted (or refused for good) before. */
async function postOnce(
  deps: EscalateDeps,
  alert: Alert,
  sent: SentMessages,
  name: string,
  target: Target,
  message: SlackMessage,
): Promise<void> {
  if (sent.messages.has(name) || sent.failed.has(name)) return;
  const channel = target.channel ?? (await openDm(deps, target.user!));
  if (sent.claims.has(name)) {
    const ts = await findSent(deps, channel, target.threadTs, alert.id, name);
    if (ts) {
      await deps.delivery.recordSent(alert.id, name, { channel, ts, version: alert.version });
      return;
    }
  }
  await deps.delivery.claimSent(alert.id, name);
  const res = await deps.slack.call<{ ts?: string; channel?: string }>("chat.postMessage", {
    channel,
    ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
    text: message.text,
    blocks: message.blocks,
    unfurl_links: false,
    metadata: { event_type: SENT_EVENT, event_payload: { alert_id: alert.id, name } },
  });
  await deps.delivery.recordSent(alert.id, name, {
    channel: res.channel ?? channel,
    ts: String(res.ts),
    version: alert.version,
  });
}

/**
 * Runs one delivery; a permanent Slack refusal (a deactivated member, an archived channel) is
 * recorded and logged so the others still get theirs, and the job does not retry it forever.
 */
async function deliverOrRecord(
  deps: EscalateDeps,
  alert: Alert,
  name: string,
  deliver: () => Promise<void>,
): Promise<void> {
  try {
    await deliver();
  } catch (err) {
    if (!(err instanceof SlackCallError) || err.failure.kind !== "permanent") throw err;
    deps.log.error(
      { alertId: alert.id, name, method: err.method, error: err.failure.error },
      "Slack refused",
    );
    await deps.delivery.recordSendFailed(alert.id, name, err.failure.error);
    await deps.alerts.appendEvents(alert.id, [
      {
        at: deps.now().toISOString(),
        type: "delivery_failed",
        actor: "bot",
        text: `Could not deliver ${name}: Slack ${err.method} failed: ${err.failure.error}`,
        thread: false,
      },
    ]);
  }
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
    deps.log.warn({ alertId, err: (err as Error).message }, "no permalink for the page");
    return null;
  }
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
    if (oncall) {
      const sent = await deps.delivery.sent(alertId);
      const link = await pageLink(deps, alertId);
      await deliverOrRecord(deps, current, `repage:${step}`, () =>
        postOnce(
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
  const post = async (name: string, target: Target) => {
    const message = render(name, alert, deps.config, team, events, link);
    if (!message) return;
    await deliverOrRecord(deps, alert, name, () => postOnce(deps, alert, sent, name, target, message));
  };

  if (events.some((e) => e.type === "handed_off")) await post("team:handoff", { channel: team.channel });
  if (alert.escalation) {
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
      await deps.slack.call("chat.update", {
        channel: msg.channel,
        ts: msg.ts,
        text: message.text,
        blocks: message.blocks,
      });
      await deps.delivery.recordSent(alertId, name, { ...msg, version: alert.version });
    });
  }
}

export type QuestionOutcome = "asked" | "not yet" | "skipped";

/** Asks in the page's thread whether the resolved alert was actionable, after the resolution. */
export async function askActionable(
  deps: EscalateDeps,
  alertId: string,
  mayWait: boolean,
): Promise<QuestionOutcome> {
  const alert = await deps.alerts.get(alertId);
  if (alert?.state !== "resolved" || alert.answer) return "skipped";
  const page = await deps.delivery.get(alertId);
  // Without a page there is no thread yet; the notify queue is still posting it.
  if (!page.channel || !page.ts) throw new Error(`page of ${alertId} not posted yet`);
  const events = await deps.alerts.events(alertId);
  const resolvedAt = events.findLastIndex((e) => e.type === "resolved");
  if (mayWait && page.threadCursor <= resolvedAt) return "not yet";
  const sent = await deps.delivery.sent(alertId);
  await deliverOrRecord(deps, alert, "question", () =>
    postOnce(
      deps,
      alert,
      sent,
      "question",
      { channel: page.channel!, threadTs: page.ts! },
      actionableQuestion(alert),
    ),
  );
  return "asked";
}

export function createEscalateWorker(rt: Runtime): Worker<EscalateJobData> {
  const deps: EscalateDeps = rt;
  const worker: Worker<EscalateJobData> = new Worker<EscalateJobData>(
    ESCALATE_QUEUE,
    async (job: Job<EscalateJobData>, token?: string) => {
      const data = job.data;
      // Team messages and the question are sent one run per alert at a time, across replicas.
      const lockName = data.kind === "timer" ? null : `escalate-${data.kind}:${data.alertId}`;
      const release = lockName ? await tryLock(rt.redis, rt.alerts.keys.lock(lockName), 60_000) : null;
      if (lockName && !release) {
        await job.moveToDelayed(Date.now() + 250, token);
        throw new DelayedError();
      }
      try {
        if (data.kind === "timer") return await runTimer(deps, data.alertId, data.step);
        if (data.kind === "team") return await syncTeam(deps, data.alertId);
        const waits = data.waits ?? 0;
        const outcome = await askActionable(deps, data.alertId, waits < MAX_QUESTION_WAITS);
        if (outcome === "not yet") {
          await job.updateData({ ...data, waits: waits + 1 });
          await job.moveToDelayed(Date.now() + 250, token);
          throw new DelayedError();
        }
        return outcome;
      } catch (err) {
        if (!(err instanceof SlackCallError)) throw err;
        const f = err.failure;
        if (f.kind === "rate_limited") {
          rt.log.warn({ job: job.id, method: err.method, retryAfterMs: f.retryAfterMs }, "Slack rate limit");
          await worker.rateLimit(f.retryAfterMs);
          throw Worker.RateLimitError();
        }
        if (f.kind === "permanent") {
          rt.log.error({ job: job.id, method: err.method, error: f.error }, "Slack refused; not retrying");
          throw new UnrecoverableError(err.message);
        }
        rt.log.warn({ job: job.id, method: err.method, detail: f.detail }, "Slack call failed; will retry");
        throw err;
      } finally {
        await release?.();
      }
    },
    {
      connection: rt.workerConnection(),
      prefix: rt.bullPrefix,
      concurrency: 8,
      // BullMQ honours `worker.rateLimit()` (Slack's Retry-After) only for workers with a limiter;
      // without one, the other concurrent fetches take the job straight back.
      limiter: { max: 50, duration: 1_000 },
    },
  );
  return worker;
}

/** Escalation timers, hand-off posts, the escalation broadcast and the actionable question. */
export const escalationFeature: Feature = {
  name: "escalation",
  setup(rt) {
    rt.onAlertChange.push((change) => onChange(rt, change));
    return { workers: () => [createEscalateWorker(rt)] };
  },
};
