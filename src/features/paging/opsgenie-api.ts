// Opsgenie's Alert API on the bot's server, so whatever speaks it (Alertmanager's opsgenie_configs,
// Grafana, Zabbix, scripts) pages through the bot by changing a URL. As the webhooks, a 2xx means the
// change is stored in Redis; anything transient on our side is a 503, which senders retry.
//
// Served: POST /v2/alerts, POST /v2/alerts/{identifier}/close|acknowledge|notes and PUT (or POST)
// /v2/alerts/{identifier}/message|description, with ?identifierType=id|alias. Answers and errors
// have Opsgenie's shape: {"result"|"message", "took", "requestId"} and, for a bad body, "errors".

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type OpsgenieKeySetting, type Settings, SettingsError } from "../../config/env";
import { closest } from "../../config/suggest";
import { type Alert, type AlertEvent, parseAlertId } from "../../core/alert";
import { acknowledge, mayActOn, type Transition } from "../../core/alert-actions";
import type { OncallConfig } from "../../core/config";
import { escapeMrkdwn } from "../../core/mrkdwn";
import { type RoutingState, routeAlert } from "../../core/routing";
import { genieKeyMatches } from "../../platform/http/auth";
import { BodyTooLargeError, readBody, sendJson } from "../../platform/http/respond";
import type { ExtraRoute } from "../../platform/http/server";
import { groupIdOf } from "./intake/fingerprint";
import { findManualTarget, manualRoute } from "./intake/manual";
import {
  type ActionRequest,
  ALERT_ACTIONS,
  type AlertAction,
  closeGroup,
  type IdentifierType,
  opsgenieErrors,
  opsgenieGroupKey,
  parseAction,
  parseCreateAlert,
  parseIdentifierType,
} from "./intake/opsgenie";
import { type ReceiveOptions, type ReceiverDeps, receiveGroup } from "./intake/receive";
import { IntakeError } from "./intake/types";
import { WEBHOOK_BODY_LIMIT } from "./webhooks";

export const OPSGENIE_PREFIX = "/v2/alerts";
/** Timeline actor of what arrives through this API. */
export const OPSGENIE_ACTOR = "opsgenie";

export interface OpsgenieApiDeps extends ReceiverDeps {
  /** ALERT_WEBHOOK_TOKEN: accepted as a GenieKey that routes by labels. */
  readonly webhookToken: string;
  readonly keys: readonly OpsgenieKeySetting[];
}

/**
 * Pins name a team or service of the config: a typo must stop the start, not send every alert of
 * an integration to the fallback rotation.
 */
export function checkOpsgenieKeys(config: OncallConfig, keys: readonly OpsgenieKeySetting[]): void {
  const problems: string[] = [];
  for (const k of keys) {
    if (!k.pin) continue;
    const ids = k.pin.kind === "team" ? config.teams.map((t) => t.id) : config.services.map((s) => s.id);
    if (ids.includes(k.pin.id)) continue;
    const near = closest(k.pin.id, ids);
    problems.push(
      `OPSGENIE_KEYS: integration "${k.name}" pins ${k.pin.kind} "${k.pin.id}", which schedules/${k.pin.kind === "team" ? "teams" : "services"}.yaml does not define${near ? `; did you mean "${near}"?` : `; known: ${ids.join(", ") || "none"}`}`,
    );
  }
  if (problems.length) throw new SettingsError(problems);
}

type Pin = OpsgenieKeySetting["pin"];

/** Where a pinned key's alerts go; null routes by labels. */
function pinnedRoute(config: OncallConfig, pin: Pin): ReceiveOptions["route"] | undefined {
  if (!pin) return undefined;
  if (pin.kind === "team") {
    const target = findManualTarget(config, pin.id);
    if (target?.kind !== "team") return undefined;
    return (now: Date, state: RoutingState) => manualRoute(config, target, now, state);
  }
  const service = config.services.find((s) => s.id === pin.id);
  if (!service) return undefined;
  // Routed as if only this service existed: its own labels match it, so team, rotation, ejection and
  // fallback follow the usual rules.
  const only = { ...config, services: [service] };
  return (now: Date, state: RoutingState) => routeAlert(only, service.match, now, state);
}

type Reply = (code: number, body: Record<string, unknown>, headers?: Record<string, string>) => void;

