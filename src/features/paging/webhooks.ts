// POST /webhooks/alertmanager and /webhooks/generic. A 2xx means every alert in the request is in
// Redis; anything transient on our side is a 503, because Alertmanager retries 5xx and drops 4xx.

import type { IncomingMessage, ServerResponse } from "node:http";
import { bearerTokenMatches } from "../../platform/http/auth";
import { BodyTooLargeError, readBody, sendJson } from "../../platform/http/respond";
import type { ExtraRoute } from "../../platform/http/server";
import { parseAlertmanagerWebhook } from "./intake/alertmanager";
import { parseGenericAlert } from "./intake/generic";
import { type ReceiverDeps, receiveGroup } from "./intake/receive";
import { type IncomingGroup, IntakeError } from "./intake/types";

export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

export interface WebhookDeps extends ReceiverDeps {
  readonly token: string;
}

/** `now` is the app's clock: a generic alert without startsAt starts when it arrives. */
type Parser = (body: unknown, now: Date) => IncomingGroup;

const PARSERS: Record<string, Parser> = {
  "/webhooks/alertmanager": parseAlertmanagerWebhook,
  "/webhooks/generic": parseGenericAlert,
};

export function isWebhookPath(path: string): boolean {
  return path in PARSERS;
}

/** The webhook endpoints as a route of the HTTP server (app.ts hands it in). */
export function webhookRoute(deps: WebhookDeps): ExtraRoute {
  return {
    prefix: "/webhooks/",
    handle: (req, res, url) => {
      if (isWebhookPath(url.pathname)) return handleWebhook(req, res, url.pathname, deps);
      req.resume();
      sendJson(res, 404, {
        error: `no webhook at ${url.pathname}: use ${Object.keys(PARSERS).join(" or ")}`,
      });
    },
  };
}

export async function handleWebhook(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  deps: WebhookDeps,
) {
  const reply = (code: number, body: unknown, headers: Record<string, string> = {}) => {
    deps.metrics.webhookRequests.inc({ route: path, code: String(code) });
    sendJson(res, code, body, headers);
  };
  if (req.method !== "POST") return reply(405, { error: "use POST" }, { allow: "POST" });
  if (!bearerTokenMatches(req.headers.authorization, deps.token)) {
    req.resume();
    return reply(401, {
      error: "missing or wrong bearer token: send Authorization: Bearer $ALERT_WEBHOOK_TOKEN",
    });
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, WEBHOOK_BODY_LIMIT);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return reply(413, { error: `${err.message}; split the batch` });
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch (err) {
    return reply(400, { error: `body is not valid JSON: ${(err as Error).message}` });
  }
  let group: IncomingGroup;
  try {
    group = PARSERS[path]!(json, deps.now());
  } catch (err) {
    if (err instanceof IntakeError) return reply(400, { error: err.message, field: err.field });
    throw err;
  }
  try {
    const result = await receiveGroup(group, deps);
    return reply(200, {
      status: result.kind,
      alert: result.alert ? { id: result.alert.id, state: result.alert.state } : null,
    });
  } catch (err) {
    deps.log.error({ err, path }, "could not store alert; answering 503 so the sender retries");
    return reply(503, { error: "temporarily unable to store the alert; retry" }, { "retry-after": "5" });
  }
}
