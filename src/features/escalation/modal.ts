// The Escalate modal: asks why the runbook does not get the on-call engineer there, then escalates
// the alert to every member of its owning team (the broadcast itself is the escalate queue's job).

import type { App, ViewSubmitAction } from "@slack/bolt";
import type { Alert } from "../../core/alert";
import { escalate, mayActOn, whoMayAct } from "../../core/alert-actions";
import type { OncallConfig, Team } from "../../core/config";
import { findTeam } from "../../core/routing";
import type { ModalView } from "../../platform/slack/kit";
import {
  escapeMrkdwn,
  input,
  modal,
  noticeModal,
  option,
  paragraph,
  plain,
  readMetadata,
  stringField,
  viewAnswer,
} from "../../platform/slack/kit";
import type { Runtime } from "../../runtime";
import { ACTION, alertMrkdwn, ownerLabel } from "../paging/blocks";
import { ESCALATION_REASONS, escalationReason, MAX_REASON_DETAIL } from "./rules";

export const ESCALATE_CALLBACK = ACTION.escalate;
const NOT_ESCALATED = "Not escalated";
/** block_id / action_id of the modal's inputs, as view.state.values carries them. */
export const REASON_INPUT = { block: "reason", action: "choice" } as const;
export const DETAIL_INPUT = { block: "detail", action: "text" } as const;

export interface EscalateMetadata {
  readonly alertId: string;
}

export function escalateModal(alert: Alert, config: OncallConfig, team: Team): ModalView {
  const members = team.members.map((m) => `<@${m}>`).join(" ");
  const blocks = [
    paragraph(
      `*${alertMrkdwn(alert, alert.name)} · ${ownerLabel(alert, config)}*\nThis pages every member of *${team.name}* (${members}): a DM to each and a post in <#${team.channel}>. The first to acknowledge takes the alert.`,
    ),
    input(REASON_INPUT.block, "Why escalate?", {
      type: "static_select",
      action_id: REASON_INPUT.action,
      placeholder: plain("Pick a reason"),
      options: ESCALATION_REASONS.map((r) => option(r.label, r.value)),
    }),
    input(
      DETAIL_INPUT.block,
      "What have you seen or tried?",
      {
        type: "plain_text_input",
        action_id: DETAIL_INPUT.action,
        multiline: true,
        max_length: MAX_REASON_DETAIL,
      },
      { optional: true },
    ),
  ];
  const metadata: EscalateMetadata = { alertId: alert.id };
  return modal({
    title: "Escalate",
    callbackId: ESCALATE_CALLBACK,
    metadata,
    submit: `Page ${team.name}`.slice(0, 24),
    blocks,
  });
}

/** What replaces the modal when the escalation cannot happen: the reason, and nothing to submit. */
export function notEscalatedModal(reason: string): ModalView {
  return noticeModal(NOT_ESCALATED, reason);
}

function escalateMetadata(raw: string): EscalateMetadata | null {
  return readMetadata(raw, (m) => {
    const alertId = stringField(m.alertId);
    return alertId ? { alertId } : null;
  });
}

type StateValues = ViewSubmitAction["view"]["state"]["values"];

function inputsOf(values: StateValues): { choice: string | null; detail: string | null } {
  const choice = values[REASON_INPUT.block]?.[REASON_INPUT.action]?.selected_option?.value ?? null;
  const detail = values[DETAIL_INPUT.block]?.[DETAIL_INPUT.action]?.value ?? null;
  return { choice, detail };
}

export function registerEscalateView(app: App, rt: Runtime): void {
  app.view<ViewSubmitAction>(ESCALATE_CALLBACK, async ({ ack, body, view }) => {
    const user = body.user.id;
    const { answer, refuse, answered } = viewAnswer(ack, NOT_ESCALATED);
    const meta = escalateMetadata(view.private_metadata);
    if (!meta) return refuse("This form lost track of its alert. Press Escalate on the alert again.");
    const { choice, detail } = inputsOf(view.state.values);
    const input = escalationReason(choice, detail);
    if (!input.ok) return answer({ response_action: "errors", errors: { [input.field]: input.message } });
    // Typed into a plain text box, so raw: it goes to the team's channel, its DMs and the thread as
    // mrkdwn, where a typed "<!channel>" would ping everyone.
    const reason = escapeMrkdwn(input.reason);
    try {
      const alert = await rt.alerts.get(meta.alertId);
      if (!alert) return refuse("This alert is not known (it may have expired).");
      if (!mayActOn(user, alert, rt.config)) return refuse(whoMayAct(alert, rt.config));
      const team = alert.route.teamId ? findTeam(rt.config, alert.route.teamId) : undefined;
      // Slack waits for this answer to close the modal, and the store answers in milliseconds: so a
      // refusal shows in the modal itself rather than in a message somewhere else.
      const res = await rt.alerts.update(alert.id, (a) => escalate(a, user, reason, rt.now(), team));
      if (!res.ok) return refuse(res.reason);
      await answer();
      await rt.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
    } catch (err) {
      rt.log.error({ err, alertId: meta.alertId, user }, "escalation failed");
      if (!answered()) {
        await refuse("Something went wrong on our side, so the alert may not be escalated. Try again.");
      }
    }
  });
}
