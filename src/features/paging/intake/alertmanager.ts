// Alertmanager's webhook (payload version "4") and Grafana alerting's webhook, which reuses the
// same shape as version "1" and adds orgId, title, state and per-alert links.

import { z } from "zod";
import { alertLabels, endTimestamp, labelMap, link, statusSchema, timestamp } from "./fields";
import { buildGroup } from "./group";
import { describeValue, intakeErrorFrom } from "./issues";
import { requireAlertCount, requireObject } from "./limits";
import { type IncomingGroup, IntakeError } from "./types";

const alertSchema = z.object({
  status: statusSchema,
  labels: alertLabels,
  annotations: labelMap,
  startsAt: timestamp,
  endsAt: endTimestamp,
  generatorURL: link,
  fingerprint: z.string().optional(),
});

const grafanaAlertSchema = alertSchema.extend({
  silenceURL: link,
  dashboardURL: link,
  panelURL: link,
});

const groupFields = {
  groupKey: z.string().min(1, "expected a non-empty string"),
  status: statusSchema,
  receiver: z.string().optional(),
  groupLabels: labelMap,
  commonLabels: labelMap,
  commonAnnotations: labelMap,
  externalURL: link,
  truncatedAlerts: z.number().int().nonnegative().optional(),
};

const alertmanagerSchema = z.object({
  ...groupFields,
  alerts: z.array(alertSchema).min(1, "expected at least one alert, got an empty list"),
});

const grafanaSchema = z.object({
  ...groupFields,
  orgId: z.number(),
  title: z.string().optional(),
  state: z.string().optional(),
  alerts: z.array(grafanaAlertSchema).min(1, "expected at least one alert, got an empty list"),
});

export function parseAlertmanagerWebhook(body: unknown): IncomingGroup {
  const payload = requireObject(body);
  const { version } = payload;
  if (version !== "4" && version !== "1") {
    throw new IntakeError(
      "version",
      `expected "4" (Alertmanager) or "1" (Grafana alerting), got ${describeValue(version)}`,
    );
  }
  requireAlertCount(payload.alerts);
  return version === "4" ? fromAlertmanager(payload) : fromGrafana(payload);
}

function fromAlertmanager(payload: unknown): IncomingGroup {
  const p = parseWith(alertmanagerSchema, payload);
  return buildGroup({
    ...envelope(p, "alertmanager"),
    title: null,
    instances: p.alerts.map((a) => ({ ...instanceFields(a), links: {} })),
  });
}

function fromGrafana(payload: unknown): IncomingGroup {
  const p = parseWith(grafanaSchema, payload);
  return buildGroup({
    ...envelope(p, "grafana"),
    title: p.title ?? null,
    instances: p.alerts.map((a) => ({
      ...instanceFields(a),
      links: presentLinks({ dashboardURL: a.dashboardURL, panelURL: a.panelURL, silenceURL: a.silenceURL }),
    })),
  });
}

function parseWith<T extends z.ZodType>(schema: T, payload: unknown): z.output<T> {
  const parsed = schema.safeParse(payload, { reportInput: true });
  if (!parsed.success) throw intakeErrorFrom(parsed.error);
  return parsed.data;
}

/** The group fields both webhooks send alike. */
function envelope(p: z.output<z.ZodObject<typeof groupFields>>, source: "alertmanager" | "grafana") {
  return {
    source,
    groupKey: p.groupKey,
    status: p.status,
    groupLabels: p.groupLabels,
    commonLabels: p.commonLabels,
    commonAnnotations: p.commonAnnotations,
    externalUrl: p.externalURL,
    truncatedAlerts: p.truncatedAlerts ?? 0,
  };
}

function instanceFields(a: z.output<typeof alertSchema>) {
  return {
    fingerprint: a.fingerprint,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: a.endsAt,
    generatorUrl: a.generatorURL,
  };
}

function presentLinks(links: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(links).filter((e): e is [string, string] => e[1] !== null));
}