/** `settings` gives the keys: ALERT_WEBHOOK_TOKEN and OPSGENIE_KEYS's. */
export function opsgenieRoute(
  receiver: ReceiverDeps,
  settings: Pick<Settings, "alertWebhookToken" | "opsgenieKeys">,
): ExtraRoute {
  const deps: OpsgenieApiDeps = {
    ...receiver,
    webhookToken: settings.alertWebhookToken,
    keys: settings.opsgenieKeys ?? [],
  };
  checkOpsgenieKeys(deps.config, deps.keys);
  return {
    prefix: OPSGENIE_PREFIX,
    handle: (req, res, url) => handle(req, res, url, deps),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, url: URL, deps: OpsgenieApiDeps) {
  const started = performance.now();
  const requestId = randomUUID();
  const parts = url.pathname.slice(OPSGENIE_PREFIX.length).split("/");
  // "" -> POST /v2/alerts; ["", identifier, action] -> an action on one alert.
  const action = parts.length === 3 && parts[1] ? (parts[2] as AlertAction) : null;
  const metricRoute = action && ALERT_ACTIONS.includes(action) ? `/v2/alerts/:id/${action}` : OPSGENIE_PREFIX;
  const reply: Reply = (code, body, headers = {}) => {
    deps.metrics.webhookRequests.inc({ route: metricRoute, code: String(code) });
    const took = Math.round(performance.now() - started) / 1000;
    sendJson(res, code, { ...body, took, requestId }, { "x-request-id": requestId, ...headers });
  };
  const refuse = (code: number, message: string, headers?: Record<string, string>) => {
    req.resume();
    reply(code, { message }, headers);
  };

  const create = url.pathname === OPSGENIE_PREFIX || url.pathname === `${OPSGENIE_PREFIX}/`;
  if (!create && !(action && ALERT_ACTIONS.includes(action))) {
    return refuse(
      404,
      `No handler for ${req.method} ${url.pathname}: this server has POST /v2/alerts and /v2/alerts/{identifier}/${ALERT_ACTIONS.join("|")}`,
    );
  }
  const methods = create || !["message", "description"].includes(action!) ? ["POST"] : ["PUT", "POST"];
  if (!methods.includes(req.method ?? "")) {
    return refuse(405, `Use ${methods.join(" or ")} for ${url.pathname}`, { allow: methods.join(", ") });
  }

  const accepted = [deps.webhookToken, ...deps.keys.map((k) => k.key)];
  const matched = genieKeyMatches(req.headers.authorization, accepted);
  if (matched === null) {
    return refuse(
      401,
      "Could not authenticate: send Authorization: GenieKey <key>, with ALERT_WEBHOOK_TOKEN or a key named in OPSGENIE_KEYS",
    );
  }
  const integration = deps.keys.find((k) => k.key === matched) ?? null;

  let json: unknown;
  try {
    const raw = (await readBody(req, WEBHOOK_BODY_LIMIT)).toString("utf8");
    json = raw.trim() === "" ? undefined : JSON.parse(raw);
  } catch (err) {
    if (err instanceof BodyTooLargeError) return reply(413, { message: `${err.message}; send less` });
    return reply(400, { message: `Could not parse the JSON body: ${(err as Error).message}` });
  }

  try {
    if (create) return await createAlert(json, integration?.pin ?? null, deps, reply);
    const type = parseIdentifierType(url.searchParams.get("identifierType"));
    const request = parseAction(action!, json);
    const identifier = decodeIdentifier(parts[1]!);
    return await actOn(action!, identifier, type, request, deps, reply);
  } catch (err) {
    if (err instanceof IntakeError) {
      return reply(422, {
        message: "Request body is not processable. Please check the errors.",
        errors: opsgenieErrors(err),
      });
    }
    deps.log.error(
      { err, path: url.pathname, requestId },
      "could not store the Opsgenie API request; answering 503",
    );
    return reply(503, { message: "Temporarily unable to store the request; retry" }, { "retry-after": "5" });
  }
}

const ACCEPTED = { result: "Request will be processed" };

function decodeIdentifier(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new IntakeError("identifier", `is not valid percent-encoding: ${JSON.stringify(raw)}`);
  }
}

async function createAlert(json: unknown, pin: Pin, deps: OpsgenieApiDeps, reply: Reply) {
  const group = parseCreateAlert(json, { now: deps.now(), newAlias: randomUUID });
  const route = pinnedRoute(deps.config, pin);
  await receiveGroup(group, deps, route ? { route } : {});
  reply(202, ACCEPTED);
}

async function findAlert(identifier: string, type: IdentifierType, deps: OpsgenieApiDeps) {
  if (type === "alias") return deps.alerts.latestOfGroup(groupIdOf(opsgenieGroupKey(identifier)));
  // Anything but the bot's own id shape names no alert: no need to ask Redis.
  return parseAlertId(identifier) ? deps.alerts.get(identifier) : null;
}

