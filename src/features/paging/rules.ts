// Who may page by hand (`/oncall page`), and when an alert's Slack presence is behind its stored
// state. Pure; a refusal is a value whose text is shown as is.

import type { Alert } from "../../core/alert";
import type { OncallConfig, Rotation, Team } from "../../core/config";
import { rotationOfTeam } from "../../core/routing";
import { mayCover } from "../rotation/rules";

/** Whom a manual alert (`/oncall page <rotation|team>`) is for. */
export type ManualTarget =
  | { readonly kind: "rotation"; readonly rotation: Rotation }
  | { readonly kind: "team"; readonly team: Team };

export type PageCheck = { readonly ok: true } | { readonly ok: false; readonly text: string };

function mentions(users: readonly string[]): string {
  return users.map((u) => `<@${u}>`).join(", ") || "nobody";
}

/**
 * A page wakes someone and posts into a rotation's channel, so only the people who share the load
 * may send one: for a rotation, members of its teams, its participants and admins; for a team, the
 * team's members and the participants and admins of the team's rotation.
 */
export function mayPage(config: OncallConfig, target: ManualTarget, user: string): PageCheck {
  if (target.kind === "rotation") {
    const r = target.rotation;
    if (r.admins.includes(user) || mayCover(config, r, user)) return { ok: true };
    const teams = r.teams.map((t) => config.teams.find((x) => x.id === t)?.name ?? t).join(", ");
    return {
      ok: false,
      text: `Only members of ${r.name}'s teams (${teams}), its participants and admins (${mentions(r.admins)}) may page it. Ask one of them, or post in <#${r.channel}>.`,
    };
  }
  const team = target.team;
  if (team.members.includes(user)) return { ok: true };
  const r = rotationOfTeam(config, team.id);
  if (r && (r.admins.includes(user) || r.participants.some((p) => p.user === user))) return { ok: true };
  const rest = r ? `, the participants of ${r.name} and its admins (${mentions(r.admins)})` : "";
  return {
    ok: false,
    text: `Only members of ${team.name}${rest} may page ${team.name}. Ask one of them, or post in <#${team.channel}>.`,
  };
}

/** What the reconciler reads of an alert's Slack bookkeeping (a `DeliveryState`). */
export interface SlackProgress {
  readonly ts: string | null;
  readonly dmTs: string | null;
  readonly dmFailed: string | null;
  readonly renderedVersion: number;
  readonly threadCursor: number;
}

/**
 * Whether Slack shows less than the store holds: no page yet, a page older than the alert, timeline
 * events the thread has not considered, or an on-call DM not sent (nor refused for good).
 */
export function slackBehind(
  alert: Pick<Alert, "version" | "state" | "route">,
  sent: SlackProgress,
  eventCount: number,
): boolean {
  if (!sent.ts || sent.renderedVersion < alert.version || sent.threadCursor < eventCount) return true;
  return Boolean(alert.route.oncallUser && alert.state !== "resolved" && !sent.dmTs && !sent.dmFailed);
}
