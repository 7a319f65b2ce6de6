// The override rules: who may set an override for whom, who may remove one, and which ranges an
// override may cover. Pure; a refusal is a value whose text is shown to the person as is.

import type { OncallConfig, Rotation } from "../../core/config";
import type { Override } from "../../core/rotation";
import { DAY_MS } from "../../core/tz";

export const MAX_OVERRIDE_MS = 30 * DAY_MS;
/** How far ahead an override may start. */
export const MAX_OVERRIDE_LEAD_MS = 365 * DAY_MS;

/** A refusal to show as is; `usage` when the input itself is wrong (the command's usage follows). */
export type OverrideCheck =
  | { readonly ok: true }
  | { readonly ok: false; readonly text: string; readonly usage: boolean };

const ALLOWED: OverrideCheck = { ok: true };

function refuse(text: string, usage = false): OverrideCheck {
  return { ok: false, text, usage };
}

function mentions(users: readonly string[]): string {
  return users.map((u) => `<@${u}>`).join(", ");
}

function teamNames(config: OncallConfig, rotation: Rotation): string {
  return rotation.teams.map((t) => config.teams.find((x) => x.id === t)?.name ?? t).join(", ");
}

export function isAdmin(rotation: Rotation, userId: string): boolean {
  return rotation.admins.includes(userId);
}

/** Members of the rotation's teams and its participants: the people who may cover its shifts. */
export function mayCover(config: OncallConfig, rotation: Rotation, userId: string): boolean {
  if (rotation.participants.some((p) => p.user === userId)) return true;
  return config.teams.some((t) => rotation.teams.includes(t.id) && t.members.includes(userId));
}

/**
 * Whether `actor` may make `target` cover shifts of `rotation`: anyone who may cover sets an
 * override for themselves; admins set one for anybody.
 */
export function maySetOverride(
  config: OncallConfig,
  rotation: Rotation,
  actor: string,
  target: string,
): OverrideCheck {
  const admin = isAdmin(rotation, actor);
  if (target !== actor && !admin) {
    return refuse(
      `You can set overrides only for yourself: \`/oncall override me <from> <to>\`. Overrides for others are for admins of ${rotation.name} (${mentions(rotation.admins) || "nobody"}).`,
    );
  }
  // Whoever is on call may act on the alerts they are paged for, so the rotation's people are the
  // only ones who may be put on call: an override to someone else would page a stranger.
  if (target !== actor && !mayCover(config, rotation, target) && !isAdmin(rotation, target)) {
    return refuse(
      `<@${target}> is neither a participant of ${rotation.name} nor a member of its teams (${teamNames(config, rotation)}), so they could not act on its alerts. Add them to one of those teams first.`,
    );
  }
  if (!admin && !mayCover(config, rotation, actor)) {
    return refuse(
      `Only members of ${rotation.name}'s teams (${teamNames(config, rotation)}) can cover its shifts. Ask an admin (${mentions(rotation.admins)}) if you should be one.`,
    );
  }
  return ALLOWED;
}

/** Whether `actor` may remove an override: the person covering, who set it, or a rotation admin. */
export function mayRemoveOverride(
  override: Pick<Override, "id" | "user" | "createdBy">,
  rotation: Rotation | undefined,
  actor: string,
): OverrideCheck {
  if (override.createdBy === actor || override.user === actor || (rotation && isAdmin(rotation, actor))) {
    return ALLOWED;
  }
  const admins = (rotation && mentions(rotation.admins)) || "nobody";
  return refuse(
    `Only <@${override.user}>, who set it (<@${override.createdBy}>) or an admin of the rotation (${admins}) can remove override \`${override.id}\`.`,
  );
}

/**
 * Which ranges an override may cover: a real range that has not ended, at most 30 days long, starting
 * at most a year ahead. `formatTime` writes an instant for the person (their time zone).
 */
export function overrideRange(
  from: Date,
  to: Date,
  now: Date,
  formatTime: (d: Date) => string,
): OverrideCheck {
  if (!(from.getTime() < to.getTime())) {
    return refuse(`The end (${formatTime(to)}) must come after the start (${formatTime(from)}).`, true);
  }
  if (to.getTime() <= now.getTime()) return refuse(`That range ended already (${formatTime(to)}).`, true);
  if (to.getTime() - from.getTime() > MAX_OVERRIDE_MS) {
    return refuse("An override may cover at most 30 days; add several for longer.", true);
  }
  if (from.getTime() - now.getTime() > MAX_OVERRIDE_LEAD_MS) {
    return refuse("An override may start at most a year ahead.", true);
  }
  return ALLOWED;
}
