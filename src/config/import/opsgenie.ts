// Opsgenie: one export file holding three (optionally four) REST responses:
//   { "schedules": GET /v2/schedules?expand=rotation,
//     "teams":     GET /v2/teams (each team as GET /v2/teams/{id} returns it, for its members),
//     "users":     GET /v2/users,
//     "overrides": { "<schedule id>": GET /v2/schedules/{id}/overrides }   (optional) }
// Overlapping rotations of one Opsgenie schedule are on call together (everyone is notified); the
// bot pages one engineer at a time, so one full-time rotation is imported and the rest are listed.

import { z } from "zod";
import { instant, pages, readExport } from "./export-schema";
import type { SourceLayer, SourceOrg, SourceOverride, SourceParticipant, SourceSchedule } from "./source";

const ref = z.looseObject({ id: z.string({ error: "the id" }), name: z.string().optional() });

const participant = z.looseObject({
  type: z.enum(["user", "team", "escalation", "none"], { error: "one of user, team, escalation, none" }),
  id: z.string().optional(),
  username: z.string().optional(),
  name: z.string().optional(),
});

const hourMinute = {
  startHour: z.int().min(0).max(23),
  startMin: z.int().min(0).max(59),
  endHour: z.int().min(0).max(23),
  endMin: z.int().min(0).max(59),
};

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

const timeRestriction = z.discriminatedUnion(
  "type",
  [
    z.looseObject({ type: z.literal("time-of-day"), restriction: z.looseObject(hourMinute) }),
    z.looseObject({
      type: z.literal("weekday-and-time-of-day"),
      restrictions: z.array(
        z.looseObject({
          ...hourMinute,
          startDay: z.enum(DAYS, { error: "a day name such as monday" }),
          endDay: z.enum(DAYS, { error: "a day name such as monday" }),
        }),
      ),
    }),
  ],
  { error: 'a time restriction of type "time-of-day" or "weekday-and-time-of-day"' },
);

const rotation = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  startDate: instant,
  endDate: instant.optional().nullable(),
  type: z.enum(["daily", "weekly", "hourly"], { error: "one of daily, weekly, hourly" }),
  length: z.int().min(1).optional(),
  participants: z.array(participant, { error: "a list of participants" }),
  timeRestriction: timeRestriction.optional().nullable(),
});

const schedule = z.looseObject({
  id: z.string({ error: "the schedule id" }),
  name: z.string({ error: "the schedule name" }),
  timezone: z.string({ error: 'an IANA time zone such as "Europe/Berlin"' }),
  enabled: z.boolean().optional(),
  ownerTeam: ref.optional().nullable(),
  rotations: z.array(rotation, {
    error: "a list of rotations (fetch /v2/schedules with ?expand=rotation)",
  }),
});

const team = z.looseObject({
  id: z.string({ error: "the team id" }),
  name: z.string({ error: "the team name" }),
  members: z
    .array(
      z.looseObject({
        user: z.looseObject({ id: z.string(), username: z.string().optional() }),
        role: z.string().optional(),
      }),
    )
    .optional(),
});

const user = z.looseObject({
  id: z.string({ error: "the user id" }),
  username: z.string({ error: "the user's login (their email)" }),
  fullName: z.string().optional(),
  role: z.looseObject({ name: z.string() }).optional(),
  timeZone: z.string().optional(),
});

const override = z.looseObject({
  alias: z.string().optional(),
  user: z.looseObject({
    type: z.string().optional(),
    id: z.string().optional(),
    username: z.string().optional(),
  }),
  startDate: instant,
  endDate: instant,
  rotations: z.array(ref).optional(),
});

export const opsgenieExport = z.looseObject({
  schedules: pages("data", schedule),
  teams: pages("data", team),
  users: pages("data", user),
  overrides: z.record(z.string(), pages("data", override)).optional(),
});

export type OpsgenieExport = z.output<typeof opsgenieExport>;

export function parseOpsgenie(data: unknown, file: string): OpsgenieExport {
  return readExport(opsgenieExport, data, file, "Opsgenie");
}

