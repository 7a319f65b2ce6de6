// "Declare incident" on an alert's page: a small modal to declare an incident from the alert (title
// taken from the alert, severity to pick) or to add the alert to an incident that is already open.
// Also the two operations `/incident declare` shares with it: declaring with linked alerts, and
// linking an alert, each leaving a line in the alert's thread through the alert's hooks.

import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import type { Alert, AlertEvent } from "../../core/alert";
import { mayActOn, whoMayAct } from "../../core/alert-actions";
import { escapeMrkdwn, unescapeMrkdwn } from "../../core/mrkdwn";
import type { Block, ButtonPress, ModalView, PlainTextOption } from "../../platform/slack/kit";
import {
  context,
  input,
  modal,
  mrkdwn,
  option,
  paragraph,
  plain,
  readMetadata,
  stringField,
  truncate,
  viewAnswer,
} from "../../platform/slack/kit";
import type { Runtime } from "../../runtime";
import { ACTION, alertMrkdwn, ownerLabel, summaryMrkdwn, summaryOf } from "../paging/blocks";
import { incidentDeclaredMessage } from "./blocks";
import {
  declaredText,
  declareIncident,
  type Incident,
  linkAlert,
  linkedText,
  parseIncidentId,
  parseSeverity,
  SEVERITIES,
  SEVERITY_LABEL,
  type Severity,
  titleProblem,
} from "./incident";
import { defaultSeverity } from "./rules";
import { incidentStore } from "./store";

export const DECLARE_CALLBACK = "incident.declare";
export const DECLARE_INPUT = { title: "title", severity: "severity", link: "link" } as const;
const MAX_LINK_OPTIONS = 100;

/** Adds a line to each alert's timeline and thread; the page and thread follow through the hooks. */
export async function noteOnAlerts(
  rt: Runtime,
  alertIds: readonly string[],
  actor: string,
  text: string,
): Promise<void> {
  for (const id of alertIds) {
    const event: AlertEvent = { at: rt.now().toISOString(), type: "note", actor, text, thread: true };
    const res = await rt.alerts.update(id, (alert) => ({ ok: true, alert, events: [event] }));
    if (res.ok) await rt.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
  }
}

export interface DeclareRequest {
  readonly title: string;
  readonly severity: Severity;
  readonly user: string;
  readonly alerts: readonly Alert[];
  /** Makes a repeated request (the same modal submission) return the first one's incident. */
  readonly requestId?: string;
}

/** Declares an incident with its alerts and notes it in their threads. */
export async function declareWithAlerts(
  rt: Runtime,
  req: DeclareRequest,
): Promise<{ incident: Incident; created: boolean }> {
  const now = rt.now();
  const store = incidentStore(rt.redis, rt.prefix);
  const { incident, created } = await store.declare(
    (number) =>
      declareIncident({
        number,
        title: req.title,
        severity: req.severity,
        declaredBy: req.user,
        alerts: req.alerts,
        now,
      }),
    req.requestId,
  );
  if (created) await noteOnAlerts(rt, incident.alertIds, req.user, declaredText(incident));
  return { incident, created };
}

/** Links an alert to an incident; a refusal's reason is returned for the person. */
export async function linkAlertTo(
  rt: Runtime,
  incidentId: string,
  alert: Alert,
  user: string,
): Promise<{ ok: true; incident: Incident } | { ok: false; reason: string }> {
  const res = await incidentStore(rt.redis, rt.prefix).update(incidentId, (i) => linkAlert(i, alert));
  if (!res.ok) return { ok: false, reason: res.reason };
  await noteOnAlerts(rt, [alert.id], user, linkedText(res.incident, user));
  return { ok: true, incident: res.incident };
}

export interface DeclareMetadata {
  readonly alertId: string;
  /** Where the page is, for the announcement. */
  readonly channel: string | null;
}