async function actOn(
  action: AlertAction,
  identifier: string,
  type: IdentifierType,
  request: ActionRequest,
  deps: OpsgenieApiDeps,
  reply: Reply,
) {
  if (type === "tiny") {
    throw new IntakeError(
      "identifierType",
      "tiny ids are not kept here: use identifierType=alias (the alias sent with the alert) or id",
    );
  }
  const alert = await findAlert(identifier, type, deps);
  if (!alert) {
    return reply(404, { message: `Alert with ${type} [${identifier}] does not exist` });
  }
  const now = deps.now();
  if (action === "close") {
    // Resolved like a sender's resolve (resolvedBy "opsgenie"); an alert already resolved, by hand
    // or by an earlier close, stays as it is.
    if (alert.state !== "resolved") await receiveGroup(closeGroup(alert, now), deps);
    if (request.note) await change(alert.id, deps, (a) => withNote(a, now, request));
    return reply(202, ACCEPTED);
  }
  if (action === "acknowledge") {
    const result = await change(alert.id, deps, (a) => acknowledgeByApi(a, now, request, deps.config));
    if (result === "nobody") {
      return reply(422, {
        message: "Request body is not processable. Please check the errors.",
        errors: {
          user: "nobody is on call for this alert, so it cannot be acknowledged for them: send user as the Slack user id (U…) of someone who may act on it",
        },
      });
    }
    if (request.note) await change(alert.id, deps, (a) => withNote(a, now, request));
    return reply(202, ACCEPTED);
  }
  if (action === "notes") {
    await change(alert.id, deps, (a) => withNote(a, now, request));
    return reply(202, ACCEPTED);
  }
  const field = action === "message" ? "summary" : "description";
  await change(alert.id, deps, (a) => withAnnotation(a, now, field, request.text!, request));
  return reply(202, ACCEPTED);
}

/**
 * Applies a transition and runs the change hooks (page rewrite, thread, timers). A refusal (already
 * acknowledged, nothing changed) is no error for the sender: Opsgenie accepts those too.
 */
async function change(
  id: string,
  deps: OpsgenieApiDeps,
  transition: (alert: Alert) => Transition | "nobody",
): Promise<"changed" | "unchanged" | "nobody"> {
  let nobody = false;
  const result = await deps.alerts.update(id, (alert) => {
    const t = transition(alert);
    if (t === "nobody") {
      nobody = true;
      return { ok: false, reason: "nobody to acknowledge as" };
    }
    return t;
  });
  if (nobody) return "nobody";
  if (!result.ok) {
    deps.log.info({ alertId: id, reason: result.reason }, "Opsgenie API request changed nothing");
    return "unchanged";
  }
  await deps.alertChanged({ alert: result.alert, previous: result.before, events: result.events });
  return "changed";
}

function via(request: ActionRequest): string {
  const who = request.user ?? request.source;
  return who ? ` (${escapeMrkdwn(who)})` : "";
}

function timelineEvent(now: Date, type: AlertEvent["type"], text: string, thread: boolean): AlertEvent {
  return { at: now.toISOString(), type, actor: OPSGENIE_ACTOR, text, thread };
}

function withNote(alert: Alert, now: Date, request: ActionRequest): Transition {
  const text = `Note through the Opsgenie API${via(request)}: ${escapeMrkdwn(request.note!)}`;
  return {
    ok: true,
    alert: { ...alert, updatedAt: now.toISOString() },
    events: [timelineEvent(now, "note", text, true)],
  };
}

function withAnnotation(
  alert: Alert,
  now: Date,
  field: "summary" | "description",
  value: string,
  request: ActionRequest,
): Transition {
  // Alertmanager's update_alerts sends both after every notification: unchanged text is no change.
  if (alert.commonAnnotations[field] === value) return { ok: false, reason: `${field} unchanged` };
  const what = field === "summary" ? "message" : "description";
  return {
    ok: true,
    alert: {
      ...alert,
      commonAnnotations: { ...alert.commonAnnotations, [field]: value },
      updatedAt: now.toISOString(),
    },
    events: [
      timelineEvent(now, "note", `The ${what} was changed through the Opsgenie API${via(request)}`, false),
    ],
  };
}

/**
 * An API has no Slack identity, and an owner-less acknowledged alert would keep its escalation
 * timers running. So the acknowledgement is made for a person: `user` when it is the Slack id of
 * someone who may act on the alert, otherwise whoever was paged; the thread says it came from the API.
 */
export function acknowledgeByApi(
  alert: Alert,
  now: Date,
  request: ActionRequest,
  config: OncallConfig,
): Transition | "nobody" {
  const given = request.user && /^[UW][A-Z0-9]{2,}$/.test(request.user) ? request.user : null;
  const user = given && mayActOn(given, alert, config) ? given : alert.route.oncallUser;
  if (!user) {
    if (alert.state === "resolved" || alert.assignee) return { ok: false, reason: "already taken" };
    return "nobody";
  }
  const t = acknowledge(alert, user, now);
  if (!t.ok) return t;
  const suffix =
    given === user
      ? " through the Opsgenie API"
      : ` (as the engineer paged) through the Opsgenie API${via(request)}`;
  return { ...t, events: t.events.map((e) => ({ ...e, text: `${e.text}${suffix}` })) };
}
