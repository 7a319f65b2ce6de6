// `/oncall who | schedule | override | page`: the rotation as people ask about it in Slack.
// Times are read in the asking user's Slack time zone; overrides land in Redis and routing uses them
// for the very next alert; a manual alert (`/oncall page`) takes the webhook's path.

import type { OncallConfig, Rotation } from "../../core/config";
import { type Shift, shiftAt, shiftsBetween } from "../../core/rotation";
import type { RoutingState } from "../../core/routing";
import { DAY_MS } from "../../core/tz";
import { takeWhen, WHEN_EXAMPLES, WhenError } from "../../core/when";
import {
  type CommandContext,
  type CommandReply,
  type Subcommand,
  UsageError,
} from "../../platform/slack/commands";
import { context, mrkdwn, section, slackDate } from "../../platform/slack/kit";
import { userTimeZone } from "../../platform/slack/users";
import type { Feature, Runtime } from "../../runtime";
import { findManualTarget, manualGroup, manualRoute } from "../paging/intake/manual";
import { receiveGroup } from "../paging/intake/receive";
import { mayPage } from "../paging/rules";
import { overrideListReply, type RotationNow, scheduleReply, shiftLine, teamName, whoReply } from "./blocks";
import { calendarPath } from "./calendar";
import { isAdmin, mayCover, mayRemoveOverride, maySetOverride, overrideRange } from "./rules";

export const DEFAULT_SCHEDULE_WEEKS = 4;
export const MAX_SCHEDULE_WEEKS = 26;
/** Ended overrides are kept this long (calendars show recent weeks), then forgotten. */
const OVERRIDE_RETENTION_MS = 30 * DAY_MS;

export function findRotationByWord(config: OncallConfig, word: string): Rotation | undefined {
  const w = word.toLowerCase();
  return config.rotations.find((r) => r.id.toLowerCase() === w || r.name.toLowerCase() === w);
}

function rotationNames(config: OncallConfig): string {
  return config.rotations.map((r) => `\`${r.id}\``).join(", ");
}

function requireRotation(config: OncallConfig, word: string): Rotation {
  const rotation = findRotationByWord(config, word);
  if (!rotation) throw new UsageError(`There is no rotation "${word}". Rotations: ${rotationNames(config)}.`);
  return rotation;
}

/** Who is on call now in a rotation, who comes next, which of its teams are ejected. */
export function rotationNow(rotation: Rotation, now: Date, state: RoutingState): RotationNow {
  const current = shiftAt(rotation, now, state);
  const next = current ? shiftAt(rotation, current.end, state) : null;
  return { rotation, current, next, ejected: rotation.teams.filter((t) => state.ejectedTeams.has(t)) };
}

/** `<@U123|name>` or `<@U123>` (Slack's escaped mention), or "me". */
export function parseUserMention(word: string, self: string): string | null {
  if (word.toLowerCase() === "me") return self;
  const m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word);
  return m ? m[1]! : null;
}

async function zoneOf(rt: Runtime, userId: string): Promise<string> {
  return userTimeZone(rt.slack, userId, rt.config.rotations[0]?.timezone ?? "UTC");
}

/** Posts a note in a rotation's channel; a failure there must not undo what was already stored. */
async function announce(rt: Runtime, channel: string, text: string): Promise<void> {
  try {
    await rt.slack.call("chat.postMessage", { channel, text, unfurl_links: false });
  } catch (err) {
    rt.log.warn({ err, channel }, "could not announce an override change");
  }
}

/**
 * The two times of a range from `words[start]` on (the end read after the start), and the index
 * after them; a UsageError says what could not be read.
 */
export function readRange(
  words: readonly string[],
  start: number,
  now: Date,
  timeZone: string,
): { from: Date; to: Date; next: number } {
  try {
    const first = takeWhen(words, start, { now, timeZone });
    const end = takeWhen(words, start + first.used, { now, timeZone, after: first.at });
    return { from: first.at, to: end.at, next: start + first.used + end.used };
  } catch (err) {
    if (err instanceof WhenError) throw new UsageError(`Times: ${err.message}.`);
    throw err;
  }
}

async function who(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  if (ctx.args.length > 1) throw new UsageError("`who` takes at most one rotation name.");
  const rotations = ctx.args[0] ? [requireRotation(rt.config, ctx.args[0])] : rt.config.rotations;
  const state = await rt.rotationState.routingState();
  const now = rt.now();
  return whoReply(
    rt.config,
    rotations.map((r) => rotationNow(r, now, state)),
  );
}

