// Grafana OnCall: one export file holding the public API responses:
//   { "schedules":      GET /api/v1/schedules,
//     "on_call_shifts": GET /api/v1/on_call_shifts,
//     "users":          GET /api/v1/users,
//     "teams":          GET /api/v1/teams   (optional: team names) }
// Rotations are shifts of type rolling_users; a higher `level` takes over where shifts overlap.
// Overrides are shifts of type "override" (web schedules); single_event shifts are one-off cover
// and are treated as overrides too.

import { z } from "zod";
import { atZone, localDateTime, pages, readExport } from "./export-schema";
import type {
  SourceLayer,
  SourceLength,
  SourceOrg,
  SourceOverride,
  SourceParticipant,
  SourceSchedule,
} from "./source";

const schedule = z.looseObject({
  id: z.string({ error: "the schedule id" }),
  name: z.string({ error: "the schedule name" }),
  type: z.enum(["calendar", "ical", "web"], { error: "one of calendar, ical, web" }),
  team_id: z.string().nullable().optional(),
  time_zone: z.string().nullable().optional(),
  shifts: z.array(z.string()).optional(),
  ical_url_overrides: z.string().nullable().optional(),
  slack: z.looseObject({ channel_id: z.string().nullable().optional() }).nullable().optional(),
});

const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;

const shift = z.looseObject({
  id: z.string({ error: "the shift id" }),
  name: z.string().optional(),
  type: z.enum(["rolling_users", "recurrent_event", "single_event", "override"], {
    error: "one of rolling_users, recurrent_event, single_event, override",
  }),
  schedule: z.string().nullable().optional(),
  team_id: z.string().nullable().optional(),
  time_zone: z.string().nullable().optional(),
  level: z.int().optional(),
  start: localDateTime,
  rotation_start: localDateTime.nullable().optional(),
  until: localDateTime.nullable().optional(),
  duration: z.int({ error: "the duration in seconds" }).min(1),
  frequency: z
    .enum(["hourly", "daily", "weekly", "monthly"], { error: "one of hourly, daily, weekly, monthly" })
    .nullable()
    .optional(),
  interval: z.int().min(1).nullable().optional(),
  by_day: z
    .array(z.enum(DAYS, { error: "a day such as MO" }))
    .nullable()
    .optional(),
  week_start: z.enum(DAYS).nullable().optional(),
  users: z.array(z.string()).nullable().optional(),
  rolling_users: z.array(z.array(z.string())).nullable().optional(),
  start_rotation_from_user_index: z.int().min(0).nullable().optional(),
});

const slackIdentity = z.looseObject({ user_id: z.string().nullable().optional() });

const user = z.looseObject({
  id: z.string({ error: "the user id" }),
  email: z.string({ error: "the user's email" }),
  username: z.string().optional(),
  name: z.string().nullable().optional(),
  role: z.string().optional(),
  timezone: z.string().nullable().optional(),
  slack: z
    .union([slackIdentity, z.array(slackIdentity)])
    .nullable()
    .optional(),
});

const team = z.looseObject({ id: z.string(), name: z.string() });

export const grafanaExport = z.looseObject({
  schedules: pages("results", schedule),
  on_call_shifts: pages("results", shift),
  users: pages("results", user),
  teams: pages("results", team).optional(),
});

export type GrafanaExport = z.output<typeof grafanaExport>;

export function parseGrafanaOncall(data: unknown, file: string): GrafanaExport {
  return readExport(grafanaExport, data, file, "Grafana OnCall");
}

const PERIOD_S: Readonly<Record<string, number>> = { hourly: 3600, daily: 86_400, weekly: 604_800 };

function lengthOf(frequency: string, interval: number): SourceLength {
  if (frequency === "monthly") return { months: interval };
  if (frequency === "hourly") return { unit: "h", amount: interval };
  if (frequency === "daily") return { unit: "d", amount: interval };
  return { unit: "w", amount: interval };
}

function slackIdOf(u: z.output<typeof user>): string | null {
  const identities = u.slack == null ? [] : Array.isArray(u.slack) ? u.slack : [u.slack];
  return identities.find((s) => s.user_id)?.user_id ?? null;
}

