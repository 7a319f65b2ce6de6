// Fixed alert occurrences for the noise and load tests (a complete Alert with only what a test cares
// about changed), and one team's load figures as the load report gives them.

import type { Alert, AlertEvent, AlertRoute } from "../../../src/core/alert";
import { type AlertOutcome, alertOutcome } from "../../../src/core/outcome";
import type { TeamLoad } from "../../../src/features/load/load";
import { streamApiAlert, UNROUTED_ROUTE } from "../../support/alerts";

const MIN = 60_000;

export const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * MIN).toISOString();

export interface AlertSpec extends Partial<Omit<Alert, "route">> {
  readonly route?: Partial<AlertRoute>;
}

export function alert(spec: AlertSpec & { groupId: string; occurrence: number; createdAt: string }): Alert {
  const { route, ...rest } = spec;
  const state = rest.state ?? (rest.resolvedAt ? "resolved" : rest.ackedAt ? "acked" : "firing");
  // A freshly opened alert (nobody acted on it yet) is the base; the spec says what happened since.
  return {
    ...streamApiAlert({}, new Date(spec.createdAt)),
    id: `${spec.groupId}-${spec.occurrence}`,
    previousId: spec.occurrence > 1 ? `${spec.groupId}-${spec.occurrence - 1}` : null,
    source: "alertmanager",
    groupKey: `{}:{alertname="${rest.name ?? "TestAlert"}"}`,
    name: "TestAlert",
    title: null,
    severity: "page",
    commonLabels: {},
    commonAnnotations: {},
    updatedAt: spec.createdAt,
    ...rest,
    state,
    route: { ...UNROUTED_ROUTE, unrouted: false, oncallUser: "U01AAA", ...route },
  };
}

/** One alert group's occurrences: `next(n, createdAt, patch)` is its n-th, named and routed alike. */
export function series(groupId: string, name: string, route: Partial<AlertRoute>) {
  return (occurrence: number, createdAt: string, patch: AlertSpec = {}): Alert =>
    alert({ groupId, occurrence, createdAt, name, route, ...patch });
}

export function ev(type: AlertEvent["type"], at: string, actor = "U01AAA"): AlertEvent {
  return { type, at, actor, text: type, thread: true };
}

export function occ(a: Alert, events: readonly AlertEvent[] = []): AlertOutcome {
  return alertOutcome(a, events);
}

/** Playback's load with nothing measured yet (no pages, limit 20/week over 4 weeks), `patch` applied. */
export function teamLoad(patch: Partial<TeamLoad> = {}): TeamLoad {
  return {
    teamId: "playback",
    teamName: "Playback",
    pages: 0,
    outsideWorkday: 0,
    handOffs: 0,
    escalations: 0,
    noRunbook: 0,
    noRunbookNames: [],
    medianAckMs: null,
    medianResolveMs: null,
    p90ResolveMs: null,
    pagesPerWeek: 0,
    limit: { rotationId: "merged", rotationName: "Merged on-call", pagesPerWeek: 20, windowWeeks: 4 },
    weekly: [0, 0, 0, 0],
    windowPagesPerWeek: 0,
    overLimit: false,
    ejected: false,
    eligibleForEjection: false,
    ...patch,
  };
}
