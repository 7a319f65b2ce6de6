// The actionable question in the page's thread, before and after it is answered.

import type { Alert } from "../../core/alert";
import { actions, type Block, button, mrkdwn, section } from "../../platform/slack/kit";
import { ACTION } from "../paging/blocks";

export interface QuestionMessage {
  readonly text: string;
  readonly blocks: Block[];
}

/** The question after resolving, in the page's thread; the answers feed the noise report. */
export function actionableQuestion(alert: Alert): QuestionMessage {
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
        button("Yes, actionable", ACTION.actionable, alert.id, "primary"),
        button("No, noise", ACTION.noise, alert.id),
      ]),
    ],
  };
}
