// The escalation policy: what an escalation timer step does to an alert, why people escalate, and
// how a team's next workday is written for the person who was refused a hand-off. Pure.

import type { Alert } from "../../core/alert";
import { BOT, escalate, repage, type Transition } from "../../core/alert-actions";
import type { Team } from "../../core/config";

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
