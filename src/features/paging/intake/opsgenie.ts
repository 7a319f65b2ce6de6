// Opsgenie's Alert API, the part that Alertmanager's opsgenie_configs, Grafana, Zabbix and scripts
// use, read into the bot's shapes. Pure: the route (../opsgenie-api.ts) does the I/O.
//
// An Opsgenie alert is one thing with one identity, its alias; here it is a group of one instance
// whose group key is the alias, so a repeat updates the open alert and a close resolves it.

import { z } from "zod";
import type { Alert } from "../../../core/alert";
import { isPlainObject, safeHttpUrl } from "./fields";
import { fingerprintOf } from "./fingerprint";
import { buildGroup } from "./group";
import { describeValue, intakeErrorFrom } from "./issues";
import { requireObject } from "./limits";
import { type IncomingGroup, IntakeError } from "./types";

/** Opsgenie's documented limits. Longer text is cut as Opsgenie does; an alias too long is refused. */
export const OPSGENIE_LIMITS = {
  message: 130,
  alias: 512,
  description: 15_000,
  note: 25_000,
  entity: 512,
  source: 100,
  user: 100,
  tags: 20,
  tag: 50,
} as const;

export type IdentifierType = "id" | "alias" | "tiny";

export const ALERT_ACTIONS = ["close", "acknowledge", "notes", "message", "description"] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/** Cuts at a code point, not inside a surrogate pair (Alertmanager counts runes the same way). */
export function cut(text: string, max: number): string {
  const points = [...text];
  return points.length <= max ? text : `${points.slice(0, max - 1).join("")}…`;
}

const text = (max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : cut(v.trim(), max)));

const requiredText = (field: string, max: number) =>
  z
    .string()
    .transform((v) => v.trim())
    .refine((v) => v !== "", `${field} can not be empty`)
    .transform((v) => cut(v, max));

/** Opsgenie's details: strings; numbers and booleans (scripts send them) become their text. */
const details = z
  .unknown()
  .optional()
  .superRefine((value, ctx) => {
    if (value === undefined) return;
    if (!isPlainObject(value)) {
      ctx.addIssue({ code: "custom", message: `expected an object of strings, got ${describeValue(value)}` });
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      if (!["string", "number", "boolean"].includes(typeof v)) {
        ctx.addIssue({ code: "custom", path: [key], message: `expected a string, got ${describeValue(v)}` });
      }
    }
  })
  .transform(
    (value): Record<string, string> =>
      // Object.fromEntries keeps even a `__proto__` key an ordinary label.
      isPlainObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {},
  );

const responder = z.object({
  type: z.string(),
  id: z.string().optional(),
  name: z.string().optional(),
  username: z.string().optional(),
});

// Not strict: Opsgenie ignores fields it does not know, and senders rely on that.
const createSchema = z.object({
  message: requiredText("message", OPSGENIE_LIMITS.message),
  alias: z
    .string()
    .max(OPSGENIE_LIMITS.alias, `alias can be at most ${OPSGENIE_LIMITS.alias} characters`)
    .optional(),
  description: text(OPSGENIE_LIMITS.description),
  details,
  tags: z
    .array(z.string(), { error: "tags must be an array of strings" })
    .max(OPSGENIE_LIMITS.tags, `at most ${OPSGENIE_LIMITS.tags} tags`)
    .optional(),
  priority: z.enum(["P1", "P2", "P3", "P4", "P5"]).optional(),
  entity: text(OPSGENIE_LIMITS.entity),
  source: text(OPSGENIE_LIMITS.source),
  user: text(OPSGENIE_LIMITS.user),
  note: text(OPSGENIE_LIMITS.note),
  responders: z.array(responder).optional(),
  visibleTo: z.array(z.unknown()).optional(),
  actions: z.array(z.string()).optional(),
});

/** The group key of an Opsgenie alias: `alias` identifiers are looked up through it. */
export function opsgenieGroupKey(alias: string): string {
  return `opsgenie:${alias}`;
}

/**
 * Tags read as labels: "team:payments" is the label team=payments (so services can match it), bare
 * tags are kept together in a `tags` label, in the order sent.
 */
export function tagLabels(tags: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  const bare: string[] = [];
  for (const raw of tags) {
    const tag = cut(raw.trim(), OPSGENIE_LIMITS.tag);
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)[:=](.+)$/.exec(tag);
    if (m) labels[m[1]!] = m[2]!.trim();
    else if (tag !== "") bare.push(tag);
  }
  if (bare.length) labels.tags = bare.join(",");
  return labels;
}

function responderText(r: z.output<typeof responder>): string {
  return `${r.type}:${r.name ?? r.username ?? r.id ?? "?"}`;
}

/**
 * `POST /v2/alerts`. `newAlias` names an alert sent without an alias: Opsgenie then creates a new
 * alert every time, so two such requests are two pages.
 */
