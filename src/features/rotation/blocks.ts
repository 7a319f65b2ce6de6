// Block Kit for who is on call, the coming shifts and overrides. Plain functions from state to
// blocks. Times are Slack date tokens (`slackDate`), so each reader sees them in their own time zone.

import type { Alert } from "../../core/alert";
import type { OncallConfig, Rotation } from "../../core/config";
import type { Override, Shift } from "../../core/rotation";
import { type Block, context, divider, header, mrkdwn, section, slackDate } from "../../platform/slack/kit";
import { alertMrkdwn, STATE_MARK } from "../paging/blocks";

export function teamName(config: OncallConfig, teamId: string): string {
  return config.teams.find((t) => t.id === teamId)?.name ?? teamId;
}

/** "<@U02AAA> (Search)", plus who the schedule had when it is an override. */
export function shiftWho(config: OncallConfig, shift: Shift): string {
  const base = `<@${shift.user}> (${teamName(config, shift.team)})`;
  return shift.overrideId !== null
    ? `${base} · override \`${shift.overrideId}\` for <@${shift.scheduledUser}>`
    : base;
}

export interface RotationNow {
  readonly rotation: Rotation;
  /** Null when every team of the rotation is ejected. */
  readonly current: Shift | null;
  /** The next shift with someone else (or another override), null when none is known. */
  readonly next: Shift | null;
  /** Ejected teams of this rotation. */
  readonly ejected: readonly string[];
}

/** The lines about one rotation: who now and until when, who next, ejected teams. */
export function rotationNowText(config: OncallConfig, r: RotationNow): string {
  const lines = [`*${r.rotation.name}* (\`${r.rotation.id}\`)`];
  if (r.current) {
    lines.push(`On call now: ${shiftWho(config, r.current)} until ${slackDate(r.current.end)}`);
  } else {
    lines.push("On call now: nobody — every team of this rotation is ejected.");
  }
  if (r.next) lines.push(`Next: ${shiftWho(config, r.next)} from ${slackDate(r.next.start)}`);
  for (const teamId of r.ejected) {
    const team = config.teams.find((t) => t.id === teamId);
    lines.push(
      `⏏ ${team?.name ?? teamId} is ejected: its alerts page ${team ? `<#${team.channel}>` : "its own channel"} and its members.`,
    );
  }
  return lines.join("\n");
}

export function whoReply(
  config: OncallConfig,
  rotations: readonly RotationNow[],
): { text: string; blocks: Block[] } {
  const summary = rotations
    .map((r) => `${r.rotation.name}: ${r.current ? `<@${r.current.user}>` : "nobody"}`)
    .join(" · ");
  const blocks: Block[] = [];
  for (const r of rotations) blocks.push(section(mrkdwn(rotationNowText(config, r))));
  return { text: `On call — ${summary}`, blocks: blocks.slice(0, 50) };
}

/** Slack allows 3000 characters per section; leave room for the markup around them. */
const SECTION_CHARS = 2800;
const MAX_SECTIONS = 45;

/** Lines packed into as few sections as fit, with a note when some had to be left out. */
export function linesToSections(lines: readonly string[], whenCut: (left: number) => string): Block[] {
  const blocks: Block[] = [];
  let chunk: string[] = [];
  let size = 0;
  let shown = 0;
  for (const line of lines) {
    if (size + line.length + 1 > SECTION_CHARS && chunk.length) {
      if (blocks.length + 1 >= MAX_SECTIONS) break;
      blocks.push(section(mrkdwn(chunk.join("\n"))));
      chunk = [];
      size = 0;
    }
    chunk.push(line.length > SECTION_CHARS ? `${line.slice(0, SECTION_CHARS - 1)}…` : line);
    size += line.length + 1;
    shown++;
  }
  if (chunk.length) blocks.push(section(mrkdwn(chunk.join("\n"))));
  if (shown < lines.length) blocks.push(context([mrkdwn(whenCut(lines.length - shown))]));
  return blocks;
}

export function shiftLine(config: OncallConfig, shift: Shift): string {
  return `• ${slackDate(shift.start)} → ${slackDate(shift.end)} · ${shiftWho(config, shift)}`;
}

export function scheduleReply(
  config: OncallConfig,
  parts: readonly { rotation: Rotation; shifts: readonly Shift[] }[],
  weeks: number,
): { text: string; blocks: Block[] } {
  const blocks: Block[] = [];
  for (const { rotation, shifts } of parts) {
    if (blocks.length) blocks.push(divider());
    blocks.push(header(`${rotation.name}: the next ${weeks} week${weeks === 1 ? "" : "s"}`));
    if (!shifts.length) {
      blocks.push(section(mrkdwn("Nobody: every team of this rotation is ejected.")));
      continue;
    }
    blocks.push(
      ...linesToSections(
        shifts.map((s) => shiftLine(config, s)),
        (left) => `… and ${left} more shifts: subscribe to \`/calendar/${rotation.id}.ics\` for all of them.`,
      ),
    );
  }
  const text = parts
    .map(({ rotation, shifts }) => `${rotation.name}: ${shifts.length} shifts in the next ${weeks} weeks`)
    .join("; ");
  return { text, blocks: blocks.slice(0, 50) };
}

export function overrideLine(config: OncallConfig, o: Override, now: Date): string {
  const rotation = config.rotations.find((r) => r.id === o.rotationId);
  const active = o.from.getTime() <= now.getTime() && now.getTime() < o.to.getTime();
  const by = o.createdBy !== o.user ? ` · set by <@${o.createdBy}>` : "";
  return `• \`${o.id}\` <@${o.user}> covers ${rotation?.name ?? o.rotationId} from ${slackDate(o.from)} to ${slackDate(o.to)}${active ? " · *active now*" : ""}${by}`;
}

export function overrideListReply(
  config: OncallConfig,
  overrides: readonly Override[],
  now: Date,
): { text: string; blocks?: Block[] } {
  if (!overrides.length) {
    return { text: "No active or upcoming overrides. Add one with `/oncall override @user <from> <to>`." };
  }
  const blocks: Block[] = [
    section(mrkdwn(`*Overrides* (active and upcoming) — remove one with \`/oncall override remove <id>\``)),
    ...linesToSections(
      overrides.map((o) => overrideLine(config, o, now)),
      (left) => `… and ${left} more.`,
    ),
  ];
  return { text: `${overrides.length} active or upcoming overrides`, blocks };
}

/** One open alert in a list: mark, name, owner, state and since when, with a link to its page. */
export function alertLine(config: OncallConfig, alert: Alert, link: string | null): string {
  const service = alert.route.serviceId
    ? (config.services.find((s) => s.id === alert.route.serviceId)?.name ?? alert.route.serviceId)
    : null;
  const team = alert.route.teamId ? teamName(config, alert.route.teamId) : null;
  const owner = service ? ` · ${service}${team ? ` (${team})` : ""}` : team ? ` · ${team}` : "";
  const name = link ? `<${link}|${alertMrkdwn(alert, alert.name)}>` : alertMrkdwn(alert, alert.name);
  const state = alert.state.replace("_", " ");
  return `${STATE_MARK[alert.state]} *${name}*${owner} · ${state} since ${slackDate(alert.updatedAt)}`;
}
