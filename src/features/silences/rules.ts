// Silences from Slack, the rules: who may silence an alert's group (whoever may acknowledge it),
// for how long (the modal's choices, "until the owning team's next workday" included), what the
// silence matches, and the alert's transitions when a silence starts and ends. Pure: time is passed
// in, refusals are values whose text is shown as is.

import type { Alert, AlertEvent, AlertSilence } from "../../core/alert";
import { mayActOn, type Transition, whoMayAct } from "../../core/alert-actions";
import type { OncallConfig, Team } from "../../core/config";
import { escapeMrkdwn } from "../../core/mrkdwn";
import { parseDurationWord } from "../../core/when";
import { nextWorkdayStart } from "../../core/workday";

export type DurationChoice = "1h" | "4h" | "workday" | "custom";

/** The modal's duration choices, in order; the first is the default. */
export const DURATION_CHOICES: readonly DurationChoice[] = ["1h", "4h", "workday", "custom"];

const FIXED_MS: Readonly<Record<"1h" | "4h", number>> = { "1h": 3_600_000, "4h": 4 * 3_600_000 };

/** The longest silence the button makes: beyond it, fix or delete the alert rule instead. */
export const MAX_SILENCE_MS = 14 * 24 * 3_600_000;
/** Shorter silences end before Alertmanager's next group interval would notice them. */
export const MIN_SILENCE_MS = 60_000;
export const MAX_COMMENT = 500;

/** The choices the modal offers for this alert: "next workday" needs an owning team. */
export function durationChoices(team: Team | undefined): { value: DurationChoice; label: string }[] {
  return DURATION_CHOICES.filter((c) => c !== "workday" || team).map((value) => ({
    value,
    label:
      value === "1h"
        ? "1 hour"
        : value === "4h"
          ? "4 hours"
          : value === "workday"
            ? `Until ${team!.name}'s next workday`
            : "Custom (type it below)",
  }));
}

export type SilenceEnd =
  | { readonly ok: true; readonly endsAt: Date }
  | { readonly ok: false; readonly field: "duration" | "custom"; readonly message: string };

/** When a silence chosen in the modal ends, or what is wrong with the form (per field). */
export function silenceEnd(input: {
  readonly choice: string | null;
  readonly custom: string | null;
  readonly now: Date;
  readonly team: Team | undefined;
}): SilenceEnd {
  const { now, team } = input;
  const custom = input.custom?.trim() || null;
  const choice = (input.choice ?? "1h") as DurationChoice;
  if (!DURATION_CHOICES.includes(choice))
    return { ok: false, field: "duration", message: "Pick a duration." };
  if (custom !== null && choice !== "custom")
    return {
      ok: false,
      field: "custom",
      message: 'Pick "Custom" above to use a typed duration, or clear this box.',
    };
  if (choice === "1h" || choice === "4h")
    return { ok: true, endsAt: new Date(now.getTime() + FIXED_MS[choice]) };
  if (choice === "workday") {
    if (!team)
      return { ok: false, field: "duration", message: "This alert has no owning team; pick a duration." };
    return { ok: true, endsAt: nextWorkdayStart(team, now) };
  }
  if (custom === null)
    return { ok: false, field: "custom", message: 'Type how long, e.g. "30m", "2h" or "1d12h".' };
  let ms: number | null;
  try {
    ms = parseDurationWord(custom);
  } catch {
    ms = null;
  }
  if (ms === null)
    return {
      ok: false,
      field: "custom",
      message: `"${custom.slice(0, 40)}" is not a duration; type e.g. "30m", "2h" or "1d12h".`,
    };
  if (ms < MIN_SILENCE_MS) return { ok: false, field: "custom", message: "Silence for at least 1 minute." };
  if (ms > MAX_SILENCE_MS)
    return {
      ok: false,
      field: "custom",
      message: "At most 14 days: an alert silenced for longer should be fixed or deleted instead.",
    };
  return { ok: true, endsAt: new Date(now.getTime() + ms) };
}

export interface Matcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: false;
  readonly isEqual: true;
}

/**
 * What the silence matches: the group's labels, exactly (every alert Alertmanager would put in
 * this group), or the labels its alerts share when the group's own are unknown. Empty when there is
 * nothing to match: Alertmanager refuses a silence without matchers.
 */
