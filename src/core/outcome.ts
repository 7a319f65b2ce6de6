// How an alert occurrence ended, read from the alert and its timeline: the common input of the noise
// report and the ops-load report. Pure.

import { type Alert, type AlertEvent, type AlertRoute, parseAlertId } from "./alert";

export type Outcome =
  /** Still open. */
  | "open"
  /** The source resolved it before anyone acknowledged or touched it: the classic noise signal. */
  | "resolved_by_itself"
  /** Acknowledged, then the source resolved it without anyone pressing Resolve. */
  | "resolved_after_ack"
  /** Somebody pressed Resolve. */
  | "resolved_by_hand"
  /** Handed to the owning team during its workday. */
  | "handed_off"
  /** Escalated to every member of the owning team. */
  | "escalated"
  /** A remediation run succeeded (or ran and the source resolved it); no hand-off or escalation. */
  | "remediated";

export const OUTCOME_WORDS: Readonly<Record<Outcome, string>> = {
  open: "still open",
  resolved_by_itself: "resolved by itself",
  resolved_after_ack: "recovered after acknowledgement",
  resolved_by_hand: "resolved by hand",
  handed_off: "handed off",
  escalated: "escalated",
  remediated: "remediated",
};

/**
 * What the noise and load reports read of an alert: a stored alert has it, and so has the digest
 * that outlives the alert (`outcomeDigest`).
 */
export type ReportedAlert = Pick<
  Alert,
  "id" | "groupId" | "occurrence" | "previousId" | "name" | "assignedTeam" | "createdAt" | "ackedAt"
> &
  Pick<Alert, "resolvedAt" | "missingRunbooks"> & {
    readonly route: Pick<AlertRoute, "teamId">;
    /** Set when escalated to every member of the team. */
    readonly escalation: object | null;
    readonly answer: Pick<NonNullable<Alert["answer"]>, "actionable"> | null;
  };

/** One alert with how it ended, as its timeline tells (the noise and load reports read these). */
export interface AlertOutcome {
  readonly alert: ReportedAlert;
  readonly outcome: Outcome;
  /** Handed off at some point (also when it was escalated afterwards). */
  readonly handedOff: boolean;
}

/** How src/features/remediation/rules.ts starts the thread text of a successful run. */
const REMEDIATION_SUCCESS = "✅";

const SOURCES: ReadonlySet<string> = new Set(["alertmanager", "grafana", "generic", "opsgenie"]);

/** Whether the alert was resolved by its monitoring source rather than by a person. */
export function resolvedBySource(alert: Pick<Alert, "resolvedBy" | "source">): boolean {
  return alert.resolvedBy !== null && (alert.resolvedBy === alert.source || SOURCES.has(alert.resolvedBy));
}

/**
 * The strongest thing that happened wins: an escalation says more about the alert than the hand-off
 * before it, and both more than who finally pressed Resolve.
 */
export function outcomeOf(alert: Alert, events: readonly AlertEvent[] = []): Outcome {
  if (alert.state !== "resolved") return "open";
  if (alert.escalation || events.some((e) => e.type === "escalated")) return "escalated";
  if (alert.assignedTeam || events.some((e) => e.type === "handed_off")) return "handed_off";
  const remediation = events.filter((e) => e.type === "remediation");
  // A run that reported success, or any run after which the monitoring source saw the problem go:
  // remediation events also record attempts, failures and the loop guard, so their mere presence
  // says nothing.
  if (remediation.some((e) => e.text.startsWith(REMEDIATION_SUCCESS))) return "remediated";
  if (remediation.length && resolvedBySource(alert)) return "remediated";
  if (!resolvedBySource(alert)) return "resolved_by_hand";
  return alert.ackedAt ? "resolved_after_ack" : "resolved_by_itself";
}

export function alertOutcome(alert: Alert, events: readonly AlertEvent[] = []): AlertOutcome {
  return {
    alert,
    outcome: outcomeOf(alert, events),
    handedOff:
      events.some((e) => e.type === "handed_off") || (alert.assignedTeam !== null && !alert.escalation),
  };
}

