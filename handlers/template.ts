// `{{labels.NAME}}`-style substitution for handler params.
//
// Substitution is data, never code: one pass with String.replace, so a substituted value is never
// scanned again (a label containing "{{alert.id}}" stays literal), and each caller supplies an
// encoder for where the value lands (URL component, header value, argv string, JSON string) that
// escapes it or refuses it with a TemplateError.

import { z } from "zod";
import { TemplateError } from "./errors";
import type { RemediationAlert } from "./types";

const REFERENCE = /\{\{([^{}]*)\}\}/g;
// Label names from Alertmanager are [A-Za-z_][A-Za-z0-9_]*; the generic webhook may carry
// Kubernetes-style names ("app.kubernetes.io/name"), so allow those characters too.
const REFERENCE_BODY = /^\s*(labels|annotations|alert)\.([A-Za-z0-9_.\-/]+)\s*$/;
const ALERT_FIELDS = ["name", "id", "fingerprint"] as const;

export const TEMPLATE_HELP =
  "{{labels.NAME}}, {{annotations.NAME}}, {{alert.name}}, {{alert.id}} or {{alert.fingerprint}}";

export interface TemplateReference {
  readonly source: "labels" | "annotations" | "alert";
  readonly key: string;
  /** As written between the braces, trimmed: "labels.instance". */
  readonly text: string;
}

/** Turns a substituted value into what lands in the output; throws TemplateError to refuse it. */
export type Encoder = (value: string, ref: TemplateReference) => string;

const asIs: Encoder = (value) => value;

function parseReference(inner: string): TemplateReference | null {
  const m = REFERENCE_BODY.exec(inner);
  if (!m) return null;
  const source = m[1] as TemplateReference["source"];
  const key = m[2]!;
  if (source === "alert" && !(ALERT_FIELDS as readonly string[]).includes(key)) return null;
  return { source, key, text: `${source}.${key}` };
}

export function hasReferences(template: string): boolean {
  return template.includes("{{");
}

/** What is wrong with a template's syntax (config-time check); empty when it is fine. */
export function templateProblems(template: string): string[] {
  const problems: string[] = [];
  const rest = template.replace(REFERENCE, (whole, inner: string) => {
    if (!parseReference(inner)) problems.push(`unknown template reference "${whole}": use ${TEMPLATE_HELP}`);
    return "";
  });
  if (rest.includes("{{") || rest.includes("}}")) {
    problems.push(`unbalanced "{{" or "}}" in "${template}" (templates look like {{labels.NAME}})`);
  }
  return problems;
}

function lookup(alert: RemediationAlert, ref: TemplateReference): string | undefined {
  if (ref.source === "alert") {
    if (ref.key === "name") return alert.name;
    if (ref.key === "id") return alert.id;
    return alert.fingerprint ?? undefined;
  }
  const record = ref.source === "labels" ? alert.labels : alert.annotations;
  // hasOwn: "{{labels.constructor}}" must not reach Object.prototype.
  return Object.hasOwn(record, ref.key) ? record[ref.key] : undefined;
}

export function renderTemplate(template: string, alert: RemediationAlert, encode: Encoder = asIs): string {
  return template.replace(REFERENCE, (whole, inner: string) => {
    const ref = parseReference(inner);
    if (!ref) throw new TemplateError(`unknown template reference "${whole}": use ${TEMPLATE_HELP}`, inner);
    const value = lookup(alert, ref);
    if (value === undefined) {
      const what =
        ref.source === "alert"
          ? `the alert has no ${ref.key}`
          : `the alert has no ${ref.source === "labels" ? "label" : "annotation"} "${ref.key}"`;
      throw new TemplateError(`cannot fill in {{${ref.text}}}: ${what}`, ref.text);
    }
    return encode(value, ref);
  });
}

/** Applies `fn` to every string value in a JSON tree (object keys are left alone), returning a copy. */
export function mapJsonStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapJsonStrings(v, fn));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapJsonStrings(v, fn)]));
  }
  return value;
}

/** A string that may hold templates; bad template syntax is reported at config load, not at 3 a.m. */
export function templatedString(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).superRefine((s, ctx) => {
    for (const message of templateProblems(s)) ctx.addIssue({ code: "custom", message });
  });
}
