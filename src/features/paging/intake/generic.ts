// The generic webhook: one alert as JSON, for senders that are not Alertmanager. It becomes its own
// group unless it names one, so several generic alerts can share a page.

import { z } from "zod";
import { endTimestamp, labelMap, link, statusSchema, timestamp } from "./fields";
import { fingerprintOf } from "./fingerprint";
import { buildGroup } from "./group";
import { describeValue, intakeErrorFrom } from "./issues";
import { requireObject } from "./limits";
import { type IncomingGroup, IntakeError } from "./types";

// Strict: a misspelt field ("label" for "labels") must be refused, not paged as an alert without it.
const genericSchema = z.strictObject({
  name: z.string().min(1, "expected a non-empty string (the alert's name)"),
  status: statusSchema,
  labels: labelMap,
  annotations: labelMap,
  fingerprint: z.string().min(1, "expected a non-empty string, or leave it out").optional(),
  group: z.string().min(1, "expected a non-empty string, or leave it out").optional(),
  startsAt: timestamp.optional(),
  endsAt: endTimestamp,
  generatorURL: link,
});

/** `now` stamps startsAt (and endsAt of a resolved alert) when the sender gives none. */
export function parseGenericAlert(body: unknown, now: Date = new Date()): IncomingGroup {
  const parsed = genericSchema.safeParse(requireObject(body), { reportInput: true });
  if (!parsed.success) {
    throw intakeErrorFrom(parsed.error, { knownFields: { "": Object.keys(genericSchema.shape) } });
  }
  const p = parsed.data;

  const given = p.labels.alertname;
  if (given !== undefined && given !== p.name) {
    throw new IntakeError(
      "labels.alertname",
      `must match name (${describeValue(p.name)}) or be left out, got ${describeValue(given)}`,
    );
  }
  const labels = { ...p.labels, alertname: p.name };
  const fingerprint = p.fingerprint ?? fingerprintOf(labels);
  const nowIso = now.toISOString();

  return buildGroup({
    source: "generic",
    groupKey: `generic:${p.group ?? fingerprint}`,
    status: p.status,
    // An ungrouped alert is defined by all its labels; a named group by nothing the bot can see.
    groupLabels: p.group === undefined ? labels : {},
    commonLabels: labels,
    commonAnnotations: p.annotations,
    externalUrl: null,
    title: null,
    truncatedAlerts: 0,
    instances: [
      {
        fingerprint,
        status: p.status,
        labels,
        annotations: p.annotations,
        startsAt: p.startsAt ?? nowIso,
        endsAt: p.endsAt ?? (p.status === "resolved" ? nowIso : null),
        generatorUrl: p.generatorURL,
        links: {},
      },
    ],
  });
}