export function grafanaSource(data: GrafanaExport): SourceOrg {
  const users = new Map(data.users.map((u) => [u.id, u]));
  const teamNames = new Map((data.teams ?? []).map((t) => [t.id, t.name]));
  const notes: string[] = [];
  const person = (id: string): SourceParticipant =>
    users.has(id)
      ? { kind: "person", key: id }
      : { kind: "other", what: `user ${id} (not in the users export)` };

  const schedules: SourceSchedule[] = [];
  for (const s of data.schedules) {
    const zone = s.time_zone ?? "UTC";
    if (s.type === "ical") {
      notes.push(
        `Grafana OnCall schedule "${s.name}" is an iCal schedule: its shifts live in the calendar, not in the API; not imported — define its rotation by hand`,
      );
      continue;
    }
    if (s.ical_url_overrides) {
      notes.push(
        `overrides of Grafana OnCall schedule "${s.name}" come from an iCal calendar (ical_url_overrides); not imported — set upcoming ones with /oncall override`,
      );
    }
    const own = data.on_call_shifts.filter((sh) => (s.shifts ?? []).includes(sh.id) || sh.schedule === s.id);
    const layers: SourceLayer[] = [];
    const overrides: SourceOverride[] = [];
    for (const sh of own) {
      const tz = sh.time_zone ?? zone;
      const name = sh.name ?? sh.id;
      if (sh.type === "override" || sh.type === "single_event") {
        const from = atZone(sh.start, tz);
        const to = new Date(from.getTime() + sh.duration * 1000);
        const who = sh.users ?? [];
        if (who.length === 0)
          notes.push(`${sh.type} shift "${name}" of "${s.name}" names nobody; not imported`);
        for (const id of who) {
          overrides.push({
            person: users.has(id) ? id : null,
            who: users.get(id)?.email ?? id,
            from,
            to,
            note:
              [
                sh.type === "single_event" ? `one-off shift "${name}"` : null,
                who.length > 1 ? `one of ${who.length} on call together in Grafana OnCall` : null,
              ]
                .filter(Boolean)
                .join("; ") || null,
          });
        }
        continue;
      }
      const frequency = sh.frequency ?? null;
      if (frequency === null) {
        notes.push(`shift "${name}" of "${s.name}" has no frequency; not imported`);
        continue;
      }
      const interval = sh.interval ?? 1;
      // A recurrent event puts everyone it lists on call together: one group, every recurrence.
      const groups = sh.type === "rolling_users" ? (sh.rolling_users ?? []) : [sh.users ?? []];
      const offset = sh.start_rotation_from_user_index ?? 0;
      const ordered =
        groups.length > 0
          ? [...groups.slice(offset % groups.length), ...groups.slice(0, offset % groups.length)]
          : [];
      const participants = ordered.map((group): SourceParticipant => {
        const first = group[0];
        if (first === undefined) return { kind: "other", what: "nobody (an empty group)" };
        if (group.length > 1) {
          return {
            kind: "other",
            what: `${group.length} users on call together (${group.map((id) => users.get(id)?.email ?? id).join(", ")})`,
          };
        }
        return person(first);
      });
      const period = frequency === "monthly" ? Number.POSITIVE_INFINITY : PERIOD_S[frequency]! * interval;
      const restricted: string[] = [];
      if (sh.by_day && sh.by_day.length > 0 && sh.by_day.length < 7)
        restricted.push(`on ${sh.by_day.join(", ")}`);
      if (sh.duration < period && frequency !== "monthly") {
        restricted.push(`${Math.round((sh.duration / 3600) * 10) / 10}h from ${sh.start.slice(11, 16)}`);
      }
      layers.push({
        name,
        start: atZone(sh.rotation_start ?? sh.start, tz),
        timezone: tz,
        length: lengthOf(frequency, interval),
        participants,
        restriction: restricted.length > 0 ? restricted.join(", ") : null,
        end: sh.until ? atZone(sh.until, tz) : null,
        priority: sh.level ?? 0,
      });
    }
    const teamKey = s.team_id ?? null;
    schedules.push({
      key: s.id,
      name: s.name,
      timezone: zone,
      teams: teamKey ? [teamKey] : [],
      channel: s.slack?.channel_id ?? null,
      layers,
      overrides,
      escalation: null,
      services: [],
    });
  }

  const teamKeys = new Set([
    ...teamNames.keys(),
    ...data.schedules.map((s) => s.team_id).filter((t): t is string => !!t),
  ]);
  return {
    product: "grafana-oncall",
    overlap: "priority",
    people: data.users.map((u) => ({
      key: u.id,
      name: u.name ?? u.username ?? u.email,
      email: u.email,
      slackId: slackIdOf(u),
      admin: u.role === "admin",
      timezone: u.timezone ?? null,
    })),
    teams: [...teamKeys].map((key) => ({ key, name: teamNames.get(key) ?? `team ${key}`, members: [] })),
    schedules,
    notes,
  };
}
