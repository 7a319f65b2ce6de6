// Remediation, the pure part: which runs an alert change calls for, how runs are named (BullMQ job
// ids that make duplicates collapse), the loop guard's verdict, and the `remediating` transitions
// with the text the thread shows. The queue (jobs.ts) does the I/O around it.

import { createHash } from "node:crypto";
import type { RemediationAlert } from "../../../handlers/types";
import {
  type Alert,
  type AlertEvent,
  type AlertInstance,
  instanceName,
  type RemediatingState,
} from "../../core/alert";
import type { Transition } from "../../core/alert-actions";
import type { RemediationSpec, Runbook } from "../../core/config";
import { escapeMrkdwn } from "../../core/mrkdwn";

/** `retries` in a runbook counts retries after the first attempt. */
export const DEFAULT_RETRIES = 2;
/** BullMQ's exponential backoff: the n-th retry waits 2^(n-1) times this. */
export const BACKOFF_BASE_MS = 1_000;

export type RunSource = "auto" | "manual";

/** One remediation run: a BullMQ job that may take several attempts. */
export interface RemediationRun {
  /** Deterministic, so the same run enqueued twice is one job. Never contains ":". */
  readonly jobId: string;
  readonly alertId: string;
  /** The runbook (alert name) whose `remediation` this run executes. */
  readonly runbook: string;
  readonly handler: string;
  /** The instance a per-instance run is for; null for a run on the whole group. */
  readonly fingerprint: string | null;
  readonly source: RunSource;
  /** Who asked for a manual run. */
  readonly requestedBy: string | null;
}

type Runbooks = Readonly<Record<string, Runbook>>;

// Fingerprints from Alertmanager are hex, but the generic webhook accepts any string; job ids may not
// hold ":" and should stay short, so anything unusual is replaced by a hash of it.
const SAFE_TOKEN = /^[A-Za-z0-9_.-]{1,64}$/;

export function fingerprintToken(fingerprint: string): string {
  return SAFE_TOKEN.test(fingerprint)
    ? fingerprint
    : `h${createHash("sha256").update(fingerprint, "utf8").digest("hex").slice(0, 16)}`;
}

/** What a run acts on, for job ids and loop-guard keys: a fingerprint token or "group". */
export function runTarget(fingerprint: string | null): string {
  return fingerprint === null ? "group" : fingerprintToken(fingerprint);
}

export function autoJobId(alertId: string, fingerprint: string | null): string {
  return `rem-${alertId}-auto-${runTarget(fingerprint)}`;
}

export function manualJobId(alertId: string, n: number, fingerprint: string | null): string {
  return fingerprint === null
    ? `rem-${alertId}-manual-${n}`
    : `rem-${alertId}-manual-${n}-${runTarget(fingerprint)}`;
}

function instanceRunbookName(alert: Alert, instance: AlertInstance): string {
  return instance.labels.alertname ?? alert.name;
}

/** The remediation a run executes: the group's runbook, or for an instance its own alert name's. */
export function remediationOf(
  alert: Alert,
  runbooks: Runbooks,
  fingerprint: string | null,
): { readonly runbook: string; readonly spec: RemediationSpec } | null {
  if (fingerprint === null) {
    const spec = runbooks[alert.name]?.remediation;
    return spec && !spec.perInstance ? { runbook: alert.name, spec } : null;
  }
  const instance = alert.instances.find((i) => i.fingerprint === fingerprint);
  if (!instance) return null;
  const name = instanceRunbookName(alert, instance);
  const spec = runbooks[name]?.remediation;
  return spec?.perInstance ? { runbook: name, spec } : null;
}

interface Planned {
  readonly runbook: string;
  readonly spec: RemediationSpec;
  readonly fingerprint: string | null;
}

/**
 * Every run the alert's runbooks describe right now: one on the group (the runbook of the group's
 * alert name, unless it is per instance) and one per firing instance whose own runbook says
 * `per_instance: true`.
 */