function severityOption(s: Severity): PlainTextOption {
  const words: Record<Severity, string> = {
    sev1: "critical: many users cannot use the product",
    sev2: "major: a feature is broken or slow for many",
    sev3: "minor: some users see degraded service",
  };
  return option(`${SEVERITY_LABEL[s]} · ${words[s]}`, s);
}

export function declareModal(
  alert: Alert,
  rt: Pick<Runtime, "config">,
  open: readonly Incident[],
  channel: string | null,
): ModalView {
  // The runbook or the alert may say; the person can change it in the select.
  const severity = defaultSeverity([alert], rt.config).severity;
  const linked = open.filter((i) => i.alertIds.includes(alert.id)).map((i) => i.id);
  const blocks: Block[] = [
    paragraph(
      `*${alertMrkdwn(alert, alert.name)} · ${ownerLabel(alert, rt.config)}*\n${summaryMrkdwn(alert)}`,
    ),
  ];
  if (linked.length) {
    blocks.push(context([mrkdwn(`Already linked to ${linked.join(", ")}.`)]));
  }
  blocks.push(
    input(
      DECLARE_INPUT.title,
      "Incident title",
      {
        type: "plain_text_input",
        action_id: DECLARE_INPUT.title,
        max_length: 150,
        // A page typed with /oncall page holds Slack's escaped text; the box shows what was typed.
        initial_value: truncate(
          `${alert.name}: ${alert.source === "manual" ? unescapeMrkdwn(summaryOf(alert)) : summaryOf(alert)}`,
          150,
        ),
      },
      { hint: "What users notice, in a few words." },
    ),
    input(DECLARE_INPUT.severity, "Severity", {
      type: "static_select",
      action_id: DECLARE_INPUT.severity,
      options: SEVERITIES.map(severityOption),
      initial_option: severityOption(severity),
    }),
  );
  const candidates = open.filter((i) => !i.alertIds.includes(alert.id)).slice(0, MAX_LINK_OPTIONS);
  if (candidates.length) {
    blocks.push(
      input(
        DECLARE_INPUT.link,
        "…or add this alert to an open incident instead",
        {
          type: "static_select",
          action_id: DECLARE_INPUT.link,
          placeholder: plain("Pick an open incident"),
          options: candidates.map((i) =>
            option(truncate(`${i.id} · ${SEVERITY_LABEL[i.severity]} · ${i.title}`, 75), i.id),
          ),
        },
        { optional: true, hint: "When one is picked, the title and severity above are not used." },
      ),
    );
  }
  const metadata: DeclareMetadata = { alertId: alert.id, channel };
  return modal({
    title: "Declare incident",
    callbackId: DECLARE_CALLBACK,
    metadata,
    submit: "Declare",
    blocks,
  });
}

async function tell(rt: Runtime, args: ButtonPress, text: string): Promise<void> {
  const { body } = args;
  const channel = body.channel?.id ?? body.container?.channel_id;
  try {
    if (channel) {
      await rt.slack.call("chat.postEphemeral", { channel, user: body.user.id, text });
      return;
    }
  } catch (err) {
    rt.log.warn({ err }, "chat.postEphemeral failed; using respond");
  }
  // Bolt gives respond() only when Slack sent a response_url: a press in a modal or Home has none.
  if (typeof args.respond !== "function") {
    rt.log.warn(
      { user: body.user.id },
      "a Declare incident press came with no channel and no response_url: nowhere to answer",
    );
    return;
  }
  await args.respond({ response_type: "ephemeral", replace_original: false, text }).catch((err: unknown) => {
    rt.log.error({ err }, "could not answer the Declare incident press");
  });
}

