// From the neutral SourceOrg to the bot's model: teams, rotations (one layer each, one engineer at a
// time), services. Pure: `now` and the resolved Slack ids come in. Whatever the model cannot hold
// becomes a Note; nothing is dropped without one. Values the export does not have (a Slack channel,
// an unmatched person) are written as "TODO: …" text that config:check rejects at its exact line.

import type { ShiftLength, Weekday } from "../../core/config";
import { DAY_MS, getZone, MINUTE_MS, weekdayOfDay } from "../../core/tz";
import { isTimeZone } from "../timezones";
import {
  PRODUCT_NAMES,
  type SourceLayer,
  type SourceLength,
  type SourceOrg,
  type SourcePerson,
  type SourceSchedule,
} from "./source";

export interface BuildOptions {
  readonly now: Date;
  /** Slack user id per person key (see people.ts). */
  readonly slackIds: ReadonlyMap<string, string>;
  /** Slack channel id per team or rotation id (from --channels). */
  readonly channels?: ReadonlyMap<string, string>;
  /** Pool every team into one rotation `merged` instead of one rotation per schedule. */
  readonly merge?: boolean;
}

/**
 * unsupported: the product has it, the bot's model cannot express it (how it was approximated);
 * fill-in: a value the export lacks, written as TODO; dropped: left out on purpose (past overrides,
 * ended layers); override: an upcoming override to set again with /oncall override (the bot keeps
 * overrides in Redis, not in files); info: a choice made that the reader should know about.
 */
export type NoteKind = "unsupported" | "fill-in" | "override" | "dropped" | "info";

export interface Note {
  readonly kind: NoteKind;
  /** The written file the note belongs to, relative to the output dir ("" for the run as a whole). */
  readonly file: string;
  readonly message: string;
}

export interface TeamOut {
  readonly id: string;
  readonly name: string;
  readonly channel: string;
  readonly members: string[];
  readonly timezone: string;
}

export interface OverrideOut {
  readonly user: string;
  readonly who: string;
  readonly from: Date;
  readonly to: Date;
  /** `/oncall override …` commands that recreate it (several when it is longer than 30 days). */
  readonly commands: readonly string[];
  readonly note: string | null;
}

export interface RotationOut {
  readonly id: string;
  readonly name: string;
  readonly channel: string;
  readonly timezone: string;
  readonly teams: string[];
  readonly start: string;
  readonly handoff: { readonly day: Weekday; readonly time: string };
  readonly shift: string;
  readonly participants: { user: string; team: string }[];
  readonly escalation: { readonly ack_timeout: string; readonly repeats: number };
  readonly admins: string[];
  /** Where it came from, e.g. `Opsgenie schedule "Payments" (id …), layer "Primary"`. */
  readonly source: string;
  readonly overrides: OverrideOut[];
}

export interface ImportResult {
  readonly product: SourceOrg["product"];
  readonly teams: readonly TeamOut[];
  readonly rotations: readonly RotationOut[];
  readonly fallbackRotation: string;
  readonly notes: readonly Note[];
}

export const TEAMS_FILE = "schedules/teams.yaml";
export const SERVICES_FILE = "schedules/services.yaml";
export const rotationFile = (id: string) => `schedules/rotations/${id}.yaml`;