function plannedRuns(alert: Alert, runbooks: Runbooks, instances: readonly AlertInstance[]): Planned[] {
  const out: Planned[] = [];
  const group = remediationOf(alert, runbooks, null);
  if (group) out.push({ ...group, fingerprint: null });
  for (const instance of instances) {
    if (instance.status !== "firing") continue;
    const name = instanceRunbookName(alert, instance);
    const spec = runbooks[name]?.remediation;
    if (spec?.perInstance) out.push({ runbook: name, spec, fingerprint: instance.fingerprint });
  }
  return out;
}

/**
 * The automatic runs an alert calls for in its current state: the group run (`auto: true`), and
 * one per firing instance for a per-instance remediation. Each run's job id depends only on the
 * alert (so the occurrence) and its target; the queue enqueues a run only the first time it sees
 * it, so the group runs once per occurrence and each instance once when it first fires, however
 * often the same notification arrives. A new occurrence is a new alert id and runs again.
 */
export function autoRuns(alert: Alert, runbooks: Runbooks): RemediationRun[] {
  if (alert.state === "resolved") return [];
  return plannedRuns(alert, runbooks, alert.instances)
    .filter((p) => p.spec.auto)
    .map((p) => ({
      jobId: autoJobId(alert.id, p.fingerprint),
      alertId: alert.id,
      runbook: p.runbook,
      handler: p.spec.handler,
      fingerprint: p.fingerprint,
      source: "auto",
      requestedBy: null,
    }));
}

/** The runs a press of "Run remediation" starts; `n` numbers the presses on this alert. */
export function manualRuns(alert: Alert, runbooks: Runbooks, n: number, user: string): RemediationRun[] {
  if (alert.state === "resolved") return [];
  return plannedRuns(alert, runbooks, alert.instances).map((p) => ({
    jobId: manualJobId(alert.id, n, p.fingerprint),
    alertId: alert.id,
    runbook: p.runbook,
    handler: p.spec.handler,
    fingerprint: p.fingerprint,
    source: "manual",
    requestedBy: user,
  }));
}

export function attemptsOf(spec: Pick<RemediationSpec, "retries">): number {
  return (spec.retries ?? DEFAULT_RETRIES) + 1;
}

/** The handler's own limit, lowered by the runbook's `timeout`. */
export function timeoutOf(handlerTimeoutMs: number, spec: Pick<RemediationSpec, "timeoutMs">): number {
  return spec.timeoutMs === null ? handlerTimeoutMs : Math.min(handlerTimeoutMs, spec.timeoutMs);
}

/** How long BullMQ waits before attempt `attempt + 1` after attempt `attempt` failed. */
export function backoffAfter(attempt: number): number {
  return 2 ** (attempt - 1) * BACKOFF_BASE_MS;
}

/** An instance's name in remediation texts: core's, cut to a length Slack takes. */
export function describeInstance(i: Pick<AlertInstance, "labels" | "fingerprint">): string {
  return instanceName(i);
}

/** What a handler sees: the group's common labels, or the instance's own for a per-instance run. */
export function remediationAlert(alert: Alert, fingerprint: string | null): RemediationAlert | null {
  if (fingerprint === null) {
    return {
      id: alert.id,
      name: alert.name,
      occurrence: alert.occurrence,
      labels: alert.commonLabels,
      annotations: alert.commonAnnotations,
      fingerprint: null,
    };
  }
  const instance = alert.instances.find((i) => i.fingerprint === fingerprint);
  if (!instance) return null;
  return {
    id: alert.id,
    name: instance.labels.alertname ?? alert.name,
    occurrence: alert.occurrence,
    labels: instance.labels,
    annotations: instance.annotations,
    fingerprint,
  };
}

/** Whether the run's target has resolved: the alert, or for a per-instance run the instance. */
export function targetResolved(alert: Alert | null, fingerprint: string | null): boolean {
  if (!alert || alert.state === "resolved") return true;
  if (fingerprint === null) return false;
  const instance = alert.instances.find((i) => i.fingerprint === fingerprint);
  return !instance || instance.status === "resolved";
}

// ---------------------------------------------------------------------------------------------
// Loop guard

