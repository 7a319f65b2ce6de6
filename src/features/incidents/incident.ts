// Incidents: something that hurt (or nearly hurt) users, declared by a person, with the alerts that
// belong to it. Pure: transitions take the incident and `now` and return the next incident or a
// refusal whose reason is shown as is; the store applies them atomically.

import { escapeTyped } from "../../core/mrkdwn";

export type Severity = "sev1" | "sev2" | "sev3";
export type IncidentStatus = "open" | "resolved";

export const SEVERITIES: readonly Severity[] = ["sev1", "sev2", "sev3"];
export const DEFAULT_SEVERITY: Severity = "sev2";

export const SEVERITY_LABEL: Record<Severity, string> = {
  sev1: "SEV1",
  sev2: "SEV2",
  sev3: "SEV3",
};

export interface IncidentNote {
  readonly at: string;
  /** Slack user id. */
  readonly author: string;
  readonly text: string;
}

export interface Incident {
  /** "INC-<n>". */
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly severity: Severity;
  readonly status: IncidentStatus;
  readonly declaredBy: string;
  readonly declaredAt: string;
  /**
   * When the impact began: the earliest of the declaration and the linked alerts' first firing, so
   * an incident declared an hour into an outage is measured from the outage.
   */
  readonly startedAt: string;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  /** Linked alerts, in the order they were linked. */
  readonly alertIds: readonly string[];
  readonly notes: readonly IncidentNote[];
  readonly usersAffected: number | null;
  /** Who drives the postmortem; the declarer until someone else takes it. */
  readonly owner: string | null;
  /** Bumped by every change; the store compares it. */
  readonly version: number;
}

export type IncidentTransition =
  | { readonly ok: true; readonly incident: Incident }
  | { readonly ok: false; readonly reason: string };

/** The alert fields an incident needs when linking one. */
export interface LinkedAlertRef {
  readonly id: string;
  readonly createdAt: string;
}

export const MAX_TITLE = 150;
export const MAX_NOTE = 3000;

export function incidentId(n: number): string {
  return `INC-${n}`;
}

