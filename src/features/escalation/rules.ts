// The escalation policy: when an alert may be handed to its owning team (inside the team's
// workday), what an escalation timer step does to an alert, and why people escalate. Pure.

import type { Alert } from "../../core/alert";
import { BOT, escalate, repage, type Transition } from "../../core/alert-actions";
import type { Team } from "../../core/config";
import { formatDuration } from "../../core/duration";
import { isInWorkday, nextWorkdayStart } from "../../core/workday";

/**
 * Whether the owning team takes hand-offs now: inside its workday it does; outside, the refusal
 * says when its next workday starts (null when none is configured). The hand-off's other rules
 * (resolved, ejected, already handed or escalated) are `handOff`'s in core/alert-actions.ts and
 * come first.
 */
export type HandOffWindow =
  | { readonly ok: true }
  | { readonly ok: false; readonly team: Team; readonly workdayStarts: Date | null };

export function handOffWindow(alert: Pick<Alert, "route">, team: Team | undefined, now: Date): HandOffWindow {
  // Without an owning team, or for an ejected one, handOff refuses for that reason instead.
  if (!team || alert.route.ejected || isInWorkday(team, now)) return { ok: true };
  let workdayStarts: Date | null;
  try {
    workdayStarts = nextWorkdayStart(team, now);
  } catch {
    // No workday within a year: the team has no work days configured.
    workdayStarts = null;
  }
  return { ok: false, team, workdayStarts };
}

/** The refusal of a hand-off outside the team's workday, its start written for the reader. */
export function outsideWorkdayRefusal(
  refusal: Extract<HandOffWindow, { ok: false }>,
  readerZone: string,
): string {
  const { team, workdayStarts } = refusal;
  const when = workdayStarts
    ? formatTeamTime(workdayStarts, team.timezone, readerZone)
    : "never (no workday is configured for the team)";
  return `${team.name} is outside its workday, so this alert stays with on-call. Their workday begins ${when}. If it cannot wait, press Escalate to page every member of ${team.name}.`;
}

/** What the Escalate modal offers; "other" needs a few words. */
export const ESCALATION_REASONS = [
  { value: "runbook", label: "The runbook is not enough" },
  { value: "complex", label: "The problem is complex" },
  { value: "knowledge", label: "It needs the team's knowledge or access" },
  { value: "impact", label: "Customer impact is growing" },
  { value: "other", label: "Something else" },
] as const;

export const MAX_REASON_DETAIL = 500;

export type ReasonInput =
  | { readonly ok: true; readonly reason: string }
  | { readonly ok: false; readonly field: "reason" | "detail"; readonly message: string };

/** The reason an escalation carries: the chosen label, plus the person's own words when given. */
export function escalationReason(choice: string | null, detail: string | null): ReasonInput {
  const found = ESCALATION_REASONS.find((r) => r.value === choice);
  const words = detail?.trim() ?? "";
  if (!found) return { ok: false, field: "reason", message: "Pick why the runbook does not get you there." };
  if (found.value === "other" && !words) {
    return { ok: false, field: "detail", message: "Say in a few words why you escalate." };
  }
  if (words.length > MAX_REASON_DETAIL) {
    return { ok: false, field: "detail", message: `Keep it under ${MAX_REASON_DETAIL} characters.` };
  }
  if (found.value === "other") return { ok: true, reason: words };
  return { ok: true, reason: words ? `${found.label}: ${words}` : found.label };
}

/** Why the timer escalated, in the escalation's reason. */
export function timerReason(repeats: number): string {
  return `not acknowledged after ${repeats} re-page${repeats === 1 ? "" : "s"}`;
}

/**
 * Step `step` (1-based) of an alert's escalation timer: steps 1..repeats re-page the on-call
 * engineer; step repeats+1 escalates to the owning team, or, for an unrouted alert, notes that
 * there is nobody to escalate to. Each step sets `repages` to its number, so a step applies once
 * and a late or repeated timer is refused.
 */
export function timerStep(
  alert: Alert,
  step: number,
  repeats: number,
  team: Team | undefined,
  now: Date,
): Transition {
  if (step <= repeats) return repage(alert, step, now);
  const check = repage(alert, step, now);
  if (!check.ok) return check;
  if (team) {
    const t = escalate(alert, BOT, timerReason(repeats), now, team);
    return t.ok ? { ...t, alert: { ...t.alert, repages: step } } : t;
  }
  return {
    ok: true,
    alert: { ...alert, repages: step, updatedAt: now.toISOString() },
    events: [
      {
        at: now.toISOString(),
        type: "note",
        actor: BOT,
        text: `Still not acknowledged after ${repeats} re-page${repeats === 1 ? "" : "s"}. This alert matched no service, so there is no owning team to escalate to: add its service to schedules/services.yaml.`,
        thread: true,
      },
    ],
  };
}

/**
 * The hand-off's acknowledgement timeout ran out and nobody in the owning team took the alert: it
 * goes back to on-call, who is paged again, and its escalation timers run again (re-pages, then
 * the escalation to every member of the team). Refused once someone took it, it was escalated or
 * it resolved, so a late timer does nothing.
 */
export function handOffLapse(alert: Alert, team: Team | undefined, timeoutMs: number, now: Date): Transition {
  if (alert.state !== "handed_off" || alert.assignee !== null || !alert.assignedTeam || alert.escalation) {
    return { ok: false, reason: `alert is ${alert.state}; the hand-off timer no longer applies` };
  }
  const name = team?.name ?? alert.assignedTeam;
  const who = alert.route.oncallUser ? `<@${alert.route.oncallUser}>` : "on-call (nobody found)";
  const at = now.toISOString();
  return {
    ok: true,
    alert: { ...alert, state: "firing", assignedTeam: null, updatedAt: at },
    events: [
      {
        at,
        type: "repaged",
        actor: BOT,
        text: `${name} did not take this alert within ${formatDuration(timeoutMs)}: it is back with on-call, paging ${who} again`,
        thread: true,
      },
    ],
  };
}

const DAY_FORMAT = new Map<string, Intl.DateTimeFormat>();
const TIME_FORMAT = new Map<string, Intl.DateTimeFormat>();

function dayOf(at: Date, timeZone: string): string {
  let f = DAY_FORMAT.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short" });
    DAY_FORMAT.set(timeZone, f);
  }
  return f.format(at).replace(",", "");
}

function timeOf(at: Date, timeZone: string): string {
  let f = TIME_FORMAT.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    TIME_FORMAT.set(timeZone, f);
  }
  return f.format(at);
}

/**
 * "Mon 30 Nov, 09:00 Europe/Berlin (09:00 your time)": the team's local date and time, then the
 * reader's clock time, with the reader's date when it falls on another day for them.
 */
export function formatTeamTime(at: Date, teamZone: string, readerZone: string): string {
  const teamDay = dayOf(at, teamZone);
  const readerDay = dayOf(at, readerZone);
  const yours = readerDay === teamDay ? timeOf(at, readerZone) : `${readerDay}, ${timeOf(at, readerZone)}`;
  return `${teamDay}, ${timeOf(at, teamZone)} ${teamZone} (${yours} your time)`;
}