/** Milliseconds from page to acknowledgement; null when never acknowledged. */
export function timeToAck(alert: Pick<Alert, "createdAt" | "ackedAt">): number | null {
  return alert.ackedAt ? Math.max(0, Date.parse(alert.ackedAt) - Date.parse(alert.createdAt)) : null;
}

/** Milliseconds from page to resolution; null while open. */
export function timeToResolve(alert: Pick<Alert, "createdAt" | "resolvedAt">): number | null {
  return alert.resolvedAt ? Math.max(0, Date.parse(alert.resolvedAt) - Date.parse(alert.createdAt)) : null;
}

/** The median (mean of the two middle values for an even count); null for no values. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in (0, 100]); null for no values. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1]!;
}

/** The occurrence before this one of the same group; null for a group's first. */
export function previousIdOf(alert: Pick<Alert, "previousId" | "groupId" | "occurrence">): string | null {
  if (alert.previousId) return alert.previousId;
  return alert.occurrence > 1 ? `${alert.groupId}-${alert.occurrence - 1}` : null;
}

const OUTCOMES: readonly Outcome[] = [
  "open",
  "resolved_by_itself",
  "resolved_after_ack",
  "resolved_by_hand",
  "handed_off",
  "escalated",
  "remediated",
];
const ESCALATED = 1;
const ANSWERED = 2;
const ACTIONABLE = 4;
const HANDED_OFF = 8;

/** What a report digest holds besides the outcome: when the occurrence before it resolved. */
export interface OutcomeDigest {
  readonly occurrence: AlertOutcome;
  /** `previousIdOf(alert)` and when it resolved (null: no previous, or not resolved). */
  readonly previous: { readonly id: string; readonly resolvedAt: string | null } | null;
}

const msOrNull = (iso: string | null) => (iso === null ? null : Date.parse(iso));
const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * An occurrence as the reports need it once the alert itself has expired, in about 150 bytes of
 * JSON: times as ms, flags as bits, the outcome as a number. `fromOutcomeDigest` reads it back.
 */
export function outcomeDigest(o: AlertOutcome, previousResolvedAt: string | null): string {
  const a = o.alert;
  const flags =
    (a.escalation ? ESCALATED : 0) |
    (a.answer ? ANSWERED : 0) |
    (a.answer?.actionable ? ACTIONABLE : 0) |
    (o.handedOff ? HANDED_OFF : 0);
  return JSON.stringify([
    a.id,
    a.name,
    a.route.teamId,
    a.assignedTeam,
    Date.parse(a.createdAt),
    msOrNull(a.ackedAt),
    msOrNull(a.resolvedAt),
    previousIdOf(a),
    msOrNull(previousResolvedAt),
    flags,
    OUTCOMES.indexOf(o.outcome),
    a.missingRunbooks,
  ]);
}

/** Reads a digest back; null for one that is not a digest (never thrown: a report skips it). */
export function fromOutcomeDigest(raw: string): OutcomeDigest | null {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 12) return null;
  const [
    id,
    name,
    teamId,
    assignedTeam,
    created,
    acked,
    resolved,
    prevId,
    prevResolved,
    flags,
    outcome,
    missing,
  ] = v as [
    string,
    string,
    string | null,
    string | null,
    number,
    number | null,
    number | null,
    string | null,
    number | null,
    number,
    number,
    string[],
  ];
  const parsed = typeof id === "string" ? parseAlertId(id) : null;
  const o = OUTCOMES[outcome];
  if (!parsed || typeof name !== "string" || typeof created !== "number" || !o || !Array.isArray(missing)) {
    return null;
  }
  const alert: ReportedAlert = {
    id,
    groupId: parsed.groupId,
    occurrence: parsed.occurrence,
    previousId: prevId,
    name,
    route: { teamId },
    assignedTeam,
    createdAt: new Date(created).toISOString(),
    ackedAt: isoOrNull(acked),
    resolvedAt: isoOrNull(resolved),
    missingRunbooks: missing,
    escalation: flags & ESCALATED ? {} : null,
    answer: flags & ANSWERED ? { actionable: (flags & ACTIONABLE) !== 0 } : null,
  };
  return {
    occurrence: { alert, outcome: o, handedOff: (flags & HANDED_OFF) !== 0 },
    previous: prevId ? { id: prevId, resolvedAt: isoOrNull(prevResolved) } : null,
  };
}