export const DEFAULT_WORKDAYS = {
  days: ["mon", "tue", "wed", "thu", "fri"] as Weekday[],
  hours: "09:00-17:00",
};
export const DEFAULT_ESCALATION = { ack_timeout: "15m", repeats: 2 };
export const DEFAULT_LOAD_LIMITS = { pages_per_week: 20, window: "4w" };
/** Mirrors MAX_OVERRIDE_MS / MAX_OVERRIDE_LEAD_MS of `/oncall override`. */
const MAX_OVERRIDE_MS = 30 * DAY_MS;
const MAX_OVERRIDE_LEAD_MS = 365 * DAY_MS;
const WEEK_S = 7 * 86_400;
const HOUR_DIVISORS = [1, 2, 3, 4, 6, 8, 12];
const SUNDAY_FIRST: readonly Weekday[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

export function todoUser(person: SourcePerson | undefined, fallback: string): string {
  return `TODO: Slack id of ${person ? (person.email ?? person.name) : fallback}`;
}

function todoChannel(what: string): string {
  return `TODO: Slack channel id for ${what}`;
}

/** A config id from a display name: "Payments – EU" -> "payments-eu". */
export function slug(name: string, fallback: string): string {
  const s = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return s === "" ? fallback : s;
}

class Ids {
  private readonly used = new Set<string>();
  take(name: string, fallback: string): string {
    const base = slug(name, fallback);
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }
}

function shiftText(s: ShiftLength): string {
  return `${s.amount}${s.unit}`;
}

function hoursShift(hours: number): ShiftLength | null {
  if (hours > 0 && hours % 168 === 0) return { unit: "w", amount: hours / 168 };
  if (hours > 0 && hours % 24 === 0) return { unit: "d", amount: hours / 24 };
  if (HOUR_DIVISORS.includes(hours)) return { unit: "h", amount: hours };
  return null;
}

function nearestHours(hours: number): ShiftLength {
  if (hours >= 24) return hoursShift(Math.max(24, Math.round(hours / 24) * 24)) ?? { unit: "d", amount: 1 };
  const best = HOUR_DIVISORS.reduce((a, b) => (Math.abs(b - hours) < Math.abs(a - hours) ? b : a));
  return { unit: "h", amount: best };
}

/** The bot's shift length for a turn length, and why it is not exact when it is not. */
export function fitLength(length: SourceLength): { shift: ShiftLength; inexact: string | null } {
  if ("months" in length) {
    const shift: ShiftLength = { unit: "w", amount: 4 * length.months };
    return {
      shift,
      inexact: `turns of ${length.months} calendar month(s) are not supported; imported as ${shiftText(shift)}, so hand-offs drift from the month boundaries`,
    };
  }
  if ("seconds" in length) {
    const s = length.seconds;
    if (s > 0 && s % WEEK_S === 0) return { shift: { unit: "w", amount: s / WEEK_S }, inexact: null };
    if (s > 0 && s % 86_400 === 0) return { shift: { unit: "d", amount: s / 86_400 }, inexact: null };
    const exact = s % 3600 === 0 ? hoursShift(s / 3600) : null;
    if (exact) return { shift: exact, inexact: null };
    const shift = nearestHours(s / 3600);
    return {
      shift,
      inexact: `turns of ${s / 3600} hours are not supported (hour shifts must divide a day); imported as ${shiftText(shift)}`,
    };
  }
  if (length.unit === "h") {
    const exact = hoursShift(length.amount);
    if (exact) return { shift: exact, inexact: null };
    const shift = nearestHours(length.amount);
    return {
      shift,
      inexact: `turns of ${length.amount} hours are not supported (hour shifts must divide a day); imported as ${shiftText(shift)}`,
    };
  }
  if (length.unit === "d" && length.amount % 7 === 0) {
    return { shift: { unit: "w", amount: length.amount / 7 }, inexact: null };
  }
  return { shift: length, inexact: null };
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** The local date, weekday and time of an instant: a rotation's `start` and `handoff`. */
export function localAnchor(instant: Date, timezone: string) {
  const wall = getZone(timezone).toWall(instant.getTime());
  const day = Math.floor(wall / DAY_MS);
  const minutes = Math.floor((wall - day * DAY_MS) / MINUTE_MS);
  return {
    start: new Date(day * DAY_MS).toISOString().slice(0, 10),
    day: SUNDAY_FIRST[weekdayOfDay(day)]!,
    time: `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`,
    seconds: Math.round((wall - day * DAY_MS - minutes * MINUTE_MS) / 1000),
  };
}

/** `2026-12-10T17:00Z`: the absolute form `/oncall override` reads in anyone's time zone. */
function isoMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16)}Z`;
}

export function overrideCommands(
  user: string,
  from: Date,
  to: Date,
  rotationId: string,
  now: Date,
): string[] {
  const commands: string[] = [];
  const mention = `<@${user}>`;
  let start = Math.max(from.getTime(), now.getTime());
  while (start < to.getTime()) {
    const end = Math.min(to.getTime(), start + MAX_OVERRIDE_MS);
    const fromText =
      start === now.getTime() && from.getTime() < now.getTime() ? "now" : isoMinute(new Date(start));
    commands.push(`/oncall override ${mention} ${fromText} ${isoMinute(new Date(end))} ${rotationId}`);
    start = end;
  }
  return commands;
}

function describeLength(length: SourceLength): string {
  if ("months" in length) return `${length.months} month(s)`;
  if ("seconds" in length) return `${length.seconds / 3600}h`;
  return shiftText(length);
}

function describeLayer(layer: SourceLayer): string {
  const when = layer.restriction ? `, only ${layer.restriction}` : "";
  return `layer "${layer.name}" (turns of ${describeLength(layer.length)} from ${layer.start.toISOString()}${when})`;
}

function mostCommon(values: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, n] of counts) if (best === null || n > counts.get(best)!) best = v;
  return best;
}

export function buildConfig(org: SourceOrg, options: BuildOptions): ImportResult {
  const product = PRODUCT_NAMES[org.product];
  const now = options.now;
  const channels = options.channels ?? new Map<string, string>();
  const notes: Note[] = org.notes.map((message) => ({ kind: "unsupported", file: "", message }));
  const note = (kind: NoteKind, file: string, message: string) => notes.push({ kind, file, message });

  const people = new Map(org.people.map((p) => [p.key, p]));
  const userOf = (key: string): string =>
    options.slackIds.get(key) ?? todoUser(people.get(key), `${product} user ${key}`);
  const nameOf = (key: string) => {
    const p = people.get(key);
    return p ? (p.email ?? p.name) : `${product} user ${key}`;
  };

  // Teams: the product's teams, then one per schedule that no team owns.
  const teamIds = new Ids();
  const teams = new Map<
    string,
    { out: TeamOut; memberKeys: string[]; zones: string[]; scheduleChannel: string | null }
  >();
  for (const t of org.teams) {
    teams.set(t.key, {
      out: { id: teamIds.take(t.name, "team"), name: t.name, channel: "", members: [], timezone: "" },
      memberKeys: [...new Set(t.members)],
      zones: [],
      scheduleChannel: null,
    });
  }
  for (const s of org.schedules) {
    if (s.teams.some((k) => teams.has(k))) continue;
    const key = `schedule:${s.key}`;
    const id = teamIds.take(s.name, "team");
    teams.set(key, {
      out: { id, name: s.name, channel: "", members: [], timezone: "" },
      memberKeys: [],
      zones: [],
      scheduleChannel: null,
    });
    note(
      "info",
      TEAMS_FILE,
      `team "${id}" stands for ${product} schedule "${s.name}", which no team owns; its members are the schedule's participants`,
    );
  }
  const teamsOf = (s: SourceSchedule) => {
    const owned = s.teams.filter((k) => teams.has(k));
    return owned.length > 0 ? owned : [`schedule:${s.key}`];
  };

  // Rotations, one per schedule: its full-time layer with the highest priority.
  const rotationIds = new Ids();
  const rotations: RotationOut[] = [];
  /** Participants who were not members of the team they stand for, by team. */
  const added = new Map<string, string[]>();
  const orgAdmins = org.people.filter((p) => p.admin && options.slackIds.has(p.key)).map((p) => p.key);
  for (const s of org.schedules) {
    const id = rotationIds.take(s.name, "rotation");
    const file = rotationFile(id);
    const ownTeams = teamsOf(s);
    for (const k of ownTeams) {
      const team = teams.get(k)!;
      team.zones.push(s.timezone);
      team.scheduleChannel ??= s.channel;
    }

    const live = s.layers.filter((l) => {
      if (l.end && l.end.getTime() <= now.getTime()) {
        note("dropped", file, `${describeLayer(l)} ended ${l.end.toISOString()}; not imported`);
        return false;
      }
      return true;
    });
    if (live.length === 0) {
      note(
        "fill-in",
        file,
        `${product} schedule "${s.name}" has no current layer; ${file} was not written — its teams need a rotation`,
      );
      continue;
    }
    const byPriority = [...live].sort((a, b) => b.priority - a.priority);
    const chosen = byPriority.find((l) => l.restriction === null) ?? byPriority[0]!;
    if (chosen.restriction !== null) {
      note(
        "unsupported",
        file,
        `every layer of "${s.name}" is time-restricted; imported ${describeLayer(chosen)} as if it covered all the time — the bot's rotations have no gaps`,
      );
    }
    for (const l of byPriority) {
      if (l === chosen) continue;
      if (org.overlap === "together") {
        note(
          "unsupported",
          file,
          `${describeLayer(l)} is on call at the same time as the imported layer in ${product} (both are notified); the bot pages one engineer at a time, so it is not imported — cover those times with overrides (/oncall override) or a rotation of their own`,
        );
      } else if (l.priority > chosen.priority || (l.priority === chosen.priority && l.restriction !== null)) {
        note(
          "unsupported",
          file,
          `${describeLayer(l)} takes over from the imported layer ${l.restriction ? "at those times" : "where it overlaps"} in ${product}; the bot has one layer per rotation, so it is not imported — cover those times with overrides (/oncall override) or a rotation of their own`,
        );
      } else {
        note(
          "dropped",
          file,
          `${describeLayer(l)} lies under the imported full-time layer, so it was never on call in ${product}; not imported`,
        );
      }
    }

    let timezone = chosen.timezone;
    if (!isTimeZone(timezone)) {
      note(
        "fill-in",
        file,
        `time zone "${timezone}" is not an IANA zone the bot knows; used UTC — correct timezone`,
      );
      timezone = "UTC";
    }
    const anchor = localAnchor(chosen.start, timezone);
    if (anchor.seconds !== 0) {
      note("info", file, `hand-off at ${anchor.time}:${pad(anchor.seconds)} rounded down to ${anchor.time}`);
    }
    const fitted = fitLength(chosen.length);
    if (fitted.inexact) note("unsupported", file, `${chosen.name}: ${fitted.inexact}`);

    // Participants: one turn per engineer per cycle, each standing for a team they belong to.
    const participants: { user: string; team: string }[] = [];
    const seen = new Map<string, number>();
    for (const p of chosen.participants) {
      if (p.kind === "other") {
        note(
          "unsupported",
          file,
          `a turn of ${p.what} in layer "${chosen.name}" cannot be given to one engineer; left out, so the others' turns come round sooner`,
        );
        continue;
      }
      const turns = seen.get(p.key);
      if (turns !== undefined) {
        seen.set(p.key, turns + 1);
        continue;
      }
      seen.set(p.key, 1);
      const home = ownTeams.find((k) => teams.get(k)!.memberKeys.includes(p.key)) ?? ownTeams[0]!;
      const team = teams.get(home)!;
      if (!team.memberKeys.includes(p.key)) {
        team.memberKeys.push(p.key);
        const where = `team "${team.out.id}" (from ${product} schedule "${s.name}")`;
        added.set(where, [...(added.get(where) ?? []), nameOf(p.key)]);
      }
      participants.push({ user: userOf(p.key), team: team.out.id });
    }
    for (const [key, turns] of seen) {
      if (turns > 1) {
        note(
          "unsupported",
          file,
          `${nameOf(key)} takes ${turns} turns per cycle in layer "${chosen.name}" (a weighted rotation); the bot gives each engineer one turn per cycle, so they are listed once, at their first turn`,
        );
      }
    }
    if (participants.length === 0) {
      note(
        "fill-in",
        file,
        `layer "${chosen.name}" has no engineer the bot can use; add participants { user: <Slack id>, team: ${teams.get(ownTeams[0]!)!.out.id} }`,
      );
    }

    // Overrides: the bot keeps them in Redis, set with /oncall override; past ones have no effect.
    const overrides: OverrideOut[] = [];
    for (const o of s.overrides) {
      const range = `${o.from.toISOString()} – ${o.to.toISOString()}`;
      if (o.to.getTime() <= now.getTime()) {
        note("dropped", file, `override by ${o.who} ${range} is over; not imported`);
        continue;
      }
      const user = o.person ? userOf(o.person) : `TODO: Slack id of ${o.who}`;
      if (o.from.getTime() - now.getTime() > MAX_OVERRIDE_LEAD_MS) {
        note(
          "unsupported",
          file,
          `override by ${o.who} ${range} starts more than a year ahead; /oncall override accepts it within a year of its start — set it then`,
        );
      }
      overrides.push({
        user,
        who: o.who,
        from: o.from,
        to: o.to,
        commands: overrideCommands(user, o.from, o.to, id, now),
        note: o.note,
      });
    }

    // The teams' own admins; the organisation's when the teams have none.
    const teamAdmins = ownTeams
      .flatMap((k) => teams.get(k)!.memberKeys)
      .filter((k) => people.get(k)?.admin && options.slackIds.has(k));
    const admins = [
      ...new Set((teamAdmins.length > 0 ? teamAdmins : orgAdmins).map((k) => options.slackIds.get(k)!)),
    ];
    if (admins.length === 0) {
      admins.push("TODO: Slack id of a rotation admin");
      note(
        "fill-in",
        file,
        `no ${product} admin could be matched to Slack; name at least one rotation admin (they may set overrides for others and eject teams)`,
      );
    }

    const escalation = s.escalation
      ? {
          ack_timeout: `${Math.max(1, Math.round(s.escalation.ackTimeoutMs / MINUTE_MS))}m`,
          repeats: s.escalation.repeats,
        }
      : DEFAULT_ESCALATION;
    if (s.escalation) {
      note("info", file, `escalation from ${s.escalation.from}`);
    } else {
      note(
        "info",
        file,
        `escalation is not part of the ${product} export; used ack_timeout ${DEFAULT_ESCALATION.ack_timeout}, repeats ${DEFAULT_ESCALATION.repeats}`,
      );
    }
    if (s.services.length > 0) {
      note(
        "fill-in",
        SERVICES_FILE,
        `${product} routes ${s.services.map((n) => `"${n}"`).join(", ")} to schedule "${s.name}": add each to services with team ${teams.get(ownTeams[0]!)!.out.id} and the alert labels that identify it (match)`,
      );
    }

    rotations.push({
      id,
      name: s.name,
      channel: s.channel ?? channels.get(id) ?? "",
      timezone,
      teams: ownTeams.map((k) => teams.get(k)!.out.id),
      start: anchor.start,
      handoff: { day: anchor.day, time: anchor.time },
      shift: shiftText(fitted.shift),
      participants,
      escalation,
      admins,
      source: `${product} schedule "${s.name}" (${s.key}), ${describeLayer(chosen)}`,
      overrides,
    });
  }

  for (const [where, names] of added) {
    note(
      "info",
      TEAMS_FILE,
      `added ${names.join(", ")} to the members of ${where}: they take turns in it, and the bot's participants must be members of the team they stand for`,
    );
  }

  // Teams' remaining fields, now that schedules have added participants to them.
  const teamOut: TeamOut[] = [];
  const unmatched = new Set<string>();
  for (const [key, t] of teams) {
    const fromSchedule = key.startsWith("schedule:");
    if (t.memberKeys.length === 0 && t.zones.length === 0 && !fromSchedule) {
      note(
        "dropped",
        TEAMS_FILE,
        `${product} team "${t.out.name}" has no members and no schedule; not imported`,
      );
      continue;
    }
    const memberZones = t.memberKeys.map((k) => people.get(k)?.timezone).filter((z): z is string => !!z);
    let timezone = t.zones[0] ?? mostCommon(memberZones) ?? "UTC";
    if (!isTimeZone(timezone)) timezone = "UTC";
    if (t.zones.length === 0 && memberZones.length === 0) {
      note("fill-in", TEAMS_FILE, `team "${t.out.id}": no time zone in the export; used UTC — set timezone`);
    }
    const members = [...new Set(t.memberKeys.map(userOf))];
    for (const k of t.memberKeys) {
      if (options.slackIds.has(k) || unmatched.has(k)) continue;
      unmatched.add(k);
      note(
        "fill-in",
        TEAMS_FILE,
        `${nameOf(k)} has no Slack id (not in the --people mapping, and not found by users.lookupByEmail): replace "${userOf(k)}" in every file`,
      );
    }
    if (members.length === 0) {
      members.push(`TODO: Slack id of a member of ${t.out.name}`);
      note("fill-in", TEAMS_FILE, `team "${t.out.id}" has no members in the export; list its members`);
    }
    const channel = channels.get(t.out.id) ?? t.scheduleChannel ?? todoChannel(`team ${t.out.id}`);
    if (!channels.has(t.out.id) && t.scheduleChannel !== null) {
      note(
        "info",
        TEAMS_FILE,
        `team "${t.out.id}": channel is its ${product} schedule's Slack channel; hand-offs and escalations for the team go there`,
      );
    } else if (!channels.has(t.out.id)) {
      note(
        "fill-in",
        TEAMS_FILE,
        `team "${t.out.id}": channel — the Slack channel id where its hand-offs and escalations go (or pass --channels with "${t.out.id}: C…")`,
      );
    }
    teamOut.push({ ...t.out, channel, members, timezone });
  }
  note(
    "info",
    TEAMS_FILE,
    `working days are not part of the ${product} export: every team got workdays mon–fri ${DEFAULT_WORKDAYS.hours} without public holidays; set each team's hours and holidays region`,
  );

  for (const r of rotations) {
    if (r.channel !== "") continue;
    const first = teamOut.find((t) => t.id === r.teams[0]);
    if (first && channels.has(first.id)) {
      (r as { channel: string }).channel = first.channel;
      note(
        "info",
        rotationFile(r.id),
        `pages go to team ${first.id}'s channel; give the rotation a channel of its own if it has one`,
      );
    } else {
      (r as { channel: string }).channel = todoChannel(`rotation ${r.id}`);
      note(
        "fill-in",
        rotationFile(r.id),
        `channel — the Slack channel id where this rotation's pages go (or pass --channels with "${r.id}: C…")`,
      );
    }
  }

  let finalRotations = rotations;
  if (options.merge) {
    finalRotations = mergeRotations(rotations, teamOut, channels, notes, now);
    // Notes about the schedules' own rotation files now describe the merged one.
    const merged = new Set(rotations.map((r) => rotationFile(r.id)));
    for (const [i, n] of notes.entries()) {
      if (merged.has(n.file)) notes[i] = { ...n, file: rotationFile("merged") };
    }
  }

  for (const r of finalRotations) {
    for (const o of r.overrides) {
      const range = `${o.from.toISOString()} – ${o.to.toISOString()}`;
      note(
        "override",
        rotationFile(r.id),
        `${o.who}, ${range}${o.note ? ` (${o.note})` : ""}: ${o.commands.join("  then  ")}`,
      );
    }
  }

  const inRotation = new Set(finalRotations.flatMap((r) => r.teams));
  for (const t of teamOut) {
    if (!inRotation.has(t.id)) {
      note(
        "fill-in",
        TEAMS_FILE,
        `team "${t.id}" is in no rotation, so its alerts would page the fallback rotation: add it to a rotation's teams with a participant from its members`,
      );
    }
  }
  const firstRotation = finalRotations[0]?.id ?? "merged";
  if (finalRotations.length > 1) {
    note(
      "info",
      SERVICES_FILE,
      `fallback_rotation is "${firstRotation}" (the first schedule); alerts that match no service page it`,
    );
  }
  note(
    "info",
    "",
    'runbooks are not imported (none of these products keeps them); `npm run config:check -- --prometheus-rules <rule files>` lists every alert rule that has no runbook entry, as `<file>:<line>: alert "X" has no runbook entry; add runbooks/X.md`',
  );
  // Merging files several schedules' identical notes under one rotation: say each once.
  const seen = new Set<string>();
  const unique = notes.filter((n) => {
    const key = `${n.kind}\0${n.file}\0${n.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    product: org.product,
    teams: teamOut,
    rotations: finalRotations,
    fallbackRotation: firstRotation,
    notes: unique,
  };
}

/**
 * The bot's own shape: one rotation `merged` pooling every team, its participants taken in turn from
 * each team (round-robin), its hand-off from the first schedule.
 */
function mergeRotations(
  rotations: readonly RotationOut[],
  teams: readonly TeamOut[],
  channels: ReadonlyMap<string, string>,
  notes: Note[],
  now: Date,
): RotationOut[] {
  const first = rotations[0];
  const file = rotationFile("merged");
  if (!first) return [];
  for (const r of rotations.slice(1)) {
    if (
      r.shift !== first.shift ||
      r.handoff.time !== first.handoff.time ||
      r.handoff.day !== first.handoff.day
    ) {
      notes.push({
        kind: "info",
        file,
        message: `"${r.name}" handed off ${r.handoff.day} ${r.handoff.time} every ${r.shift}; the merged rotation uses "${first.name}"'s ${first.handoff.day} ${first.handoff.time} every ${first.shift}`,
      });
    }
  }
  const queues = teams.map((t) => ({
    team: t.id,
    users: rotations.flatMap((r) => r.participants.filter((p) => p.team === t.id).map((p) => p.user)),
  }));
  const participants: { user: string; team: string }[] = [];
  const taken = new Set<string>();
  for (let round = 0; queues.some((q) => q.users.length > round); round++) {
    for (const q of queues) {
      const user = q.users[round];
      if (user === undefined || taken.has(user)) continue;
      taken.add(user);
      participants.push({ user, team: q.team });
    }
  }
  for (const q of queues) {
    if (q.users.length === 0) {
      notes.push({
        kind: "fill-in",
        file,
        message: `team "${q.team}" gives no engineer to the merged rotation (the bot's first rule): add a participant { user: <member of ${q.team}>, team: ${q.team} }`,
      });
    }
  }
  const ids = rotations.map((r) => r.id);
  notes.push({
    kind: "info",
    file,
    message: `merged ${ids.join(", ")} into one rotation; participants alternate between teams`,
  });
  const overrides = rotations.flatMap((r) =>
    r.overrides.map((o) => ({ ...o, commands: overrideCommands(o.user, o.from, o.to, "merged", now) })),
  );
  return [
    {
      ...first,
      id: "merged",
      name: "Merged on-call",
      channel: channels.get("merged") ?? first.channel,
      teams: teams.map((t) => t.id),
      participants,
      admins: [...new Set(rotations.flatMap((r) => r.admins))].filter(
        (a, _, all) => !a.startsWith("TODO") || all.length === 1,
      ),
      source: rotations.map((r) => r.source).join("; "),
      overrides,
    },
  ];
}
