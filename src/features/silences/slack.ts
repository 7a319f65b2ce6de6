// The Silence and Expire silence buttons and the Silence modal. The press is checked like every
// alert button (whoever may acknowledge may silence); the modal's submission is checked again, then
// closed at once, and Alertmanager is asked after: Slack closes a modal after 3 s, and Alertmanager
// may take longer. Whatever Alertmanager answers, the person hears back: the page and its thread
// show the silence, or an ephemeral message says why nothing was silenced and what to do.

import type { App, BlockAction, ButtonAction, ViewSubmitAction } from "@slack/bolt";
import type { Alert } from "../../core/alert";
import { findTeam } from "../../core/routing";
import { postEphemeral } from "../../platform/slack/delivery";
import { slackDate, viewAnswer } from "../../platform/slack/kit";
import type { Runtime } from "../../runtime";
import { ACTION } from "../paging/blocks";
import { type AlertButtonHandler, alertButtonListener, tellPresser } from "../paging/buttons";
import { AlertmanagerError, type AlertmanagerFor, createSilence, expireSilence } from "./alertmanager";
import {
  COMMENT_INPUT,
  CUSTOM_INPUT,
  DURATION_INPUT,
  SILENCE_CALLBACK,
  silenceMetadata,
  silenceModal,
} from "./blocks";
import { cancelSilenceEnd, scheduleSilenceEnd } from "./jobs";
import {
  expireRefusal,
  expireSilenceByHand,
  silenceComment,
  silenceEnd,
  silenceMatchers,
  silenceRefusal,
  startSilence,
} from "./rules";
import type { SilenceLog } from "./store";

export interface SilenceDeps {
  readonly rt: Runtime;
  readonly alertmanagerFor: AlertmanagerFor;
  readonly log: SilenceLog;
}

const NOT_SILENCED = "Not silenced";

/** Says `text` to `user` alone where they pressed (or in a DM when there is no such place). */
async function tellUser(
  rt: Runtime,
  place: { user: string; channel: string | null; threadTs: string | null },
  text: string,
): Promise<void> {
  try {
    if (!place.channel) {
      await rt.slack.call("chat.postMessage", { channel: place.user, text });
      return;
    }
    await postEphemeral(
      rt.slack,
      { user: place.user, channel: place.channel, threadTs: place.threadTs },
      text,
    );
  } catch (err) {
    rt.log.error({ err, user: place.user }, "could not tell the user about their silence");
  }
}

function teamOf(rt: Runtime, alert: Alert) {
  return alert.route.teamId ? findTeam(rt.config, alert.route.teamId) : undefined;
}

function onSilence(deps: SilenceDeps): AlertButtonHandler {
  return async (rt, press, alert) => {
    const target = deps.alertmanagerFor(alert.route.rotationId);
    const refusal = silenceRefusal(press.user, alert, rt.config, target !== null);
    if (refusal) return tellPresser(rt, press, refusal);
    try {
      await rt.slack.call("views.open", {
        trigger_id: press.triggerId,
        view: silenceModal(alert, rt.config, teamOf(rt, alert), silenceMatchers(alert), {
          alertId: alert.id,
          channel: press.channel,
          threadTs: press.threadTs,
        }),
      });
    } catch (err) {
      rt.log.error({ err, alertId: alert.id }, "views.open failed");
      await tellPresser(rt, press, "Slack would not open the Silence form; press Silence again.");
    }
  };
}

function onExpire(deps: SilenceDeps): AlertButtonHandler {
  return async (rt, press, alert) => {
    const refusal = expireRefusal(press.user, alert, rt.config);
    if (refusal || !alert.silence) return tellPresser(rt, press, refusal ?? "This alert is not silenced.");
    const silence = alert.silence;
    const target = deps.alertmanagerFor(alert.route.rotationId);
    if (!target) {
      return tellPresser(
        rt,
        press,
        `No Alertmanager is configured for rotation "${alert.route.rotationId}" any more; expire silence ${silence.id} in Alertmanager itself.`,
      );
    }
    try {
      await expireSilence(target, silence.id);
    } catch (err) {
      rt.log.warn({ err, alertId: alert.id, silenceId: silence.id }, "could not expire a silence");
      return tellPresser(
        rt,
        press,
        `The silence still runs (until ${slackDate(silence.endsAt)}): ${(err as Error).message}. Press Expire silence again once Alertmanager answers.`,
      );
    }
    const res = await rt.alerts.update(alert.id, (a) =>
      expireSilenceByHand(a, press.user, silence.id, rt.now()),
    );
    if (!res.ok) return tellPresser(rt, press, res.reason);
    await rt.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
    await cancelSilenceEnd(rt, silence.id);
  };
}

type StateValues = ViewSubmitAction["view"]["state"]["values"];

