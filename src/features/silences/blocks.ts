// The Silence modal: how long (1 hour first and chosen, 4 hours, until the owning team's next
// workday, or a typed duration) and an optional comment for Alertmanager.

import type { Alert } from "../../core/alert";
import type { OncallConfig, Team } from "../../core/config";
import { escapeMrkdwn } from "../../core/mrkdwn";
import type { ModalView } from "../../platform/slack/kit";
import { input, modal, option, paragraph, plain, readMetadata, stringField } from "../../platform/slack/kit";
import { ACTION, alertMrkdwn, ownerLabel } from "../paging/blocks";
import { durationChoices, MAX_COMMENT, type Matcher } from "./rules";

export const SILENCE_CALLBACK = ACTION.silence;
/** block_id / action_id of the modal's inputs, as view.state.values carries them. */
export const DURATION_INPUT = { block: "duration", action: "choice" } as const;
export const CUSTOM_INPUT = { block: "custom", action: "text" } as const;
export const COMMENT_INPUT = { block: "comment", action: "text" } as const;

/** What the modal hands back: the alert, and where to answer (the page's channel and thread). */
export interface SilenceMetadata {
  readonly alertId: string;
  readonly channel: string | null;
  readonly threadTs: string | null;
}

export function silenceModal(
  alert: Alert,
  config: OncallConfig,
  team: Team | undefined,
  matchers: readonly Matcher[],
  meta: SilenceMetadata,
): ModalView {
  const choices = durationChoices(team).map((c) => option(c.label, c.value));
  const labels = matchers.map((m) => `\`${escapeMrkdwn(m.name)}="${escapeMrkdwn(m.value)}"\``).join(" ");
  return modal({
    title: "Silence",
    callbackId: SILENCE_CALLBACK,
    metadata: meta,
    submit: "Silence",
    blocks: [
      paragraph(
        `*${alertMrkdwn(alert, alert.name)} · ${ownerLabel(alert, config)}*\nAlertmanager stops notifying about every alert matching ${labels}.`.slice(
          0,
          2900,
        ),
      ),
      input(DURATION_INPUT.block, "For how long?", {
        type: "static_select",
        action_id: DURATION_INPUT.action,
        options: choices,
        initial_option: choices[0],
      }),
      input(
        CUSTOM_INPUT.block,
        "Custom duration",
        {
          type: "plain_text_input",
          action_id: CUSTOM_INPUT.action,
          placeholder: plain("e.g. 30m, 2h, 1d12h"),
        },
        { optional: true, hint: 'Used with "Custom" above.' },
      ),
      input(
        COMMENT_INPUT.block,
        "Why? (shown in Alertmanager and the thread)",
        {
          type: "plain_text_input",
          action_id: COMMENT_INPUT.action,
          multiline: true,
          max_length: MAX_COMMENT,
        },
        { optional: true },
      ),
    ],
  });
}

export function silenceMetadata(raw: string): SilenceMetadata | null {
  return readMetadata(raw, (m) => {
    const alertId = stringField(m.alertId);
    return alertId ? { alertId, channel: stringField(m.channel), threadTs: stringField(m.threadTs) } : null;
  });
}