export function parseCreateAlert(
  body: unknown,
  opts: { readonly now: Date; readonly newAlias: () => string },
): IncomingGroup {
  const parsed = createSchema.safeParse(requireObject(body), { reportInput: true });
  if (!parsed.success) throw intakeErrorFrom(parsed.error);
  const p = parsed.data;
  const alias = p.alias?.trim() ? p.alias : opts.newAlias();

  // Details win over tags: they are the sender's structured labels (Alertmanager's common labels).
  const labels: Record<string, string> = { ...tagLabels(p.tags ?? []), ...p.details };
  if (p.priority) labels.priority = p.priority;
  if (p.entity) {
    labels.entity = p.entity;
    // The page lists instances by their instance label; Opsgenie's entity is that.
    labels.instance ??= p.entity;
  }
  if (!labels.alertname) labels.alertname = p.message;

  const annotations: Record<string, string> = { summary: p.message };
  if (p.description) annotations.description = p.description;
  if (p.source) annotations.source = p.source;
  if (p.note) annotations.note = p.note;
  if (p.responders?.length) annotations.responders = p.responders.map(responderText).join(", ");

  const at = opts.now.toISOString();
  return buildGroup({
    source: "opsgenie",
    groupKey: opsgenieGroupKey(alias),
    status: "firing",
    groupLabels: {},
    commonLabels: labels,
    commonAnnotations: annotations,
    // Alertmanager's default source is its external URL.
    externalUrl: safeHttpUrl(p.source),
    title: null,
    truncatedAlerts: 0,
    instances: [
      {
        // The alias, not the labels: Alertmanager's details change as alerts join the group.
        fingerprint: fingerprintOf({ alias }),
        status: "firing",
        labels,
        annotations,
        startsAt: at,
        endsAt: null,
        generatorUrl: null,
        links: {},
      },
    ],
  });
}

/** A close: the stored alert's instances, all resolved, as if its sender had said so. */
export function closeGroup(alert: Alert, now: Date): IncomingGroup {
  const at = now.toISOString();
  return buildGroup({
    source: "opsgenie",
    groupKey: alert.groupKey,
    status: "resolved",
    groupLabels: {},
    commonLabels: alert.commonLabels,
    commonAnnotations: alert.commonAnnotations,
    externalUrl: alert.externalUrl,
    title: alert.title,
    truncatedAlerts: 0,
    instances: alert.instances.map((i) => ({
      fingerprint: i.fingerprint,
      status: "resolved" as const,
      labels: i.labels,
      annotations: i.annotations,
      startsAt: i.startsAt,
      endsAt: i.endsAt ?? at,
      generatorUrl: i.generatorUrl,
      links: {},
    })),
  });
}

export interface ActionRequest {
  readonly user: string | undefined;
  readonly source: string | undefined;
  readonly note: string | undefined;
  /** The new text of `/message` and `/description`; undefined for the other actions. */
  readonly text: string | undefined;
}

const actionFields = {
  user: text(OPSGENIE_LIMITS.user),
  source: text(OPSGENIE_LIMITS.source),
  note: text(OPSGENIE_LIMITS.note),
};

const actionSchemas: Record<AlertAction, z.ZodType<ActionRequest, unknown>> = {
  close: z.object(actionFields).transform((p) => ({ ...p, text: undefined })),
  acknowledge: z.object(actionFields).transform((p) => ({ ...p, text: undefined })),
  notes: z
    .object({ ...actionFields, note: requiredText("note", OPSGENIE_LIMITS.note) })
    .transform((p) => ({ ...p, text: undefined })),
  message: z
    .object({ ...actionFields, message: requiredText("message", OPSGENIE_LIMITS.message) })
    .transform((p) => ({ user: p.user, source: p.source, note: p.note, text: p.message })),
  description: z
    .object({
      ...actionFields,
      description: requiredText("description", OPSGENIE_LIMITS.description),
    })
    .transform((p) => ({ user: p.user, source: p.source, note: p.note, text: p.description })),
};

/** The body of an action on an alert; close and acknowledge may come with none at all. */
export function parseAction(action: AlertAction, body: unknown): ActionRequest {
  const parsed = actionSchemas[action].safeParse(body === undefined ? {} : requireObject(body), {
    reportInput: true,
  });
  if (!parsed.success) throw intakeErrorFrom(parsed.error);
  return parsed.data;
}

export function parseIdentifierType(value: string | null): IdentifierType {
  if (value === null || value === "") return "id";
  const type = value.toLowerCase();
  if (type === "id" || type === "alias" || type === "tiny") return type;
  throw new IntakeError("identifierType", `must be id, alias or tiny, got ${describeValue(value)}`);
}

/** Opsgenie's validation answer names each field: `{"message": "can not be empty"}`. */
export function opsgenieErrors(err: IntakeError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of err.issues) {
    const field = issue.field === "" ? "body" : issue.field;
    errors[field] = errors[field] ? `${errors[field]}; ${issue.message}` : issue.message;
  }
  return errors;
}
