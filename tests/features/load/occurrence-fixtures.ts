// Fixed alert occurrences for the noise and load tests: a complete Alert with only what a test cares
// about changed.

import type { Alert, AlertEvent, AlertRoute } from "../../../src/core/alert";
import { type AlertOutcome, alertOutcome } from "../../../src/core/outcome";

const MIN = 60_000;

export const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * MIN).toISOString();

export interface AlertSpec extends Partial<Omit<Alert, "route">> {
  readonly route?: Partial<AlertRoute>;
}

export function alert(spec: AlertSpec & { groupId: string; occurrence: number; createdAt: string }): Alert {
  const { route, ...rest } = spec;
  const state = rest.state ?? (rest.resolvedAt ? "resolved" : rest.ackedAt ? "acked" : "firing");
  return {
    id: `${spec.groupId}-${spec.occurrence}`,
    previousId: spec.occurrence > 1 ? `${spec.groupId}-${spec.occurrence - 1}` : null,
    source: "alertmanager",
    groupKey: `{}:{alertname="${rest.name ?? "TestAlert"}"}`,
    name: "TestAlert",
    title: null,
    severity: "page",
    commonLabels: {},
    commonAnnotations: {},
    externalUrl: null,
    version: 1,
    assignee: null,
    assignedTeam: null,
    instances: [],
    missingRunbooks: [],
    updatedAt: spec.createdAt,
    ackedAt: null,
    resolvedAt: null,
    resolvedBy: null,
    repages: 0,
    escalation: null,
    answer: null,
    ...rest,
    state,
    route: {
      rotationId: "merged",
      serviceId: null,
      teamId: null,
      unrouted: false,
      ejected: false,
      channel: "C0ONCALL",
      oncallUser: "U01AAA",
      ...route,
    },
  };
}

export function ev(type: AlertEvent["type"], at: string, actor = "U01AAA"): AlertEvent {
  return { type, at, actor, text: type, thread: true };
}

export function occ(a: Alert, events: readonly AlertEvent[] = []): AlertOutcome {
  return alertOutcome(a, events);
}
