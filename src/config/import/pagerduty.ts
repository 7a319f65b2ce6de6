// PagerDuty: one export file holding the REST API v2 responses:
//   { "schedules":           GET /schedules (each as GET /schedules/{id} returns it, with schedule_layers),
//     "escalation_policies": GET /escalation_policies,
//     "users":               GET /users,
//     "overrides": { "<schedule id>": GET /schedules/{id}/overrides?since=…&until=… }   (optional) }
// Layers later in schedule_layers have the higher priority (PagerDuty's "Layer 2" sits above
// "Layer 1"): where they have an on-call entry they take over from the layers under them.

import { z } from "zod";
import { instant, pages, readExport } from "./export-schema";
import type { SourceLayer, SourceOrg, SourceSchedule } from "./source";

const reference = z.looseObject({
  id: z.string({ error: "the id" }),
  type: z.string().optional(),
  summary: z.string().optional(),
});

const restriction = z.looseObject({
  type: z.enum(["daily_restriction", "weekly_restriction"], {
    error: "daily_restriction or weekly_restriction",
  }),
  start_time_of_day: z.string({ error: 'a time such as "09:00:00"' }),
  duration_seconds: z.int().min(1),
  start_day_of_week: z.int().min(1).max(7).optional().nullable(),
});

const layer = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  start: instant,
  end: instant.optional().nullable(),
  rotation_virtual_start: instant,
  rotation_turn_length_seconds: z.int({ error: "the turn length in seconds" }).min(1),
  users: z.array(z.looseObject({ user: reference }), { error: 'a list of { "user": { "id": … } }' }),
  restrictions: z.array(restriction).optional().nullable(),
});

const schedule = z.looseObject({
  id: z.string({ error: "the schedule id" }),
  name: z.string({ error: "the schedule name" }),
  time_zone: z.string({ error: 'an IANA time zone such as "Europe/Berlin"' }),
  schedule_layers: z.array(layer, {
    error: "a list of schedule layers (GET /schedules/{id} includes them)",
  }),
  teams: z.array(reference).optional(),
});

const escalationPolicy = z.looseObject({
  id: z.string(),
  name: z.string(),
  num_loops: z.int().min(0).optional(),
  escalation_rules: z.array(
    z.looseObject({
      escalation_delay_in_minutes: z.int().min(0),
      targets: z.array(reference),
    }),
  ),
  services: z.array(reference).optional(),
  teams: z.array(reference).optional(),
});

const user = z.looseObject({
  id: z.string({ error: "the user id" }),
  name: z.string().optional(),
  email: z.string({ error: "the user's email" }),
  time_zone: z.string().optional(),
  role: z.string().optional(),
  teams: z.array(reference).optional(),
});

const override = z.looseObject({
  id: z.string().optional(),
  start: instant,
  end: instant,
  user: reference,
});

export const pagerdutyExport = z.looseObject({
  schedules: pages("schedules", schedule),
  escalation_policies: pages("escalation_policies", escalationPolicy),
  users: pages("users", user),
  overrides: z.record(z.string(), pages("overrides", override)).optional(),
});

export type PagerdutyExport = z.output<typeof pagerdutyExport>;

export function parsePagerduty(data: unknown, file: string): PagerdutyExport {
  return readExport(pagerdutyExport, data, file, "PagerDuty");
}

const WEEKDAY = ["", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

function describeRestrictions(rs: readonly z.output<typeof restriction>[]): string {
  return rs
    .map((r) => {
      const hours = Math.round((r.duration_seconds / 3600) * 10) / 10;
      const at = r.start_time_of_day.slice(0, 5);
      return r.type === "daily_restriction"
        ? `every day from ${at} for ${hours}h`
        : `from ${WEEKDAY[r.start_day_of_week ?? 1]} ${at} for ${hours}h`;
    })
    .join(", ");
}

export function pagerdutySource(data: PagerdutyExport): SourceOrg {
  const users = new Map(data.users.map((u) => [u.id, u]));
  const teamNames = new Map<string, string>();
  const note = (r: { id: string; summary?: string | undefined }) => {
    if (!teamNames.has(r.id)) teamNames.set(r.id, r.summary ?? r.id);
  };
  for (const u of data.users) for (const t of u.teams ?? []) note(t);
  for (const s of data.schedules) for (const t of s.teams ?? []) note(t);
  for (const p of data.escalation_policies) for (const t of p.teams ?? []) note(t);

  const schedules: SourceSchedule[] = data.schedules.map((s) => {
    // The policy that pages this schedule first: its delay is the bot's ack timeout.
    const policy = data.escalation_policies.find((p) =>
      p.escalation_rules[0]?.targets.some((t) => t.id === s.id),
    );
    const layers = s.schedule_layers.map(
      (l, index): SourceLayer => ({
        name: l.name ?? `Layer ${index + 1}`,
        start: l.rotation_virtual_start,
        timezone: s.time_zone,
        length: { seconds: l.rotation_turn_length_seconds },
        participants: l.users.map((u) =>
          users.has(u.user.id)
            ? { kind: "person", key: u.user.id }
            : { kind: "other", what: `user ${u.user.summary ?? u.user.id} (not in the users export)` },
        ),
        restriction:
          l.restrictions && l.restrictions.length > 0 ? describeRestrictions(l.restrictions) : null,
        end: l.end ?? null,
        priority: index,
      }),
    );
    const policyTeams = policy?.teams?.map((t) => t.id) ?? [];
    return {
      key: s.id,
      name: s.name,
      timezone: s.time_zone,
      teams: (s.teams ?? []).length > 0 ? s.teams!.map((t) => t.id) : policyTeams,
      channel: null,
      layers,
      overrides: (data.overrides?.[s.id] ?? []).map((o) => ({
        person: users.has(o.user.id) ? o.user.id : null,
        who: users.get(o.user.id)?.email ?? o.user.summary ?? o.user.id,
        from: o.start,
        to: o.end,
        note: null,
      })),
      escalation: policy
        ? {
            ackTimeoutMs: (policy.escalation_rules[0]?.escalation_delay_in_minutes ?? 15) * 60_000,
            repeats: policy.num_loops ?? 0,
            from: `PagerDuty escalation policy "${policy.name}" (first rule's delay, num_loops)`,
          }
        : null,
      services: (policy?.services ?? []).map((sv) => sv.summary ?? sv.id),
    };
  });

  const notes = Object.keys(data.overrides ?? {})
    .filter((key) => !data.schedules.some((s) => s.id === key))
    .map(
      (key) => `overrides listed for schedule "${key}", which is not in the schedules response; not imported`,
    );

  const teams = [...teamNames].map(([key, name]) => ({
    key,
    name,
    members: data.users.filter((u) => (u.teams ?? []).some((t) => t.id === key)).map((u) => u.id),
  }));

  return {
    product: "pagerduty",
    overlap: "priority",
    people: data.users.map((u) => ({
      key: u.id,
      name: u.name ?? u.email,
      email: u.email,
      slackId: null,
      admin: u.role === "admin" || u.role === "owner",
      timezone: u.time_zone ?? null,
    })),
    teams,
    schedules,
    notes,
  };
}
