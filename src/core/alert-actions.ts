// What people (and timers) do to an alert: pure transitions that return the next alert and its
// timeline events, or a refusal whose reason is shown to the person as is. A press that would leave
// the alert as it is (already acknowledged, already handed off, resolved…) is a refusal, so the
// store changes nothing and the person learns why.

import type { Alert, AlertEvent } from "./alert";
import type { OncallConfig, Team } from "./config";

export type Transition =
  | { readonly ok: true; readonly alert: Alert; readonly events: readonly AlertEvent[] }
  | { readonly ok: false; readonly reason: string };

function refuse(reason: string): Transition {
  return { ok: false, reason };
}

function change(alert: Alert, now: Date, patch: Partial<Alert>, events: AlertEvent[]): Transition {
  return { ok: true, alert: { ...alert, ...patch, updatedAt: now.toISOString() }, events };
}

function event(now: Date, type: AlertEvent["type"], actor: string, text: string, thread = true): AlertEvent {
  return { at: now.toISOString(), type, actor, text, thread };
}

/** Timers and other automation act as this actor. */
export const BOT = "bot";

const RESOLVED =
  "This alert is already resolved, so nothing changed. If the problem is back, the next notification opens a new page.";

/**
 * Who may press an alert's buttons: whoever is on call for it or took it (an override can put a
 * non-participant on call, and they are the one paged), the rotation's participants and admins,
 * and the owning team.
 */
export function mayActOn(user: string, alert: Alert, config: OncallConfig): boolean {
  if (alert.route.oncallUser === user || alert.assignee === user) return true;
  const rotation = config.rotations.find((r) => r.id === alert.route.rotationId);
  if (rotation?.admins.includes(user)) return true;
  if (rotation?.participants.some((p) => p.user === user)) return true;
  const team = config.teams.find((t) => t.id === alert.route.teamId);
  return team?.members.includes(user) ?? false;
}

/** The refusal for someone `mayActOn` turns away: who may act instead, and what they can do. */
export function whoMayAct(alert: Alert, config: OncallConfig): string {
  const team = config.teams.find((t) => t.id === alert.route.teamId);
  const rotation = config.rotations.find((r) => r.id === alert.route.rotationId);
  const oncall = alert.route.oncallUser ? ` Ask <@${alert.route.oncallUser}> (on call) if you can help.` : "";
  return `Only the participants and admins of rotation "${rotation?.name ?? alert.route.rotationId}"${team ? ` and members of ${team.name}` : ""} may act on this alert.${oncall}`;
}

/**
 * Whether the alert still waits for someone to take it: the escalation timers run while this holds.
 * Acknowledging, handing off, escalating and resolving all end it.
 */
export function awaitingAck(alert: Pick<Alert, "state" | "assignee" | "assignedTeam">): boolean {
  return alert.state !== "resolved" && alert.assignee === null && alert.assignedTeam === null;
}

export function acknowledge(alert: Alert, user: string, now: Date): Transition {
  if (alert.state === "resolved") return refuse(RESOLVED);
  if (alert.assignee && (alert.state === "acked" || alert.state === "remediating")) {
    return refuse(
      alert.assignee === user
        ? "You have already acknowledged this alert."
        : `<@${alert.assignee}> has already acknowledged this alert, so nothing changed.`,
    );
  }
  // A remediation in progress keeps its state; the alert just gains an owner.
  const state = alert.state === "remediating" ? "remediating" : "acked";
  return change(alert, now, { state, assignee: user, ackedAt: alert.ackedAt ?? now.toISOString() }, [
    event(now, "acked", user, `<@${user}> acknowledged`),
  ]);
}

export function resolveByHand(alert: Alert, user: string, now: Date): Transition {
  if (alert.state === "resolved") return refuse(RESOLVED);
  return change(
    alert,
    now,
    { state: "resolved", resolvedAt: now.toISOString(), resolvedBy: user, assignee: alert.assignee ?? user },
    [event(now, "resolved", user, `<@${user}> resolved this alert by hand`)],
  );
}

export interface HandOffInput {
  readonly team: Team | undefined;
  /**
   * The refusal when the team is outside its workday (escalation's rules.ts decides and writes it),
   * null inside it; it applies only once the alert could be handed at all.
   */
  readonly outsideWorkday: string | null;
}

export function handOff(alert: Alert, user: string, now: Date, input: HandOffInput): Transition {
  if (alert.state === "resolved") return refuse(RESOLVED);
  const team = input.team;
  if (!team)
    return refuse("This alert matched no service, so it has no owning team to hand it to. Escalate instead.");
  if (alert.route.ejected)
    return refuse(`${team.name} already carries this alert itself (the team is ejected from the rotation).`);
  if (alert.escalation) return refuse(`This alert is already escalated to ${team.name}, so nothing changed.`);
  if (alert.assignedTeam) return refuse(`This alert is already handed to ${team.name}, so nothing changed.`);
  if (input.outsideWorkday) return refuse(input.outsideWorkday);
  return change(alert, now, { state: "handed_off", assignedTeam: team.id, assignee: null }, [
    event(now, "handed_off", user, `<@${user}> handed this alert to ${team.name} (<#${team.channel}>)`),
  ]);
}

export function escalate(
  alert: Alert,
  user: string,
  reason: string,
  now: Date,
  team: Team | undefined,
): Transition {
  if (alert.state === "resolved") return refuse(RESOLVED);
  if (!team) return refuse("This alert matched no service, so there is no owning team to escalate to.");
  if (alert.escalation) {
    return refuse(
      `This alert is already escalated to ${team.name}${alert.escalation.by === BOT ? "" : ` by <@${alert.escalation.by}>`}, so nothing changed.`,
    );
  }
  const text =
    user === BOT
      ? `Escalated to every member of ${team.name}: ${reason}`
      : `<@${user}> escalated to every member of ${team.name}: ${reason}`;
  return change(
    alert,
    now,
    {
      state: "escalated",
      assignedTeam: team.id,
      assignee: null,
      escalation: { by: user, reason, at: now.toISOString() },
    },
    [event(now, "escalated", user, text)],
  );
}

/**
 * The escalation timer's step `step` (1-based): re-page while repeats remain. Refused (a no-op for
 * the timer) when the alert changed since the timer was set: taken by someone, resolved, or already
 * past this step.
 */
export function repage(alert: Alert, step: number, now: Date): Transition {
  if (!awaitingAck(alert)) return refuse(`alert is ${alert.state}; the timer no longer applies`);
  if (alert.repages !== step - 1) return refuse(`timer step ${step} already handled`);
  const who = alert.route.oncallUser ? `<@${alert.route.oncallUser}>` : "on-call (nobody found)";
  return change(alert, now, { repages: step }, [
    event(now, "repaged", BOT, `Not acknowledged yet: paging ${who} again (${step})`),
  ]);
}

export function answerActionable(alert: Alert, user: string, actionable: boolean, now: Date): Transition {
  if (alert.state !== "resolved")
    return refuse("Resolve the alert first; then say whether it was actionable.");
  if (alert.answer?.actionable === actionable) {
    return refuse(`Already recorded as ${actionable ? "actionable" : "noise"} by <@${alert.answer.by}>.`);
  }
  return change(alert, now, { answer: { actionable, by: user, at: now.toISOString() } }, [
    event(
      now,
      "answered",
      user,
      actionable
        ? `<@${user}>: this alert was actionable`
        : `<@${user}>: this alert was noise (counted for the noise report)`,
    ),
  ]);
}
