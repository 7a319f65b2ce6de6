// The ping endpoints. Opsgenie's `GET|POST /v2/heartbeats/<name>/ping` (Authorization: GenieKey),
// answered as Opsgenie does so its clients and scripts work unchanged, and a plain
// `POST /heartbeats/<name>` with the webhooks' bearer token.

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Heartbeat } from "../../core/config";
import { bearerTokenMatches, genieKeyMatches } from "../../platform/http/auth";
import { sendJson } from "../../platform/http/respond";
import type { ExtraRoute } from "../../platform/http/server";
import type { Runtime } from "../../runtime";
import { recordPing } from "./jobs";
import type { HeartbeatStore } from "./store";

const OPSGENIE_PING = /^\/v2\/heartbeats\/([^/]+)\/ping$/;
const PLAIN_PING = /^\/heartbeats\/([^/]+)$/;

function heartbeatNamed(rt: Runtime, raw: string): Heartbeat | null {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    return null;
  }
  return rt.config.heartbeats.find((h) => h.name === name) ?? null;
}

/** Opsgenie's answer: its fields, `took` in seconds, a request id for each request. */
function opsgenie(res: ServerResponse, status: number, started: number, body: Record<string, unknown>) {
  sendJson(res, status, { ...body, took: (performance.now() - started) / 1000, requestId: randomUUID() });
}

async function ping(rt: Runtime, store: HeartbeatStore, hb: Heartbeat): Promise<boolean> {
  try {
    await recordPing(rt, store, hb);
    return true;
  } catch (err) {
    rt.log.error({ err, heartbeat: hb.name }, "could not record a heartbeat ping");
    return false;
  }
}

async function opsgeniePing(
  rt: Runtime,
  store: HeartbeatStore,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
) {
  const started = performance.now();
  req.resume();
  if (req.method !== "GET" && req.method !== "POST") {
    res.setHeader("allow", "GET, POST");
    return opsgenie(res, 405, started, { message: "Use GET or POST to ping a heartbeat." });
  }
  // Any key the Opsgenie alert API takes pings too: ALERT_WEBHOOK_TOKEN and OPSGENIE_KEYS's.
  const keys = [rt.settings.alertWebhookToken, ...(rt.settings.opsgenieKeys ?? []).map((k) => k.key)];
  if (genieKeyMatches(req.headers.authorization, keys) === null) {
    return opsgenie(res, 401, started, {
      message: "Could not authenticate: send Authorization: GenieKey $ALERT_WEBHOOK_TOKEN",
    });
  }
  const hb = heartbeatNamed(rt, name);
  if (!hb) {
    return opsgenie(res, 404, started, {
      message: `Heartbeat with name [${name}] does not exist. Define it in schedules/heartbeats.yaml.`,
    });
  }
  if (!(await ping(rt, store, hb))) {
    res.setHeader("retry-after", "5");
    return opsgenie(res, 503, started, { message: "Temporarily unable to record the ping; retry." });
  }
  return opsgenie(res, 202, started, { result: "PONG - Heartbeat received" });
}

async function plainPing(
  rt: Runtime,
  store: HeartbeatStore,
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
) {
  req.resume();
  if (req.method !== "POST") return sendJson(res, 405, { error: "use POST" }, { allow: "POST" });
  if (!bearerTokenMatches(req.headers.authorization, rt.settings.alertWebhookToken)) {
    return sendJson(res, 401, {
      error: "missing or wrong bearer token: send Authorization: Bearer $ALERT_WEBHOOK_TOKEN",
    });
  }
  const hb = heartbeatNamed(rt, name);
  if (!hb) {
    const known = rt.config.heartbeats.map((h) => h.name);
    return sendJson(res, 404, {
      error: `no heartbeat ${JSON.stringify(name)} in schedules/heartbeats.yaml${known.length ? `; known: ${known.join(", ")}` : ""}`,
    });
  }
  if (!(await ping(rt, store, hb))) {
    return sendJson(
      res,
      503,
      { error: "temporarily unable to record the ping; retry" },
      { "retry-after": "5" },
    );
  }
  return sendJson(res, 202, { status: "received", heartbeat: hb.name });
}

export function heartbeatRoutes(rt: Runtime, store: HeartbeatStore): ExtraRoute[] {
  return [
    {
      prefix: "/v2/heartbeats/",
      handle: (req, res, url) => {
        const m = OPSGENIE_PING.exec(url.pathname);
        if (m) return opsgeniePing(rt, store, req, res, m[1]!);
        req.resume();
        sendJson(res, 404, {
          message: `No such endpoint ${url.pathname}: ping with /v2/heartbeats/<name>/ping`,
          took: 0,
          requestId: randomUUID(),
        });
      },
    },
    {
      prefix: "/heartbeats/",
      handle: (req, res, url) => {
        const m = PLAIN_PING.exec(url.pathname);
        if (m) return plainPing(rt, store, req, res, m[1]!);
        req.resume();
        sendJson(res, 404, { error: `no route for ${req.method} ${url.pathname}: POST /heartbeats/<name>` });
      },
    },
  ];
}
