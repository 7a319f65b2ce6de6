import type { AlertRoute } from "../../src/core/alert";

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
