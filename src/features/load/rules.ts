// The eject and readmit rules: who may take a team out of its rotations and bring it back, and when
// ejecting is refused (a team in no rotation, no reason given, already ejected, the last team left).
// Pure; a refusal is a value whose text is shown to the person as is.

import type { Rotation, Team } from "../../core/config";
import { escapeTyped } from "../../core/mrkdwn";

/** A stored ejection, as the rules read it (the rotation store keeps them). */
export interface EjectionRecord {
  readonly teamId: string;
  readonly by: string;
  /** ISO 8601. */
  readonly at: string;
  readonly reason: string;
}

/** A refusal to show as is; `usage` when the input itself is wrong (the command's usage follows). */
export type EjectCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly text: string; readonly usage: boolean };

function refuse(text: string, usage = false): EjectCheck {
  return { ok: false, text, usage };
}

function mentionList(users: readonly string[]): string {
  return users.length ? users.map((u) => `<@${u}>`).join(", ") : "nobody (add `admins:` to the rotation)";
}

/** "Merged on-call and Night shift". */
export function rotationNames(rotations: readonly Pick<Rotation, "name">[]): string {
  return rotations.map((r) => r.name).join(" and ");
}

/**
 * An ejection's reason as it is shown: typed by an admin (slash commands deliver `<!channel>` or
 * `<@U…>` as typed), so escaped, never a live mention.
 */
export function ejectionReason(reason: string): string {
  return escapeTyped(reason);
}

export function describeEjection(e: EjectionRecord): string {
  return `by <@${e.by}> on ${e.at.slice(0, 10)}: ${ejectionReason(e.reason)}`;
}

/** The rotation channel's notice of an ejection; `change` says who is on call now, if that changed. */
export function ejectedRotationText(
  team: Team,
  rotation: Pick<Rotation, "name">,
  e: EjectionRecord,
  change: string,
): string {
  return (
    `⏏ ${team.name} is ejected from ${rotation.name} by <@${e.by}>: ${ejectionReason(e.reason)}. ` +
    `Its alerts now go to <#${team.channel}> and its members.${change}`
  );
}

/** The ejected team's own channel's notice. */
export function ejectedTeamText(
  team: Team,
  rotations: readonly Pick<Rotation, "name">[],
  e: EjectionRecord,
): string {
  return (
    `⏏ ${team.name} is ejected from ${rotationNames(rotations)} by <@${e.by}>: ${ejectionReason(e.reason)}. ` +
    `From now on its alerts page this channel and every member of ${team.name}; alerts already open stay where they are. ` +
    `A rotation admin can bring it back with \`/oncall readmit ${team.id}\`.`
  );
}

/** Only an admin of one of the team's rotations may eject or readmit it. */
function adminsOnly(rotations: readonly Rotation[], user: string, verb: string, team: Team): EjectCheck {
  if (rotations.some((r) => r.admins.includes(user))) return { ok: true };
  const who = rotations.map((r) => `${r.name}: ${mentionList(r.admins)}`).join("; ");
  return refuse(`Only rotation admins may ${verb} ${team.name}. Ask one of them (${who}).`);
}

export interface EjectInput {
  readonly team: Team;
  /** The rotations the team is in. */
  readonly rotations: readonly Rotation[];
  readonly user: string;
  /** Why, as typed; stored and shown to the rotations and the team. */
  readonly reason: string;
  /** Every team ejected now. */
  readonly ejections: readonly EjectionRecord[];
}

export function mayEject(input: EjectInput): EjectCheck {
  const { team, rotations } = input;
  if (!rotations.length) {
    return refuse(
      `${team.name} is in no rotation, so there is nothing to eject it from: its alerts already go to <#${team.channel}> and its members.`,
    );
  }
  const admin = adminsOnly(rotations, input.user, "eject", team);
  if (!admin.ok) return admin;
  if (!input.reason) {
    return refuse(
      `Say why ${team.name} is ejected: the reason is stored and shown to the rotation and the team.`,
      true,
    );
  }
  const existing = input.ejections.find((e) => e.teamId === team.id);
  if (existing) {
    return refuse(
      `${team.name} is already ejected (${describeEjection(existing)}). \`/oncall readmit ${team.id}\` brings it back.`,
    );
  }
  // Config guarantees each team gives an engineer; ejecting the last team of a rotation would leave
  // the rotation (and the unrouted alerts it may catch) with nobody on call.
  const ejected = new Set(input.ejections.map((e) => e.teamId));
  const emptied = rotations.filter((r) => r.teams.every((t) => t === team.id || ejected.has(t)));
  return emptied.length ? refuse(lastTeamText(team, emptied)) : { ok: true };
}

/** Why `team`, the last team left in `emptied`, is not ejected (also when the store finds it so). */
export function lastTeamText(team: Team, emptied: readonly Pick<Rotation, "name">[]): string {
  return `${team.name} is the last team left in ${rotationNames(emptied)}; ejecting it would leave nobody on call there. Readmit another team first.`;
}

/** Whether `user` may readmit `team`; whether it is ejected at all the store answers atomically. */
export function mayReadmit(team: Team, rotations: readonly Rotation[], user: string): EjectCheck {
  if (!rotations.length)
    return refuse(`${team.name} is in no rotation, so there is nothing to readmit it to.`);
  return adminsOnly(rotations, user, "readmit", team);
}
