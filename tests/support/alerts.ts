import { type Alert, type AlertRoute, openAlert } from "../../src/core/alert";
import type { IncomingGroup, IncomingInstance, LabelSet } from "../../src/core/incoming";

/** Where the test org routes stream-api alerts on 2026-11-25: the merged rotation, U02AAA on call. */
export const STREAM_API_ROUTE: AlertRoute = {
  rotationId: "merged",
  serviceId: "stream-api",
  teamId: "playback",
  unrouted: false,
  ejected: false,
  channel: "C0ONCALL",
  oncallUser: "U02AAA",
};

/** An alert that matches no service: the fallback rotation (merged) takes it, U02AAA on call. */
export const UNROUTED_ROUTE: AlertRoute = {
  ...STREAM_API_ROUTE,
  serviceId: null,
  teamId: null,
  unrouted: true,
};

/** One firing HighErrorRate instance of stream-api (fingerprint f1) since `now`, more labels added. */
export function streamApiInstance(now: Date, labels: LabelSet = {}): IncomingInstance {
  return {
    fingerprint: "f1",
    status: "firing",
    labels: { alertname: "HighErrorRate", job: "stream-api", ...labels },
    annotations: {},
    startsAt: now.toISOString(),
    endsAt: null,
    generatorUrl: null,
    links: {},
  };
}

export interface StreamApiOptions {
  /** Replaces fields of the incoming group (no instances unless given). */
  readonly group?: Partial<IncomingGroup>;
  /** Replaces fields of STREAM_API_ROUTE. */
  readonly route?: Partial<AlertRoute>;
}

/** A freshly opened HighErrorRate alert on stream-api (no instances), with `patch` applied. */
export function streamApiAlert(
  patch: Partial<Alert> = {},
  now = new Date("2026-11-25T10:00:00Z"),
  options: StreamApiOptions = {},
): Alert {
  const { alert } = openAlert({
    group: {
      source: "alertmanager",
      groupKey: "{}:{}",
      groupId: "0123456789abcdef",
      status: "firing",
      groupLabels: {},
      commonLabels: { alertname: "HighErrorRate", job: "stream-api" },
      commonAnnotations: { summary: "5xx above 5%" },
      externalUrl: null,
      instances: [],
      title: null,
      truncatedAlerts: 0,
      ...options.group,
    },
    occurrence: 1,
    previousId: null,
    route: { ...STREAM_API_ROUTE, ...options.route },
    hasRunbook: () => true,
    now,
  });
  return { ...alert, ...patch };
}
