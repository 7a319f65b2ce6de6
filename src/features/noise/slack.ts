// The answer buttons under the question: stored on the alert (the noise report reads it), noted in
// the thread by the alert's hooks, and shown on the question itself.

import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { answerActionable } from "../../core/alert-actions";
import { rewrite } from "../../platform/slack/delivery";
import type { Runtime } from "../../runtime";
import { ACTION } from "../paging/blocks";
import { type AlertButtonHandler, alertButtonListener, applyPress } from "../paging/buttons";
import { actionableQuestion } from "./blocks";

function onAnswer(actionable: boolean): AlertButtonHandler {
  return async (rt, press) => {
    const alert = await applyPress(rt, press, (a) => answerActionable(a, press.user, actionable, rt.now()));
    if (!alert || !press.channel || !press.messageTs) return;
    try {
      await rewrite(rt.slack, { channel: press.channel, ts: press.messageTs }, actionableQuestion(alert));
    } catch (err) {
      // The answer is stored and in the thread; only the question's own text stays stale.
      rt.log.warn({ err, alertId: alert.id }, "could not update the question");
    }
  };
}

export function registerAnswerButtons(app: App, rt: Runtime): void {
  for (const [actionId, actionable] of [
    [ACTION.actionable, true],
    [ACTION.noise, false],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(
      { action_id: actionId, type: "block_actions" },
      alertButtonListener(rt, onAnswer(actionable)),
    );
  }
}