/** "INC-12", "inc-12", "#12" or "12" -> "INC-12"; null for anything else. */
export function parseIncidentId(text: string): string | null {
  const m = /^(?:INC-|#)?(\d{1,9})$/i.exec(text.trim());
  return m ? incidentId(Number(m[1])) : null;
}

export function parseSeverity(text: string): Severity | null {
  const t = text.trim().toLowerCase();
  return (SEVERITIES as readonly string[]).includes(t) ? (t as Severity) : null;
}

export interface DeclareInput {
  readonly number: number;
  readonly title: string;
  readonly severity: Severity;
  readonly declaredBy: string;
  readonly alerts: readonly LinkedAlertRef[];
  readonly now: Date;
}

/** Checks what a person typed as a title; null when it is fine. */
export function titleProblem(title: string): string | null {
  const t = title.trim();
  if (!t) return "An incident needs a title: say in a few words what is wrong for users.";
  if (t.length > MAX_TITLE) return `The title is ${t.length} characters long; keep it under ${MAX_TITLE}.`;
  return null;
}

export function declareIncident(input: DeclareInput): Incident {
  const at = input.now.toISOString();
  const ids = [...new Set(input.alerts.map((a) => a.id))];
  return {
    id: incidentId(input.number),
    number: input.number,
    title: input.title.trim().slice(0, MAX_TITLE),
    severity: input.severity,
    status: "open",
    declaredBy: input.declaredBy,
    declaredAt: at,
    startedAt: earliest(
      at,
      input.alerts.map((a) => a.createdAt),
    ),
    resolvedAt: null,
    resolvedBy: null,
    alertIds: ids,
    notes: [],
    usersAffected: null,
    owner: input.declaredBy,
    version: 1,
  };
}

function earliest(first: string, others: readonly string[]): string {
  let best = first;
  for (const o of others) if (Date.parse(o) < Date.parse(best)) best = o;
  return best;
}

function changed(incident: Incident, patch: Partial<Incident>): IncidentTransition {
  return { ok: true, incident: { ...incident, ...patch } };
}

export function addNote(incident: Incident, author: string, text: string, now: Date): IncidentTransition {
  const t = text.trim();
  if (!t)
    return {
      ok: false,
      reason: `Write the note after the id, e.g. \`/incident note ${incident.id} rolled back v42\`.`,
    };
  if (t.length > MAX_NOTE)
    return { ok: false, reason: `That note is ${t.length} characters long; keep it under ${MAX_NOTE}.` };
  return changed(incident, { notes: [...incident.notes, { at: now.toISOString(), author, text: t }] });
}

export function linkAlert(incident: Incident, alert: LinkedAlertRef): IncidentTransition {
  if (incident.alertIds.includes(alert.id)) {
    return { ok: false, reason: `This alert is already linked to ${incident.id}.` };
  }
  return changed(incident, {
    alertIds: [...incident.alertIds, alert.id],
    startedAt: earliest(incident.startedAt, [alert.createdAt]),
  });
}

export function resolveIncident(incident: Incident, user: string, now: Date): IncidentTransition {
  if (incident.status === "resolved") {
    return {
      ok: false,
      reason: `${incident.id} is already resolved${incident.resolvedBy ? ` (by <@${incident.resolvedBy}>)` : ""}.`,
    };
  }
  return changed(incident, { status: "resolved", resolvedAt: now.toISOString(), resolvedBy: user });
}

/** How a declaration reads in the incident's timeline and in its alerts' threads. */
export function declaredText(incident: Incident): string {
  return `<@${incident.declaredBy}> declared ${incident.id} (${SEVERITY_LABEL[incident.severity]}): ${escapeTyped(incident.title)}`;
}

/** How an alert's thread records joining an incident that already existed. */
export function linkedText(incident: Incident, user: string): string {
  return `<@${user}> linked this alert to ${incident.id} (${SEVERITY_LABEL[incident.severity]}): ${escapeTyped(incident.title)}`;
}

/** What the postmortem form may change on the incident itself. */
export interface IncidentFacts {
  readonly owner?: string | null;
  readonly usersAffected?: number | null;
}

export function setFacts(incident: Incident, facts: IncidentFacts): IncidentTransition {
  return changed(incident, {
    ...(facts.owner !== undefined ? { owner: facts.owner } : {}),
    ...(facts.usersAffected !== undefined ? { usersAffected: facts.usersAffected } : {}),
  });
}

/** How long users were hurt: from the start to the resolution, or to `now` while open. */
export function incidentDurationMs(incident: Incident, now: Date): number {
  const end = incident.resolvedAt ? Date.parse(incident.resolvedAt) : now.getTime();
  return Math.max(0, end - Date.parse(incident.startedAt));
}

const SEVERITY_RANK: Record<Severity, number> = { sev1: 0, sev2: 1, sev3: 2 };

/**
 * Impact order for the review: worse severity first, then longer, then more users affected; ties
 * go to the earlier incident, so the order is total and stable.
 */
export function compareByImpact(now: Date): (a: Incident, b: Incident) => number {
  return (a, b) =>
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    incidentDurationMs(b, now) - incidentDurationMs(a, now) ||
    (b.usersAffected ?? 0) - (a.usersAffected ?? 0) ||
    Date.parse(a.declaredAt) - Date.parse(b.declaredAt) ||
    a.number - b.number;
}

export type PostmortemStatus = "written" | "missing" | "not_due";

export const POSTMORTEM_STATUS_LABEL: Record<PostmortemStatus, string> = {
  written: "postmortem written",
  missing: "postmortem missing",
  not_due: "still open (postmortem after resolution)",
};

/** A postmortem is due once the incident is resolved; until then there is nothing to miss. */
export function postmortemStatus(incident: Incident, hasPostmortem: boolean): PostmortemStatus {
  if (hasPostmortem) return "written";
  return incident.status === "resolved" ? "missing" : "not_due";
}

/**
 * A near miss: nobody was hurt, but it could have gone badly. The postmortem's flag says so; an
 * incident without a postmortem is not assumed to be one.
 */
export function isNearMiss(postmortem: { readonly nearMiss: boolean } | null | undefined): boolean {
  return postmortem?.nearMiss === true;
}