export function silenceMatchers(alert: Pick<Alert, "groupLabels" | "commonLabels">): Matcher[] {
  const own =
    alert.groupLabels && Object.keys(alert.groupLabels).length ? alert.groupLabels : alert.commonLabels;
  return Object.entries(own)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
}

/** Why `user` may not silence this alert now (null: they may). */
export function silenceRefusal(
  user: string,
  alert: Alert,
  config: OncallConfig,
  hasAlertmanager: boolean,
): string | null {
  if (alert.source !== "alertmanager")
    return "Only alerts that came from Alertmanager can be silenced from Slack.";
  if (!mayActOn(user, alert, config)) return whoMayAct(alert, config);
  if (alert.state === "resolved") return "This alert is already resolved; there is nothing to silence.";
  if (alert.silence)
    return `<@${alert.silence.by}> has already silenced this group (until the time on the page). Expire that silence first to set another.`;
  if (!hasAlertmanager) {
    return `No Alertmanager is configured for rotation "${alert.route.rotationId}": set ALERTMANAGER_URL, or \`alertmanager:\` in schedules/rotations/${alert.route.rotationId}.yaml.`;
  }
  if (!silenceMatchers(alert).length)
    return "This alert group has no labels to match, so it cannot be silenced.";
  return null;
}

/** Why `user` may not expire the alert's silence now (null: they may). */
export function expireRefusal(user: string, alert: Alert, config: OncallConfig): string | null {
  if (!mayActOn(user, alert, config)) return whoMayAct(alert, config);
  if (!alert.silence) return "This alert is not silenced (any more), so nothing changed.";
  return null;
}

/** The comment Alertmanager shows beside the silence: where it came from, and what was typed. */
export function silenceComment(alert: Pick<Alert, "id" | "name">, typed: string | null): string {
  const why = typed?.trim().slice(0, MAX_COMMENT);
  return `Silenced from Slack (shared-oncall alert ${alert.id}, ${alert.name})${why ? `: ${why}` : ""}`;
}

function event(now: Date, type: AlertEvent["type"], actor: string, text: string): AlertEvent {
  return { at: now.toISOString(), type, actor, text, thread: true };
}

/**
 * Records a silence Alertmanager has created. Refused when another one got there first (then the
 * caller expires the one it made). `until` is how the thread shows the end (a Slack date).
 */
export function startSilence(alert: Alert, silence: AlertSilence, now: Date, until: string): Transition {
  if (alert.silence) {
    return {
      ok: false,
      reason: `<@${alert.silence.by}> silenced this group at the same time; theirs stands.`,
    };
  }
  const comment = silence.comment?.trim() ? `: ${escapeMrkdwn(silence.comment.trim())}` : "";
  return {
    ok: true,
    alert: { ...alert, silence, updatedAt: now.toISOString() },
    events: [
      event(
        now,
        "silenced",
        silence.by,
        `🔕 <@${silence.by}> silenced this group in Alertmanager until ${until}${comment}`,
      ),
    ],
  };
}

/** The silence is off the alert: the page offers Silence again, the thread says so. */
function unsilenced(alert: Alert, now: Date, actor: string, text: string): Transition {
  return {
    ok: true,
    alert: { ...alert, silence: null, updatedAt: now.toISOString() },
    events: [event(now, "silence_ended", actor, text)],
  };
}

/** Someone pressed Expire silence (Alertmanager has expired it). */
export function expireSilenceByHand(alert: Alert, user: string, silenceId: string, now: Date): Transition {
  if (alert.silence?.id !== silenceId) return { ok: false, reason: "This silence has already ended." };
  return unsilenced(
    alert,
    now,
    user,
    `🔔 <@${user}> expired the silence: Alertmanager notifies about this group again`,
  );
}

/** The silence ran out (the expiry timer). Refused before its end, or for a silence no longer on it. */
export function silenceRanOut(alert: Alert, silenceId: string, now: Date): Transition {
  if (alert.silence?.id !== silenceId) return { ok: false, reason: "silence no longer on the alert" };
  if (now.getTime() < Date.parse(alert.silence.endsAt)) return { ok: false, reason: "silence still running" };
  return unsilenced(
    alert,
    now,
    "bot",
    "🔔 The silence has expired: Alertmanager notifies about this group again",
  );
}