async function schedule(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  let weeks: number | null = null;
  let rotation: Rotation | null = null;
  for (const arg of ctx.args) {
    const m = /^(\d+)w?$/i.exec(arg);
    if (m && weeks === null) {
      weeks = Number(m[1]);
      if (weeks < 1 || weeks > MAX_SCHEDULE_WEEKS) {
        throw new UsageError(`Weeks must be between 1 and ${MAX_SCHEDULE_WEEKS}, got ${arg}.`);
      }
    } else if (!m && rotation === null) {
      rotation = requireRotation(rt.config, arg);
    } else {
      throw new UsageError(`I don't know what to do with "${arg}".`);
    }
  }
  const w = weeks ?? DEFAULT_SCHEDULE_WEEKS;
  const state = await rt.rotationState.routingState();
  const now = rt.now();
  const end = new Date(now.getTime() + w * 7 * DAY_MS);
  const parts = (rotation ? [rotation] : rt.config.rotations).map((r) => ({
    rotation: r,
    shifts: shiftsBetween(r, now, end, state),
  }));
  const reply = scheduleReply(rt.config, parts, w);
  // The calendar address is a secret (it shows who is on call when): only the rotation's own
  // people see it, and only in this ephemeral reply.
  const own = parts.filter(({ rotation: r }) => mayCover(rt.config, r, ctx.userId) || isAdmin(r, ctx.userId));
  if (!own.length) return reply;
  const lines = own.map(
    ({ rotation: r }) =>
      `📅 ${r.name}: subscribe to \`<bot address>${calendarPath(rt.settings, r.id)}\` (keep it private)`,
  );
  return { ...reply, blocks: [...(reply.blocks ?? []).slice(0, 50 - 1), section(mrkdwn(lines.join("\n")))] };
}

async function override(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const sub = ctx.args[0]?.toLowerCase();
  if (sub === "list") return listOverrides(rt, ctx);
  if (sub === "remove" || sub === "rm" || sub === "delete") return removeOverride(rt, ctx);
  return addOverride(rt, ctx);
}

async function listOverrides(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  if (ctx.args.length > 2) throw new UsageError("`override list` takes at most one rotation name.");
  const rotation = ctx.args[1] ? requireRotation(rt.config, ctx.args[1]) : null;
  const now = rt.now();
  const all = await rt.rotationState.overrides();
  const shown = all
    .filter((o) => o.to.getTime() > now.getTime() && (!rotation || o.rotationId === rotation.id))
    .sort((a, b) => a.from.getTime() - b.from.getTime() || Number(a.id) - Number(b.id));
  return overrideListReply(rt.config, shown, now);
}