async function onPress(rt: Runtime, args: ButtonPress): Promise<void> {
  await args.ack();
  const { body, action } = args;
  const user = body.user.id;
  try {
    const alert = action.value ? await rt.alerts.get(action.value) : null;
    if (!alert) return await tell(rt, args, "This alert is not known (it may have expired).");
    if (!mayActOn(user, alert, rt.config)) return await tell(rt, args, whoMayAct(alert, rt.config));
    const open = await incidentStore(rt.redis, rt.prefix).openIncidents();
    const channel = body.channel?.id ?? body.container?.channel_id ?? null;
    await rt.slack.call("views.open", {
      trigger_id: body.trigger_id,
      view: declareModal(alert, rt, open, channel),
    });
  } catch (err) {
    rt.log.error({ err, user, alertId: action.value }, "Declare incident failed");
    await tell(rt, args, "Something went wrong on our side; no incident was declared. Try again.");
  }
}

function declareMetadata(raw: string): DeclareMetadata | null {
  return readMetadata(raw, (m) => {
    const alertId = stringField(m.alertId);
    return alertId ? { alertId, channel: stringField(m.channel) } : null;
  });
}

/** Tells the alert's channel about a new incident; the incident stands even if this fails. */
export async function announce(rt: Runtime, channel: string, incident: Incident, alerts: readonly Alert[]) {
  const msg = incidentDeclaredMessage(
    incident,
    alerts.map((a) => ({ id: a.id, name: a.name })),
  );
  try {
    await rt.slack.call("chat.postMessage", {
      channel,
      text: msg.text,
      blocks: msg.blocks,
      unfurl_links: false,
    });
  } catch (err) {
    rt.log.warn({ err, incidentId: incident.id, channel }, "could not announce the incident");
  }
}

export function registerIncidentButton(app: App, rt: Runtime): void {
  app.action<BlockAction<ButtonAction>>({ action_id: ACTION.incident, type: "block_actions" }, (args) =>
    onPress(rt, args),
  );
  app.view<ViewSubmitAction>(DECLARE_CALLBACK, async ({ ack, body, view }) => {
    const user = body.user.id;
    const { answer, refuse, answered } = viewAnswer(ack, "No incident declared");
    const meta = declareMetadata(view.private_metadata);
    if (!meta) return refuse("This form lost track of its alert. Press Declare incident on the alert again.");
    const values = view.state.values;
    const title = values[DECLARE_INPUT.title]?.[DECLARE_INPUT.title]?.value ?? "";
    const severity = parseSeverity(
      values[DECLARE_INPUT.severity]?.[DECLARE_INPUT.severity]?.selected_option?.value ?? "",
    );
    const link = parseIncidentId(
      values[DECLARE_INPUT.link]?.[DECLARE_INPUT.link]?.selected_option?.value ?? "",
    );
    try {
      const alert = await rt.alerts.get(meta.alertId);
      if (!alert) return refuse("This alert is not known (it may have expired).");
      if (!mayActOn(user, alert, rt.config)) return refuse(whoMayAct(alert, rt.config));
      if (link) {
        const res = await linkAlertTo(rt, link, alert, user);
        if (!res.ok)
          return answer({ response_action: "errors", errors: { [DECLARE_INPUT.link]: res.reason } });
        return answer();
      }
      const problem = titleProblem(title);
      if (problem) return answer({ response_action: "errors", errors: { [DECLARE_INPUT.title]: problem } });
      if (!severity) {
        return answer({
          response_action: "errors",
          errors: { [DECLARE_INPUT.severity]: "Pick a severity." },
        });
      }
      const { incident, created } = await declareWithAlerts(rt, {
        // Typed (or prefilled from the alert) in a plain text box, so raw; a title typed after
        // `/incident declare` arrives escaped by Slack, and incident messages treat both alike.
        title: escapeMrkdwn(title),
        severity,
        user,
        alerts: [alert],
        requestId: `view-${view.id}`,
      });
      await answer();
      if (!created) return;
      const page = await rt.delivery.get(alert.id);
      await announce(rt, page.channel ?? meta.channel ?? alert.route.channel, incident, [alert]);
    } catch (err) {
      rt.log.error({ err, alertId: meta.alertId, user }, "declaring an incident failed");
      if (!answered()) await refuse("Something went wrong on our side; no incident was declared. Try again.");
    }
  });
}
