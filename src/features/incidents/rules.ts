// The incident rules: which severity an incident declared from alerts starts with. Pure.

import type { Alert } from "../../core/alert";
import type { IncidentSeverity, OncallConfig } from "../../core/config";
import { DEFAULT_SEVERITY } from "./incident";

/** The alert label that names the incident severity, for alerting rules that know better than a runbook. */
export const SEVERITY_LABEL_NAME = "incident_severity";

const RANK: Record<IncidentSeverity, number> = { sev1: 0, sev2: 1, sev3: 2 };

export interface SeverityDefault {
  readonly severity: IncidentSeverity;
  /** Where it came from ("runbooks/DiskAlmostFull.md", "the incident_severity label of …"); null: the default. */
  readonly from: string | null;
}

function labelSeverity(alert: Pick<Alert, "commonLabels">): IncidentSeverity | null {
  const value = alert.commonLabels[SEVERITY_LABEL_NAME]?.trim().toLowerCase();
  return value === "sev1" || value === "sev2" || value === "sev3" ? value : null;
}

/**
 * The severity to start from, the person can change it: the alert's `incident_severity` label
 * (SEV1-SEV3), else its runbook's `severity:`, else SEV2. The monitoring severity (`severity=page`,
 * `critical`) says how urgently to wake someone, not how bad the incident is, so it does not count.
 * With several alerts the worst wins.
 */
export function defaultSeverity(
  alerts: readonly Pick<Alert, "name" | "commonLabels">[],
  config: Pick<OncallConfig, "runbooks">,
): SeverityDefault {
  let best: SeverityDefault = { severity: DEFAULT_SEVERITY, from: null };
  for (const alert of alerts) {
    const label = labelSeverity(alert);
    const runbook = config.runbooks[alert.name];
    const found: SeverityDefault | null = label
      ? { severity: label, from: `the ${SEVERITY_LABEL_NAME} label of ${alert.name}` }
      : runbook?.severity
        ? { severity: runbook.severity, from: runbook.file }
        : null;
    if (found && (best.from === null || RANK[found.severity] < RANK[best.severity])) best = found;
  }
  return best;
}

export type IncidentCheck = { readonly ok: true } | { readonly ok: false; readonly text: string };

/**
 * Who may declare, note and resolve an incident: the participants and admins of any rotation,
 * members of the teams owning its alerts, and whoever is on call for or took one of them. Anyone
 * else could write into the alerts' threads and the incident channel on the bot's behalf.
 */
export function mayHandleIncident(
  config: OncallConfig,
  alerts: readonly Pick<Alert, "route" | "assignee">[],
  user: string,
  what: string,
): IncidentCheck {
  if (config.rotations.some((r) => r.admins.includes(user) || r.participants.some((p) => p.user === user)))
    return { ok: true };
  if (alerts.some((a) => a.route.oncallUser === user || a.assignee === user)) return { ok: true };
  const owners = config.teams.filter((t) => alerts.some((a) => a.route.teamId === t.id));
  if (owners.some((t) => t.members.includes(user))) return { ok: true };
  const teams = owners.length
    ? `, members of ${owners.map((t) => t.name).join(", ")} (the alerts' teams)`
    : "";
  return {
    ok: false,
    text: `Only rotation participants and admins${teams} may ${what}. Ask the engineer on call.`,
  };
}
