// `/oncall noise`, `/oncall load`, `/oncall eject`, `/oncall readmit`: the noise report, the ops load
// per team, and taking a team whose services page too much out of its merged rotation (its alerts
// then page its own channel and members; the rotation engine skips its participants) and back.

import type { Rotation, Team } from "../../core/config";
import { type Shift, shiftAt } from "../../core/rotation";
import { DAY_MS } from "../../core/tz";
import {
  type CommandContext,
  type CommandReply,
  type Subcommand,
  UsageError,
} from "../../platform/slack/commands";
import type { Feature, Runtime } from "../../runtime";
import { SilenceLog } from "../silences/store";
import { loadMessage } from "./load-blocks";
import { noiseReport } from "./noise";
import { noiseMessage } from "./noise-blocks";
import { readOccurrences } from "./occurrences";
import {
  describeEjection,
  ejectedRotationText,
  ejectedTeamText,
  lastTeamText,
  mayEject,
  mayReadmit,
  rotationNames,
} from "./rules";
import { teamLoad } from "./team-load";

export const DEFAULT_NOISE_DAYS = 28;
// Every alert of the range is read into the web process at once: a year of a noisy workspace is
// too much for one command. Longer views belong in the metrics (Prometheus keeps history).
export const MAX_NOISE_DAYS = 90;
export const MAX_LOAD_WEEKS = 12;
const DEFAULT_LOAD_WEEKS = 4;

function teamList(rt: Runtime): string {
  return rt.config.teams.map((t) => t.id).join(", ");
}