async function removeOverride(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const raw = ctx.args[1];
  if (!raw || ctx.args.length > 2) throw new UsageError("Name the override to remove by its id.");
  const id = raw.replace(/^[`#]+|`+$/g, "");
  const found = await rt.rotationState.override(id);
  if (!found) {
    return { text: `There is no override \`${id}\`. \`/oncall override list\` shows the ids.` };
  }
  const rotation = rt.config.rotations.find((r) => r.id === found.rotationId);
  const allowed = mayRemoveOverride(found, rotation, ctx.userId);
  if (!allowed.ok) return { text: allowed.text };
  if (!(await rt.rotationState.removeOverride(id)))
    return { text: `Override \`${id}\` was already removed.` };
  const what = `override \`${id}\` (<@${found.user}> from ${slackDate(found.from)} to ${slackDate(found.to)})`;
  if (rotation && found.to.getTime() > rt.now().getTime()) {
    await announce(rt, rotation.channel, `🔀 <@${ctx.userId}> removed ${what}; the schedule applies again.`);
  }
  return { text: `Removed ${what}. Routing follows the schedule again.` };
}

/** The rotation an override is for: named, the only one, or the one the user belongs to. */
export function overrideRotation(config: OncallConfig, word: string | undefined, target: string): Rotation {
  if (word) return requireRotation(config, word);
  if (config.rotations.length === 1) return config.rotations[0]!;
  const mine = config.rotations.filter((r) => mayCover(config, r, target));
  if (mine.length === 1) return mine[0]!;
  throw new UsageError(`Name the rotation (one of ${rotationNames(config)}) at the end.`);
}

async function addOverride(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const words = ctx.rest.split(/\s+/).filter(Boolean);
  const first = words[0];
  if (!first) throw new UsageError("Say who covers, from when and until when.");
  const target = parseUserMention(first, ctx.userId);
  if (!target) {
    throw new UsageError(
      `Start with the person who covers: a mention like @alice (Slack sends it as <@U…>) or "me"; got "${first}".`,
    );
  }
  const tz = await zoneOf(rt, ctx.userId);
  const now = rt.now();
  const { from, to, next } = readRange(words, 1, now, tz);
  if (words.length > next + 1) {
    throw new UsageError(
      `After the two times only a rotation name may follow; got "${words.slice(next).join(" ")}".`,
    );
  }
  const rotation = overrideRotation(rt.config, words[next], target);

  const allowed = maySetOverride(rt.config, rotation, ctx.userId, target);
  if (!allowed.ok) return { text: allowed.text };
  const allowedRange = overrideRange(from, to, now, slackDate);
  if (!allowedRange.ok) throw new UsageError(allowedRange.text);

  const stored = await rt.rotationState.addOverride({
    rotationId: rotation.id,
    user: target,
    from,
    to,
    createdBy: ctx.userId,
  });
  await rt.rotationState.pruneOverrides(new Date(now.getTime() - OVERRIDE_RETENTION_MS));
  const state = await rt.rotationState.routingState();
  const shifts: Shift[] = shiftsBetween(rotation, from, to, state);
  const covered = shifts.filter((s) => s.overrideId === stored.id);
  const replaced = [...new Set(covered.map((s) => s.scheduledUser))].filter((u) => u !== target);
  const range = `from ${slackDate(from)} to ${slackDate(to)}`;
  const instead = replaced.length ? ` instead of ${replaced.map((u) => `<@${u}>`).join(", ")}` : "";
  const started = from.getTime() <= now.getTime() ? " It applies now: the next alert pages them." : "";
  await announce(
    rt,
    rotation.channel,
    `🔀 <@${target}> covers ${rotation.name} ${range}${instead} (override \`${stored.id}\`${ctx.userId !== target ? `, set by <@${ctx.userId}>` : ""}).`,
  );
  const lines = shifts.slice(0, 10).map((s) => shiftLine(rt.config, s));
  const headline = `Override \`${stored.id}\`: <@${target}> is on call for ${rotation.name} ${range}${instead}.${started}`;
  return {
    text: headline,
    blocks: [
      section(mrkdwn(headline)),
      section(mrkdwn(`*The shifts in that range now:*\n${lines.join("\n")}`)),
      context([mrkdwn(`Undo with \`/oncall override remove ${stored.id}\`.`)]),
    ],
  };
}

async function manualAlert(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const [word] = ctx.args;
  if (!word) throw new UsageError("Name a rotation or team to page, then what is wrong.");
  const target = findManualTarget(rt.config, word);
  if (!target) {
    throw new UsageError(
      `There is no rotation or team "${word}". Rotations: ${rotationNames(rt.config)}; teams: ${rt.config.teams.map((t) => `\`${t.id}\``).join(", ")}.`,
    );
  }
  const allowed = mayPage(rt.config, target, ctx.userId);
  if (!allowed.ok) return { text: allowed.text };
  const text = ctx.rest.slice(word.length).trim();
  if (!text) throw new UsageError("Say what is wrong after the rotation or team: the page shows it.");
  const group = manualGroup({ target, text, by: ctx.userId, now: rt.now() });
  const result = await receiveGroup(group, rt, {
    route: (now, state) => manualRoute(rt.config, target, now, state),
    runbookRequired: false,
  });
  const alert = result.alert;
  if (!alert) return { text: "The alert was not stored; try again." };
  const route = alert.route;
  const whom = route.oncallUser
    ? `<@${route.oncallUser}>`
    : route.ejected && route.teamId
      ? `the members of ${teamName(rt.config, route.teamId)}`
      : "nobody (no one is on call there)";
  return {
    text: `Paged ${whom} in <#${route.channel}>: alert \`${alert.id}\`. The page has the buttons; its thread the history.`,
  };
}

/** The subcommands of the rotation on `/oncall`: who, schedule, override, and page (a manual alert). */
function rotationCommands(rt: Runtime): Subcommand[] {
  return [
    {
      name: "who",
      usage: "who [rotation]",
      summary: "who is on call now and until when",
      example: "/oncall who merged",
      run: (ctx) => who(rt, ctx),
    },
    {
      name: "schedule",
      usage: "schedule [rotation] [weeks]",
      summary: `the coming shifts (${DEFAULT_SCHEDULE_WEEKS} weeks unless you say, at most ${MAX_SCHEDULE_WEEKS})`,
      example: "/oncall schedule merged 8",
      run: (ctx) => schedule(rt, ctx),
    },
    {
      name: "override",
      usage: "override @user <from> <to> [rotation] · override list [rotation] · override remove <id>",
      summary: `cover a range (yourself, or anyone if you are an admin); times like ${WHEN_EXAMPLES}, in your time zone`,
      example: "/oncall override me tomorrow 18:00 mon 10:00",
      run: (ctx) => override(rt, ctx),
    },
    {
      name: "page",
      usage: "page <rotation|team> <what is wrong>",
      summary: "page by hand: the engineer on call (or the team's rotation) gets a page like any alert",
      example: "/oncall page playback checkout returns 500 for every customer",
      run: (ctx) => manualAlert(rt, ctx),
    },
  ];
}

export const oncallCommandsFeature: Feature = {
  name: "oncall-commands",
  setup(rt) {
    for (const sub of rotationCommands(rt)) rt.commands.register("/oncall", sub);
    return {};
  },
};
