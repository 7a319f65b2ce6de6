import { type Alert, type AlertRoute, openAlert } from "../../src/core/alert";

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

/** A freshly opened HighErrorRate alert on stream-api (no instances), with `patch` applied. */
export function streamApiAlert(patch: Partial<Alert> = {}, now = new Date("2026-11-25T10:00:00Z")): Alert {
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
    },
    occurrence: 1,
    previousId: null,
    route: STREAM_API_ROUTE,
    hasRunbook: () => true,
    now,
  });
  return { ...alert, ...patch };
}