function hm(h: number, m: number): string {
  return `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
}

function describeRestriction(r: z.output<typeof timeRestriction>): string {
  if (r.type === "time-of-day") {
    const x = r.restriction;
    return `every day ${hm(x.startHour, x.startMin)}–${hm(x.endHour, x.endMin)}`;
  }
  return r.restrictions
    .map((x) => `${x.startDay} ${hm(x.startHour, x.startMin)}–${x.endDay} ${hm(x.endHour, x.endMin)}`)
    .join(", ");
}

export function opsgenieSource(data: OpsgenieExport): SourceOrg {
  const byId = new Map(data.users.map((u) => [u.id, u]));
  const byLogin = new Map(data.users.map((u) => [u.username.toLowerCase(), u]));
  const keyOf = (p: { id?: string | undefined; username?: string | undefined }) =>
    (p.id && byId.get(p.id)?.id) ?? (p.username && byLogin.get(p.username.toLowerCase())?.id) ?? null;
  const teamAdmins = new Set(
    data.teams.flatMap((t) => (t.members ?? []).filter((m) => m.role === "admin").map((m) => m.user.id)),
  );
  const notes: string[] = [];

  const schedules: SourceSchedule[] = data.schedules.map((s): SourceSchedule => {
    if (s.enabled === false)
      notes.push(`Opsgenie schedule "${s.name}" is disabled in Opsgenie; imported anyway`);
    const layers = s.rotations.map((r, index): SourceLayer => {
      const participants = r.participants.map((p): SourceParticipant => {
        const key = p.type === "user" ? keyOf(p) : null;
        if (key) return { kind: "person", key };
        if (p.type === "none") return { kind: "other", what: "nobody (a gap)" };
        return { kind: "other", what: `${p.type} ${p.name ?? p.username ?? p.id ?? "?"}` };
      });
      const length = r.length ?? 1;
      return {
        name: r.name ?? `rotation ${index + 1}`,
        start: r.startDate,
        timezone: s.timezone,
        length:
          r.type === "hourly"
            ? { unit: "h", amount: length }
            : r.type === "daily"
              ? { unit: "d", amount: length }
              : { unit: "w", amount: length },
        participants,
        restriction: r.timeRestriction ? describeRestriction(r.timeRestriction) : null,
        end: r.endDate ?? null,
        // All overlapping rotations are on call together; the first full-time one is imported.
        priority: -index,
      };
    });
    const overrides: SourceOverride[] = (data.overrides?.[s.id] ?? data.overrides?.[s.name] ?? []).map(
      (o) => ({
        person: keyOf(o.user),
        who: o.user.username ?? o.user.id ?? "an unknown user",
        from: o.startDate,
        to: o.endDate,
        note:
          o.rotations && o.rotations.length > 0
            ? `in Opsgenie only for ${o.rotations.map((r) => r.name ?? r.id).join(", ")}`
            : null,
      }),
    );
    return {
      key: s.id,
      name: s.name,
      timezone: s.timezone,
      teams: s.ownerTeam ? [s.ownerTeam.id] : [],
      channel: null,
      layers,
      overrides,
      escalation: null,
      services: [],
    };
  });

  for (const key of Object.keys(data.overrides ?? {})) {
    if (!data.schedules.some((s) => s.id === key || s.name === key)) {
      notes.push(
        `overrides listed for schedule "${key}", which is not in the schedules response; not imported`,
      );
    }
  }

  // Without a members list (GET /v2/teams lists none), a team's members are its schedules' participants.
  const teams = data.teams.map((t) => ({
    key: t.id,
    name: t.name,
    members: (t.members ?? []).map((m) => keyOf(m.user)).filter((k): k is string => k !== null),
  }));

  return {
    product: "opsgenie",
    overlap: "together",
    people: data.users.map((u) => ({
      key: u.id,
      name: u.fullName ?? u.username,
      email: u.username,
      slackId: null,
      admin: ["Owner", "Admin"].includes(u.role?.name ?? "") || teamAdmins.has(u.id),
      timezone: u.timeZone ?? null,
    })),
    teams,
    schedules,
    notes,
  };
}
