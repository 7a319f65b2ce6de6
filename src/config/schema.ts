// Schemas for the files under schedules/ and for runbook front matter: snake_case YAML in,
// the camelCase types of types.ts out. Cross-file rules (references, the merged-rotation rule) live
// in references.ts; these only judge one file at a time.

import { z } from "zod";
import type {
  AlertmanagerConfig,
  Heartbeat,
  RemediationSpec,
  ReviewConfig,
  Rotation,
  Service,
  Team,
  UsergroupRef,
  Weekday,
  Workdays,
} from "../core/config";
import {
  displayName,
  durationMs,
  flag,
  holidayRegion,
  id,
  labelMatch,
  localDate,
  reference,
  shiftLength,
  slackChannel,
  slackUser,
  strictObject,
  timeOfDay,
  timeZone,
  uniqueList,
  weekday,
  wholeNumber,
  wholeWeeks,
  workHours,
} from "./fields";

const MON_TO_FRI: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri"];

const workdays = strictObject(
  {
    days: uniqueList(weekday, "a list of weekdays, e.g. [mon, tue, wed, thu, fri]", "day")
      .min(1, "must list at least one day")
      .optional(),
    hours: workHours,
    holidays: holidayRegion.nullable().optional(),
  },
  "working days: days, hours, holidays",
).transform(
  (w): Workdays => ({ days: w.days ?? [...MON_TO_FRI], hours: w.hours, holidays: w.holidays ?? null }),
);

const team = strictObject(
  {
    id,
    name: displayName.optional(),
    channel: slackChannel,
    members: uniqueList(slackUser, "a list of Slack user ids, e.g. [U01AAA, U01BBB]", "member").min(
      1,
      "must list at least one member",
    ),
    timezone: timeZone,
    workdays,
  },
  "team settings",
).transform(
  // The schema holds exactly a team's fields; only the display name needs its default.
  (t): Team => ({ ...t, name: t.name ?? t.id }),
);

export const teamsFile = strictObject(
  { teams: z.array(team, { error: "a list of teams" }).min(1, "must define at least one team") },
  "teams",
);

const service = strictObject(
  { id, name: displayName.optional(), team: reference("team"), match: labelMatch },
  "service settings",
).transform((s): Service => ({ id: s.id, name: s.name ?? s.id, team: s.team, match: s.match }));

export const servicesFile = strictObject(
  {
    fallback_rotation: reference("rotation"),
    services: z.array(service, { error: "a list of services" }),
  },
  "fallback_rotation and services",
).transform((f) => ({ fallbackRotation: f.fallback_rotation, services: f.services }));

const envName = z
  .string({ error: "the name of an environment variable, e.g. ALERTMANAGER_PAYMENTS_TOKEN" })
  .regex(/^[A-Z_][A-Z0-9_]*$/, "is not an environment variable name; use e.g. ALERTMANAGER_PAYMENTS_TOKEN");

/** Where this rotation's alerts are silenced; the secret itself stays in the environment. */
const alertmanager = strictObject(
  {
    url: z
      .string({ error: "the Alertmanager's base URL, e.g. https://alertmanager.example:9093" })
      .regex(
        /^https?:\/\/[^\s/@]+(\/\S*)?$/,
        "is not an http(s) URL without credentials, e.g. https://alertmanager.example:9093",
      ),
    bearer_token_env: envName.optional(),
    basic_auth: strictObject(
      { username: z.string().min(1), password_env: envName },
      "username and password_env",
    ).optional(),
  },
  "url, bearer_token_env or basic_auth",
)
  .superRefine((a, ctx) => {
    if (a.bearer_token_env !== undefined && a.basic_auth !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["basic_auth"],
        message: "name either bearer_token_env or basic_auth, not both",
      });
    }
  })
  .transform(
    (a): AlertmanagerConfig => ({
      url: a.url.replace(/\/+$/, ""),
      auth:
        a.bearer_token_env !== undefined
          ? { kind: "bearer", tokenEnv: a.bearer_token_env }
          : a.basic_auth !== undefined
            ? { kind: "basic", username: a.basic_auth.username, passwordEnv: a.basic_auth.password_env }
            : null,
    }),
  );

const usergroupId = z
  .string({ error: 'a Slack user group id such as "S0ONCALL"' })
  .regex(
    /^S[A-Z0-9]{2,}$/,
    "is not a Slack user group id; use the group's id (S…, upper-case letters and digits), or name a handle with usergroup_handle",
  );

// Slack's own rule for handles: lower-case letters, digits, hyphens, periods and underscores.
const usergroupHandle = z
  .string({ error: 'a user group handle such as "oncall-merged"' })
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,79}$/,
    'is not a user group handle; use lower-case letters, digits, "-", "." and "_" without the "@", e.g. "oncall-merged"',
  );

const participant = strictObject({ user: slackUser, team: reference("team") }, "user and team");

