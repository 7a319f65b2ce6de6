// The actionable question in the page's thread, before and after it is answered.

import type { Alert } from "../../core/alert";
import { actions, type Button, button, mrkdwn, type SlackMessage, section } from "../../platform/slack/kit";
import { ACTION } from "../paging/blocks";

/**
 * One answer: marked (✓, highlighted) once it is the recorded one. Before anyone answers neither
 * is highlighted, so the question does not suggest an answer.
 */
function answerButton(text: string, actionId: string, alert: Alert, actionable: boolean): Button {
  const chosen = alert.answer?.actionable === actionable;
  return chosen ? button(`✓ ${text}`, actionId, alert.id, "primary") : button(text, actionId, alert.id);
}

/** The question after resolving, in the page's thread; the answers feed the noise report. */
export function actionableQuestion(alert: Alert): SlackMessage {
  const answer = alert.answer
    ? `Recorded: *${alert.answer.actionable ? "actionable" : "noise"}* (<@${alert.answer.by}>). Press the other button to change it.`
    : "Was this alert actionable? Your answer counts for the noise report, so noisy alerts get fixed or deleted.";
  return {
    text: alert.answer
      ? `Recorded as ${alert.answer.actionable ? "actionable" : "noise"}`
      : "Was this alert actionable?",
    blocks: [
      section(mrkdwn(answer)),
      actions(`actionable:${alert.id}`, [
        answerButton("Yes, actionable", ACTION.actionable, alert, true),
        answerButton("No, noise", ACTION.noise, alert, false),
      ]),
    ],
  };
}