export interface LoopGuard {
  /** Runs allowed per window; the next one is refused. */
  readonly runs: number;
  readonly windowMs: number;
}

export const DEFAULT_LOOP_GUARD: LoopGuard = { runs: 3, windowMs: 3_600_000 };
/** REMEDIATION_GROUP_LIMIT's default: runs of one handler per alert group, whatever the target. */
export const DEFAULT_GROUP_CAP: LoopGuard = { runs: 10, windowMs: 3_600_000 };

export type LoopGuardDecision =
  | { readonly allowed: true; readonly count: number }
  | { readonly allowed: false; readonly count: number; readonly retryAt: Date };

/**
 * Given the start times (ms) of earlier runs of one handler on one target of one alert group: may
 * another run start at `now`? Runs older than the window no longer count.
 */
export function loopGuardDecision(
  startedAt: readonly number[],
  now: Date,
  guard: LoopGuard,
): LoopGuardDecision {
  const since = now.getTime() - guard.windowMs;
  const recent = startedAt.filter((t) => t > since).sort((a, b) => a - b);
  if (recent.length < guard.runs) return { allowed: true, count: recent.length };
  // A slot frees when the oldest run that keeps the count at the limit leaves the window.
  const freeing = recent[recent.length - guard.runs] ?? now.getTime();
  return { allowed: false, count: recent.length, retryAt: new Date(freeing + guard.windowMs) };
}