/** A team named by id, by name (any case), or by its channel (`<#C0PLAYBACK|playback>`). */
export function findTeamByWord(teams: readonly Team[], word: string): Team | undefined {
  const channel = /^<#([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(word)?.[1];
  if (channel) return teams.find((t) => t.channel === channel);
  const w = word.replace(/^#/, "").toLowerCase();
  return teams.find((t) => t.id.toLowerCase() === w || t.name.toLowerCase() === w);
}

function requireTeam(rt: Runtime, word: string | undefined, what: string): Team {
  if (!word) throw new UsageError(`Name the team to ${what} (one of: ${teamList(rt)}).`);
  const team = findTeamByWord(rt.config.teams, word);
  if (!team) throw new UsageError(`There is no team "${word}". Teams: ${teamList(rt)}.`);
  return team;
}

function wholeNumber(word: string, what: string, max: number, instead?: string): number {
  if (!/^\d+$/.test(word)) throw new UsageError(`${what} must be a whole number, got "${word}".`);
  const n = Number(word);
  if (n < 1 || n > max) {
    const hint = n > max && instead ? ` Type \`${instead}\` for the longest range.` : "";
    throw new UsageError(`${what} must be between 1 and ${max}, got ${n}.${hint}`);
  }
  return n;
}

function rotationsOf(rt: Runtime, team: Team): Rotation[] {
  return rt.config.rotations.filter((r) => r.teams.includes(team.id));
}

function onCallChange(before: Shift | null, after: Shift | null): string {
  if (before?.user === after?.user) return "";
  if (!after) return " Nobody is on call in this rotation now.";
  return before
    ? ` <@${after.user}> is now on call instead of <@${before.user}>.`
    : ` <@${after.user}> is now on call.`;
}

async function post(rt: Runtime, channel: string, text: string): Promise<string | null> {
  try {
    await rt.slack.call("chat.postMessage", { channel, text, unfurl_links: false });
    return null;
  } catch (err) {
    rt.log.warn({ err, channel }, "could not post an ejection notice");
    return `could not post in <#${channel}> (${(err as Error).message})`;
  }
}

async function shiftsNow(rt: Runtime, rotations: readonly Rotation[], now: Date): Promise<(Shift | null)[]> {
  const state = await rt.rotationState.routingState();
  return rotations.map((r) => shiftAt(r, now, state));
}

async function noise(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  if (ctx.args.length > 1) throw new UsageError("Give at most one number of days.");
  const days = ctx.args[0]
    ? wholeNumber(ctx.args[0], "The number of days", MAX_NOISE_DAYS, `/oncall noise ${MAX_NOISE_DAYS}`)
    : DEFAULT_NOISE_DAYS;
  const now = rt.now();
  const from = new Date(now.getTime() - days * DAY_MS);
  const data = await readOccurrences(rt.alerts, from, now);
  const silences = await new SilenceLog(rt.redis, rt.prefix).between(from, now);
  const report = noiseReport({
    occurrences: data.occurrences,
    earlier: data.earlier,
    silences,
    from,
    to: now,
  });
  return noiseMessage(report, rt.config.teams, days);
}

async function load(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  let team: Team | undefined;
  let weeksWord: string | undefined;
  for (const word of ctx.args) {
    if (/^\d+$/.test(word) && weeksWord === undefined) weeksWord = word;
    else if (!team) team = requireTeam(rt, word, "show");
    else throw new UsageError(`Unexpected "${word}": give a team and a number of weeks.`);
  }
  const longest = `/oncall load ${team ? `${team.id} ` : ""}${MAX_LOAD_WEEKS}`;
  let weeks =
    weeksWord === undefined
      ? undefined
      : wholeNumber(weeksWord, "The number of weeks", MAX_LOAD_WEEKS, longest);
  const rotation = team ? rotationsOf(rt, team)[0] : rt.config.rotations[0];
  weeks ??= rotation?.loadLimits.windowWeeks ?? DEFAULT_LOAD_WEEKS;
  const now = rt.now();
  const { load: report } = await teamLoad(rt, now, weeks, team ? [team.id] : undefined);
  return loadMessage(report);
}

async function eject(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const team = requireTeam(rt, ctx.args[0], "eject");
  const rotations = rotationsOf(rt, team);
  const reason = ctx.rest.replace(/^\S+\s*/, "").trim();
  const ejections = await rt.rotationState.ejections();
  const allowed = mayEject({ team, rotations, user: ctx.userId, reason, ejections });
  if (!allowed.ok) {
    if (allowed.usage) throw new UsageError(allowed.text);
    return { text: allowed.text };
  }

  const now = rt.now();
  const before = await shiftsNow(rt, rotations, now);
  // mayEject read the ejections a moment ago; the store checks again atomically, since other ejects
  // may have landed since (the last-team rule must hold however many race).
  const record = { teamId: team.id, by: ctx.userId, at: now.toISOString(), reason };
  const stored = await rt.rotationState.eject(record, rotations);
  if (stored.outcome === "last-team") {
    return {
      text: lastTeamText(
        team,
        stored.emptied.flatMap((i) => rotations[i] ?? []),
      ),
    };
  }
  if (stored.outcome === "already") {
    const e = (await rt.rotationState.ejections()).find((x) => x.teamId === team.id);
    return { text: `${team.name} was ejected a moment ago${e ? ` (${describeEjection(e)})` : ""}.` };
  }
  const after = await shiftsNow(rt, rotations, now);
  const problems: string[] = [];
  for (const [i, r] of rotations.entries()) {
    const text = ejectedRotationText(team, r, record, onCallChange(before[i] ?? null, after[i] ?? null));
    const failed = await post(rt, r.channel, text);
    if (failed) problems.push(failed);
  }
  const failed = await post(rt, team.channel, ejectedTeamText(team, rotations, record));
  if (failed) problems.push(failed);
  return {
    text:
      `Ejected ${team.name} from ${rotationNames(rotations)}. Its new alerts go to <#${team.channel}> and its members, and the rotation skips its participants.` +
      (problems.length ? ` Note: ${problems.join("; ")}.` : ""),
  };
}

async function readmit(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const team = requireTeam(rt, ctx.args[0], "readmit");
  const rotations = rotationsOf(rt, team);
  const allowed = mayReadmit(team, rotations, ctx.userId);
  if (!allowed.ok) return { text: allowed.text };
  const note = ctx.rest.replace(/^\S+\s*/, "").trim();
  const now = rt.now();
  const before = await shiftsNow(rt, rotations, now);
  if (!(await rt.rotationState.readmit(team.id, ctx.userId, now))) {
    return { text: `${team.name} is not ejected: its alerts already page ${rotationNames(rotations)}.` };
  }
  const after = await shiftsNow(rt, rotations, now);
  const why = note ? `: ${note}` : "";
  const problems: string[] = [];
  for (const [i, r] of rotations.entries()) {
    const text =
      `↩ ${team.name} is readmitted to ${r.name} by <@${ctx.userId}>${why}. ` +
      `Its alerts page this rotation again.${onCallChange(before[i] ?? null, after[i] ?? null)}`;
    const failed = await post(rt, r.channel, text);
    if (failed) problems.push(failed);
  }
  const failed = await post(
    rt,
    team.channel,
    `↩ ${team.name} is back in ${rotationNames(rotations)} (readmitted by <@${ctx.userId}>${why}): new alerts page <#${rotations[0]!.channel}> again.`,
  );
  if (failed) problems.push(failed);
  return {
    text:
      `Readmitted ${team.name} to ${rotationNames(rotations)}: its new alerts page the rotation again and its participants are back in turn.` +
      (problems.length ? ` Note: ${problems.join("; ")}.` : ""),
  };
}

/** The subcommands of ops load on `/oncall`. */
function opsLoadCommands(rt: Runtime): Subcommand[] {
  return [
    {
      name: "noise",
      usage: "noise [days]",
      summary: `the noisiest alerts of the last ${DEFAULT_NOISE_DAYS} days (or [days]), the worst marked "fix or delete"`,
      example: "/oncall noise 14",
      run: (ctx) => noise(rt, ctx),
    },
    {
      name: "load",
      usage: "load [team] [weeks]",
      summary: "ops load per team against the rotation's load limit, and who is eligible for ejection",
      example: "/oncall load playback 4",
      run: (ctx) => load(rt, ctx),
    },
    {
      name: "eject",
      usage: "eject <team> <reason…>",
      summary:
        "take a team out of its rotation: its alerts go to its own channel and members (rotation admins)",
      example: "/oncall eject playback 31 pages a week for a month; fixing the stream-api alerts",
      run: (ctx) => eject(rt, ctx),
    },
    {
      name: "readmit",
      usage: "readmit <team> [note]",
      summary: "bring an ejected team back into its rotation (rotation admins)",
      example: "/oncall readmit playback",
      run: (ctx) => readmit(rt, ctx),
    },
  ];
}

export const opsLoadFeature: Feature = {
  name: "ops-load",
  setup(rt) {
    for (const sub of opsLoadCommands(rt)) rt.commands.register("/oncall", sub);
    return {};
  },
};