export const rotationFile = strictObject(
  {
    id,
    name: displayName.optional(),
    channel: slackChannel,
    timezone: timeZone,
    teams: uniqueList(reference("team"), "a list of team ids, e.g. [playback, search]", "team").min(
      1,
      "must list at least one team",
    ),
    start: localDate,
    handoff: strictObject({ day: weekday, time: timeOfDay }, "day and time"),
    shift: shiftLength,
    participants: z
      .array(participant, { error: "a list of { user, team } entries" })
      .min(1, "must list at least one participant"),
    escalation: strictObject(
      { ack_timeout: durationMs, repeats: wholeNumber("how often to page again", 0) },
      "ack_timeout and repeats",
    ),
    load_limits: strictObject(
      { pages_per_week: wholeNumber("pages per week", 1), window: wholeWeeks },
      "pages_per_week and window",
    ),
    admins: uniqueList(slackUser, "a list of Slack user ids, e.g. [U0PRODENG]", "admin").min(
      1,
      "must list at least one admin",
    ),
    alertmanager: alertmanager.optional(),
    usergroup: usergroupId.optional(),
    usergroup_handle: usergroupHandle.optional(),
  },
  "rotation settings",
)
  .superRefine((r, ctx) => {
    if (r.usergroup !== undefined && r.usergroup_handle !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["usergroup_handle"],
        message: "name either usergroup (an existing group's id) or usergroup_handle, not both",
      });
    }
  })
  .transform(
    (r): Rotation => ({
      id: r.id,
      name: r.name ?? r.id,
      channel: r.channel,
      timezone: r.timezone,
      teams: r.teams,
      start: r.start,
      handoff: { day: r.handoff.day, time: r.handoff.time },
      shift: r.shift,
      participants: r.participants.map((p) => ({ user: p.user, team: p.team })),
      escalation: { ackTimeoutMs: r.escalation.ack_timeout, repeats: r.escalation.repeats },
      loadLimits: { pagesPerWeek: r.load_limits.pages_per_week, windowWeeks: r.load_limits.window },
      admins: r.admins,
      // Only when set, so a rotation without one reads as it always did.
      ...(r.alertmanager ? { alertmanager: r.alertmanager } : {}),
      ...(usergroupRef(r) ? { usergroup: usergroupRef(r) } : {}),
    }),
  );

function usergroupRef(r: { usergroup?: string; usergroup_handle?: string }): UsergroupRef | null {
  if (r.usergroup !== undefined) return { kind: "id", id: r.usergroup };
  if (r.usergroup_handle !== undefined) return { kind: "handle", handle: r.usergroup_handle };
  return null;
}

export const reviewFile = strictObject(
  { channel: slackChannel, day: weekday, time: timeOfDay, timezone: timeZone },
  "channel, day, time and timezone",
).transform((r): ReviewConfig => ({ channel: r.channel, day: r.day, time: r.time, timezone: r.timezone }));

/** Pings are checked every few seconds; shorter intervals would page on ordinary network jitter. */
export const MIN_HEARTBEAT_INTERVAL_MS = 10_000;

const heartbeat = strictObject(
  {
    name: id,
    interval: durationMs.refine(
      (ms) => ms >= MIN_HEARTBEAT_INTERVAL_MS,
      'is shorter than the minimum "10s"; ping less often or use interval: 10s',
    ),
    grace: durationMs.optional(),
    rotation: reference("rotation").optional(),
    team: reference("team").optional(),
    alertname: z
      .string({ error: 'an alert name such as "Watchdog"' })
      .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'is not an alert name; use e.g. "Watchdog"')
      .optional(),
  },
  "name, interval, grace, rotation or team, alertname",
)
  .superRefine((h, ctx) => {
    if ((h.rotation === undefined) === (h.team === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [h.rotation === undefined ? "rotation" : "team"],
        message:
          h.rotation === undefined
            ? "is missing; say where a missed heartbeat pages: rotation: <rotation id> or team: <team id>"
            : "name either rotation or team, not both",
      });
    }
  })
  .transform(
    (h): Heartbeat => ({
      name: h.name,
      intervalMs: h.interval,
      graceMs: h.grace ?? 0,
      target: h.rotation !== undefined ? { kind: "rotation", id: h.rotation } : { kind: "team", id: h.team! },
      alertname: h.alertname ?? null,
    }),
  );

export const heartbeatsFile = strictObject(
  { heartbeats: z.array(heartbeat, { error: "a list of heartbeats" }) },
  "heartbeats",
).transform((f) => f.heartbeats);

const remediation = strictObject(
  {
    handler: z.string({ error: 'a handler name such as "wait-and-recheck"' }).min(1, "name a handler"),
    // Kept as written: the handler's own schema judges them (load.ts checks, the worker parses).
    params: z
      .record(z.string(), z.unknown(), { error: "a mapping of handler parameters" })
      .nullable()
      .optional(),
    auto: flag.optional(),
    per_instance: flag.optional(),
    retries: wholeNumber("retries after a failed run", 0).optional(),
    timeout: durationMs.optional(),
  },
  "handler, params, auto, per_instance, retries, timeout",
).transform(
  (r): RemediationSpec => ({
    handler: r.handler,
    params: r.params ?? {},
    auto: r.auto ?? false,
    perInstance: r.per_instance ?? false,
    retries: r.retries ?? null,
    timeoutMs: r.timeout ?? null,
  }),
);

export const runbookFrontMatter = strictObject(
  {
    alert: z.string({ error: "the alert name, e.g. HighErrorRate" }).min(1, "name the alert"),
    remediation: remediation.nullable().optional(),
    // The severity an incident declared from this alert starts with (the person can change it).
    severity: z
      .string({ error: "SEV1, SEV2 or SEV3" })
      .toLowerCase()
      .pipe(z.enum(["sev1", "sev2", "sev3"], { error: "SEV1, SEV2 or SEV3" }))
      .optional(),
  },
  "alert, remediation and severity",
).transform((f) => ({ alert: f.alert, remediation: f.remediation ?? null, severity: f.severity ?? null }));