function inputsOf(values: StateValues) {
  return {
    choice: values[DURATION_INPUT.block]?.[DURATION_INPUT.action]?.selected_option?.value ?? null,
    custom: values[CUSTOM_INPUT.block]?.[CUSTOM_INPUT.action]?.value ?? null,
    comment: values[COMMENT_INPUT.block]?.[COMMENT_INPUT.action]?.value?.trim() || null,
  };
}

function registerSilenceView(app: App, deps: SilenceDeps): void {
  const { rt } = deps;
  app.view<ViewSubmitAction>(SILENCE_CALLBACK, async ({ ack, body, view }) => {
    const user = body.user.id;
    const { answer, refuse, answered } = viewAnswer(ack, NOT_SILENCED);
    const meta = silenceMetadata(view.private_metadata);
    if (!meta) return refuse("This form lost track of its alert. Press Silence on the alert again.");
    const place = { user, channel: meta.channel, threadTs: meta.threadTs };
    let created: { id: string; target: NonNullable<ReturnType<AlertmanagerFor>> } | null = null;
    let recorded = false;
    try {
      const alert = await rt.alerts.get(meta.alertId);
      if (!alert) return refuse("This alert is not known (it may have expired).");
      const target = deps.alertmanagerFor(alert.route.rotationId);
      const refusal = silenceRefusal(user, alert, rt.config, target !== null);
      if (refusal || !target) return refuse(refusal ?? "No Alertmanager is configured.");
      const inputs = inputsOf(view.state.values);
      const now = rt.now();
      const end = silenceEnd({ choice: inputs.choice, custom: inputs.custom, now, team: teamOf(rt, alert) });
      if (!end.ok) {
        const block = end.field === "custom" ? CUSTOM_INPUT.block : DURATION_INPUT.block;
        return answer({ response_action: "errors", errors: { [block]: end.message } });
      }
      await answer();
      const name = (body.user as { name?: string }).name;
      const id = await createSilence(target, {
        matchers: silenceMatchers(alert),
        startsAt: now,
        endsAt: end.endsAt,
        createdBy: name ? `${name} (Slack ${user})` : `Slack ${user}`,
        comment: silenceComment(alert, inputs.comment),
      });
      created = { id, target };
      const silence = {
        id,
        by: user,
        startsAt: now.toISOString(),
        endsAt: end.endsAt.toISOString(),
        comment: inputs.comment,
      };
      const res = await rt.alerts.update(alert.id, (a) =>
        startSilence(a, silence, now, slackDate(end.endsAt)),
      );
      if (!res.ok) {
        // Someone else's silence stands; ours would only be a second, unseen one.
        await expireSilence(target, id).catch((err: unknown) =>
          rt.log.warn({ err, silenceId: id }, "could not expire a redundant silence"),
        );
        return tellUser(rt, place, res.reason);
      }
      recorded = true;
      // The end first: a page that lags behind catches up, a silence that never ends on it would not.
      await scheduleSilenceEnd(rt.queues.schedule, alert.id, silence, now);
      // Only a silence that stands counts in the noise report.
      await deps.log.record(
        {
          silenceId: id,
          alertId: alert.id,
          name: alert.name,
          teamId: alert.route.teamId,
          by: user,
          at: silence.startsAt,
          endsAt: silence.endsAt,
        },
        now,
      );
      await rt.alertChanged({ alert: res.alert, previous: res.before, events: res.events });
    } catch (err) {
      rt.log.error({ err, alertId: meta.alertId, user }, "silencing failed");
      if (!answered()) return refuse("Something went wrong on our side; nothing was silenced. Try again.");
      if (recorded) return; // silenced and on the alert; the page catches up with its next change
      if (created) {
        // Made in Alertmanager but not recorded here: take it back, so no silence runs unseen.
        const made = created;
        await expireSilence(made.target, made.id).catch((e: unknown) =>
          rt.log.warn({ err: e, silenceId: made.id }, "could not expire an unrecorded silence"),
        );
        return tellUser(
          rt,
          place,
          "Something went wrong on our side; nothing was silenced. Press Silence again.",
        );
      }
      const what = err instanceof AlertmanagerError ? err.message : "something went wrong on our side";
      await tellUser(
        rt,
        place,
        `Not silenced: ${what}. Nothing changed in Alertmanager; press Silence on the alert again once it answers.`,
      );
    }
  });
}

export function registerSilenceButtons(app: App, deps: SilenceDeps): void {
  const on = (actionId: string, handler: AlertButtonHandler) =>
    app.action<BlockAction<ButtonAction>>(
      { action_id: actionId, type: "block_actions" },
      alertButtonListener(deps.rt, handler),
    );
  on(ACTION.silence, onSilence(deps));
  on(ACTION.unsilence, onExpire(deps));
  registerSilenceView(app, deps);
}
