// The buttons on an alert's page (and on the DMs and team posts about it): Acknowledge, Resolve,
// Hand to the owning team, Escalate (the actionable/noise answer is the noise feature's). Each press is
// acked at once; then the press is checked (who may act), applied to the stored alert atomically,
// and the alert's hooks bring the page, its thread and the team's messages up to date. A refusal,
// including a press that would change nothing, is answered ephemerally to the presser alone.

import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from "@slack/bolt";
import type { Alert } from "../../core/alert";
import {
  acknowledge,
  escalate,
  handOff,
  mayActOn,
  resolveByHand,
  type Transition,
  whoMayAct,
} from "../../core/alert-actions";
import { findTeam } from "../../core/routing";
import { postEphemeral } from "../../platform/slack/delivery";
import { userTimeZone } from "../../platform/slack/users";
import type { Feature, Runtime } from "../../runtime";
import { escalateModal, registerEscalateView } from "../escalation/modal";
import { handOffWindow, outsideWorkdayRefusal } from "../escalation/rules";
import { ACTION } from "./blocks";

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** One press: who, on which alert, where (for ephemeral answers). */
interface Press {
  readonly user: string;
  readonly alertId: string;
  readonly channel: string | null;
  readonly messageTs: string | null;
  readonly threadTs: string | null;
  readonly triggerId: string;
  readonly args: ButtonArgs;
}

function pressOf(args: ButtonArgs): Press {
  const { body, action } = args;
  const message = body.message as { ts?: string; thread_ts?: string } | undefined;
  return {
    user: body.user.id,
    alertId: action.value ?? "",
    channel: body.channel?.id ?? body.container?.channel_id ?? null,
    messageTs: message?.ts ?? body.container?.message_ts ?? null,
    threadTs: message?.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : null,
    triggerId: body.trigger_id,
    args,
  };
}

/** Tells the presser alone; a failure to tell is logged, never thrown. */
async function tell(rt: Runtime, press: Press, text: string): Promise<void> {
  if (press.channel) {
    try {
      await postEphemeral(
        rt.slack,
        { user: press.user, channel: press.channel, threadTs: press.threadTs },
        text,
      );
      return;
    } catch (err) {
      rt.log.warn({ err, user: press.user }, "chat.postEphemeral failed; using respond");
    }
  }
  // Bolt gives respond() only when Slack sent a response_url: a press in a modal or Home has none.
  if (typeof press.args.respond !== "function") {
    rt.log.warn(
      { user: press.user },
      "a button press came with no channel and no response_url: nowhere to answer",
    );
    return;
  }
  try {
    await press.args.respond({ response_type: "ephemeral", replace_original: false, text });
  } catch (err) {
    rt.log.error({ err, user: press.user }, "could not answer a button press");
  }
}

/** Applies a transition and runs the alert's hooks; refusals go to the presser. */
async function apply(
  rt: Runtime,
  press: Press,
  transition: (alert: Alert) => Transition,
): Promise<Alert | null> {
  const res = await rt.alerts.update(press.alertId, transition);
  if (!res.ok) {
    await tell(rt, press, res.reason);
    return null;
  }
  await rt.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
  return res.alert;
}

type Handler = (rt: Runtime, press: Press, alert: Alert) => Promise<void>;

/** The part every button shares: ack, find the alert, check who pressed, never crash. */
function listener(rt: Runtime, handler: Handler) {
  return async (args: ButtonArgs) => {
    await args.ack();
    const press = pressOf(args);
    try {
      const alert = press.alertId ? await rt.alerts.get(press.alertId) : null;
      if (!alert) return await tell(rt, press, "This alert is not known (it may have expired).");
      if (!mayActOn(press.user, alert, rt.config)) return await tell(rt, press, whoMayAct(alert, rt.config));
      await handler(rt, press, alert);
    } catch (err) {
      rt.log.error(
        {
          err,
          action: args.action.action_id,
          alertId: press.alertId,
          user: press.user,
        },
        "button press failed",
      );
      await tell(rt, press, "Something went wrong on our side; the alert may not have changed. Try again.");
    }
  };
}

const onAck: Handler = async (rt, press) => {
  await apply(rt, press, (a) => acknowledge(a, press.user, rt.now()));
};

const onResolve: Handler = async (rt, press) => {
  // The "was it actionable?" question follows in the thread (the escalate queue asks it).
  await apply(rt, press, (a) => resolveByHand(a, press.user, rt.now()));
};

const onHandOff: Handler = async (rt, press, alert) => {
  const team = alert.route.teamId ? findTeam(rt.config, alert.route.teamId) : undefined;
  const now = rt.now();
  const window = handOffWindow(alert, team, now);
  const outsideWorkday = window.ok
    ? null
    : outsideWorkdayRefusal(window, await userTimeZone(rt.slack, press.user, window.team.timezone));
  await apply(rt, press, (a) => handOff(a, press.user, now, { team, outsideWorkday }));
};

const onEscalate: Handler = async (rt, press, alert) => {
  const team = alert.route.teamId ? findTeam(rt.config, alert.route.teamId) : undefined;
  // Refuse before asking why, when the answer could not change anything.
  const check = escalate(alert, press.user, "", rt.now(), team);
  if (!check.ok || !team) return tell(rt, press, check.ok ? "No owning team to escalate to." : check.reason);
  try {
    await rt.slack.call("views.open", {
      trigger_id: press.triggerId,
      view: escalateModal(alert, rt.config, team),
    });
  } catch (err) {
    rt.log.error({ err, alertId: alert.id }, "views.open failed");
    await tell(rt, press, "Slack would not open the Escalate form; press Escalate again.");
  }
};

// The noise and silence features' buttons are alert buttons too: the same checks, the same refusals.
export {
  apply as applyPress,
  type Handler as AlertButtonHandler,
  listener as alertButtonListener,
  pressOf,
  tell as tellPresser,
};

export function registerAlertButtons(app: App, rt: Runtime): void {
  const on = (actionId: string, handler: Handler) =>
    app.action<BlockAction<ButtonAction>>(
      { action_id: actionId, type: "block_actions" },
      listener(rt, handler),
    );
  on(ACTION.ack, onAck);
  on(ACTION.resolve, onResolve);
  on(ACTION.handoff, onHandOff);
  on(ACTION.escalate, onEscalate);
  registerEscalateView(app, rt);
}

/** The alert message's buttons and the Escalate modal. */
export const alertButtonsFeature: Feature = {
  name: "alert-buttons",
  setup(rt) {
    return { slack: (app) => registerAlertButtons(app, rt) };
  },
};