/** "1h", "90m", "45s": the window as written in config. */
export function formatWindow(ms: number): string {
  for (const [unit, size] of [
    ["w", 604_800_000],
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

export function loopGuardText(handler: string, guard: LoopGuard, instance: string | null): string {
  const target = instance ? `instance ${escapeMrkdwn(instance)} of this alert group` : "this alert group";
  return `⛔ Loop guard: ${handler} ran ${guard.runs} times in ${formatWindow(guard.windowMs)} for ${target}; automation stopped`;
}

/** The thread's note, once, when the group cap refuses runs (per-instance runs on churning pods). */
export function groupCapText(handler: string, cap: LoopGuard): string {
  return `⛔ Remediation cap: ${handler} ran ${cap.runs} times in ${formatWindow(cap.windowMs)} for this alert group (all instances together); further runs are refused until the window has passed. Fix the cause by hand.`;
}

// ---------------------------------------------------------------------------------------------
// Transitions and thread text

function event(now: Date, actor: string, text: string): AlertEvent {
  return { at: now.toISOString(), type: "remediation", actor, text, thread: true };
}

export interface AttemptInfo {
  readonly handler: string;
  readonly attempt: number;
  readonly attempts: number;
  /** The instance of a per-instance run, as people know it. */
  readonly instance: string | null;
  readonly requestedBy: string | null;
}

function on(instance: string | null): string {
  return instance ? ` on ${escapeMrkdwn(instance)}` : "";
}

export function attemptText(a: AttemptInfo): string {
  const by = a.requestedBy ? `, requested by <@${a.requestedBy}>` : "";
  return `🛠 Running ${a.handler}${on(a.instance)} (attempt ${a.attempt} of ${a.attempts}${by})…`;
}

/** A run that waits as a delayed job (wait-and-recheck) before the handler is called again. */
export function waitText(handler: string, instance: string | null, summary: string): string {
  return `⏳ ${handler}${on(instance)}: ${escapeMrkdwn(summary)}`;
}

export function successText(handler: string, instance: string | null, summary: string): string {
  return `✅ ${handler}${on(instance)}: ${escapeMrkdwn(summary)}`;
}

/** A definite failure: the handler answered, and retrying would not change the answer. */
export function definiteFailureText(handler: string, instance: string | null, summary: string): string {
  return `❌ ${handler}${on(instance)}: ${escapeMrkdwn(summary)}`;
}

export function retryText(a: AttemptInfo, message: string): string {
  const wait = backoffAfter(a.attempt);
  const when = wait % 1000 === 0 ? `${wait / 1000}s` : `${wait} ms`;
  return `❌ ${a.handler}${on(a.instance)} attempt ${a.attempt} of ${a.attempts} failed: ${escapeMrkdwn(message)}; retrying in ${when}`;
}

export function finalFailureText(a: AttemptInfo, message: string): string {
  const tries = a.attempts === 1 ? "once" : `${a.attempts} times`;
  return `❌ ${a.handler}${on(a.instance)} failed (tried ${tries}): ${escapeMrkdwn(message)}`;
}

/** The thread's line for a run that ended without success, naming who is paged. */
export function pagedText(oncall: string | null): string {
  return oncall
    ? `🚨 Automation failed; paging <@${oncall}> to take over.`
    : "🚨 Automation failed and nobody is on call to page; someone has to take over.";
}

/** The DM to the on-call engineer: automation failed, what it tried, where to look. */
export function failureDmText(input: {
  readonly alertName: string;
  readonly handler: string;
  readonly instance: string | null;
  readonly attempts: number;
  readonly outcome: string;
  readonly channel: string | null;
}): string {
  const tries = input.attempts === 1 ? "once" : `${input.attempts} times`;
  const where = input.channel ? ` Details in the alert's thread in <#${input.channel}>.` : "";
  return `🚨 Automation failed for ${escapeMrkdwn(input.alertName)}${on(input.instance)}: the runbook's ${input.handler} remediation ran ${tries} and did not succeed (${escapeMrkdwn(input.outcome)}). Please take over.${where}`;
}

export function skippedText(handler: string, instance: string | null, retrying: boolean): string {
  const what = instance ? "the instance" : "the alert";
  return retrying
    ? `✅ ${handler}${on(instance)}: no further attempts, ${what} resolved`
    : `⏭ ${handler}${on(instance)} not run: ${what} resolved before it started`;
}

/**
 * A run starts: the alert shows `remediating` and remembers the state to return to. Calling it again
 * for the same run (the next attempt, or a stalled job run again) only adds the attempt's event.
 */
export function startRun(alert: Alert, runId: string, now: Date, text: string, actor = "bot"): Transition {
  if (alert.state === "resolved") return { ok: false, reason: "the alert has resolved" };
  const current = alert.remediating ?? null;
  const runs = current?.runs.includes(runId) ? current.runs : [...(current?.runs ?? []), runId];
  const remediating: RemediatingState =
    alert.state === "remediating" && current
      ? { runs, priorState: current.priorState }
      : { runs, priorState: alert.state === "remediating" ? "firing" : alert.state };
  return {
    ok: true,
    alert: { ...alert, state: "remediating", remediating, updatedAt: now.toISOString() },
    events: [event(now, actor, text)],
  };
}

/**
 * A run ended (or never started): records its outcome, and when it was the last run in flight,
 * returns the alert to its earlier state, unless someone changed the state meanwhile (acknowledged,
 * resolved), which then stands.
 */
export function finishRun(alert: Alert, runId: string, now: Date, texts: readonly string[]): Transition {
  const current = alert.remediating ?? null;
  const runs = (current?.runs ?? []).filter((r) => r !== runId);
  const last = runs.length === 0;
  let state = alert.state;
  if (last && state === "remediating") {
    state = current?.priorState ?? "firing";
    // Acknowledging keeps a running remediation's state and only sets the assignee. Hand-offs and
    // escalations clear the assignee, so one set now came from an acknowledgement during the run,
    // which outside a run turns firing, handed-off and escalated alerts alike into acknowledged ones.
    if (alert.assignee) state = "acked";
  }
  return {
    ok: true,
    alert: {
      ...alert,
      state,
      remediating: last ? null : { runs, priorState: current?.priorState ?? "firing" },
      updatedAt: now.toISOString(),
    },
    events: texts.map((t) => event(now, "bot", t)),
  };
}

/** Events without a state change (a retry to come, a loop guard note). */
export function noteRun(alert: Alert, now: Date, texts: readonly string[]): Transition {
  return {
    ok: true,
    alert: { ...alert, updatedAt: now.toISOString() },
    events: texts.map((t) => event(now, "bot", t)),
  };
}
