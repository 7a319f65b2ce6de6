// The postmortem modal: the blameless template as a form, prefilled with what is already stored
// (or, for a new one, with what the bot knows: how long it lasted, who owns it). Submitting checks
// every field at once and answers problems next to the field (`response_action: "errors"`); a good
// submission stores the postmortem and the incident facts it carries together.

import type { App, ViewSubmitAction } from "@slack/bolt";
import { escapeTyped } from "../../core/mrkdwn";
import type { Block, InputBlock, ModalView, PlainTextOption } from "../../platform/slack/kit";
import {
  context,
  formatDuration,
  input,
  modal,
  mrkdwn,
  paragraph,
  plain,
  readMetadata,
  slackDate,
  stringField,
  utcText,
  viewAnswer,
} from "../../platform/slack/kit";
import type { Runtime } from "../../runtime";
import { type Incident, incidentDurationMs, SEVERITY_LABEL, setFacts } from "./incident";
import {
  MAX_FIELD,
  type Postmortem,
  type PostmortemForm,
  parsePostmortemForm,
  TEXT_FIELDS,
  type TextFieldKey,
  writePostmortem,
} from "./postmortem";
import { mayHandleIncident } from "./rules";
import { incidentStore } from "./store";

export const POSTMORTEM_CALLBACK = "incident.postmortem";

/** block_id = action_id for every input, so view.state.values[x][x] reads it. */
export const PM_INPUT = {
  actionItems: "actionItems",
  usersAffected: "usersAffected",
  owner: "owner",
  nearMiss: "nearMiss",
} as const;

const NEAR_MISS_VALUE = "near_miss";

export interface PostmortemMetadata {
  readonly incidentId: string;
  /** Where the form was opened: the confirmation goes there, below "the form is open". */
  readonly channel: string | null;
}

function textInput(
  id: string,
  label: string,
  opts: { hint?: string; optional?: boolean; multiline?: boolean; initial?: string; placeholder?: string },
): InputBlock {
  return input(
    id,
    label,
    {
      type: "plain_text_input",
      action_id: id,
      multiline: opts.multiline ?? false,
      max_length: MAX_FIELD,
      ...(opts.initial ? { initial_value: opts.initial.slice(0, MAX_FIELD) } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
    },
    opts,
  );
}

function actionItemLines(pm: Postmortem): string {
  return pm.actionItems.map((a) => `${a.owner}: ${a.text}`).join("\n");
}

/** The modal for an incident's postmortem; `existing` prefills an edit. */
export function postmortemModal(
  incident: Incident,
  existing: Postmortem | null,
  now: Date,
  channel: string | null = null,
): ModalView {
  const duration = formatDuration(incidentDurationMs(incident, now));
  const prefill: Partial<Record<TextFieldKey, string>> = existing
    ? Object.fromEntries(TEXT_FIELDS.map((f) => [f.key, existing[f.key]]))
    : {
        impactDuration: `${duration} (${utcText(incident.startedAt)}${incident.resolvedAt ? ` to ${utcText(incident.resolvedAt)}` : ", still open"})`,
      };
  const blocks: Block[] = [
    paragraph(
      `*${incident.id} · ${escapeTyped(incident.title)}*\n${SEVERITY_LABEL[incident.severity]} · ${incident.status} · ${duration} · declared ${slackDate(incident.declaredAt)} by <@${incident.declaredBy}> · ${incident.alertIds.length} linked alert${incident.alertIds.length === 1 ? "" : "s"}`,
    ),
    context([
      mrkdwn(
        "Blameless: describe what the systems and processes allowed, not who slipped. People acted on what they knew at the time. The timeline is added from the linked alerts and `/incident note` when you export.",
      ),
    ]),
  ];
  for (const f of TEXT_FIELDS) {
    blocks.push(
      textInput(f.key, f.label, {
        hint: f.hint,
        optional: !f.required,
        multiline: f.multiline,
        initial: prefill[f.key],
      }),
    );
    if (f.key === "detection") {
      blocks.push(
        textInput(PM_INPUT.actionItems, "Action items, one per line as owner: item", {
          hint: 'Each needs an owner, e.g. "@alice: add a retry budget to the checkout client".',
          multiline: true,
          initial: existing ? actionItemLines(existing) : undefined,
          placeholder: "@alice: add a retry budget to the checkout client",
        }),
      );
    }
  }
  blocks.push(
    textInput(PM_INPUT.usersAffected, "Users affected (a number)", {
      optional: true,
      hint: "Orders the weekly review by impact. Leave empty if unknown.",
      initial: incident.usersAffected === null ? undefined : String(incident.usersAffected),
    }),
    input(
      PM_INPUT.owner,
      "Postmortem owner",
      {
        type: "users_select",
        action_id: PM_INPUT.owner,
        ...(incident.owner ? { initial_user: incident.owner } : {}),
      },
      { optional: true, hint: "Named on the weekly review's agenda." },
    ),
    input(
      PM_INPUT.nearMiss,
      "Near miss",
      {
        type: "checkboxes",
        action_id: PM_INPUT.nearMiss,
        options: [nearMissOption()],
        ...(existing?.nearMiss ? { initial_options: [nearMissOption()] } : {}),
      },
      { optional: true },
    ),
  );
  const metadata: PostmortemMetadata = { incidentId: incident.id, channel };
  return modal({
    title: `Postmortem ${incident.id}`,
    callbackId: POSTMORTEM_CALLBACK,
    metadata,
    submit: "Save",
    blocks,
  });
}

function nearMissOption(): PlainTextOption {
  return {
    text: plain("Near miss: nobody was hurt this time, but it could have gone badly"),
    value: NEAR_MISS_VALUE,
  };
}

type StateValues = ViewSubmitAction["view"]["state"]["values"];

/** What the submitted form holds, read from view.state.values. */
export function formOf(values: StateValues): { form: PostmortemForm; owner: string | null } {
  const value = (id: string) => values[id]?.[id]?.value ?? null;
  const text: Partial<Record<TextFieldKey, string | null>> = {};
  for (const f of TEXT_FIELDS) text[f.key] = value(f.key);
  const checked = values[PM_INPUT.nearMiss]?.[PM_INPUT.nearMiss]?.selected_options ?? [];
  return {
    form: {
      text,
      actionItems: value(PM_INPUT.actionItems),
      nearMiss: checked.some((o) => o.value === NEAR_MISS_VALUE),
      usersAffected: value(PM_INPUT.usersAffected),
    },
    owner: values[PM_INPUT.owner]?.[PM_INPUT.owner]?.selected_user ?? null,
  };
}

function postmortemMetadata(raw: string): PostmortemMetadata | null {
  return readMetadata(raw, (m) => {
    const incidentId = stringField(m.incidentId);
    return incidentId ? { incidentId, channel: stringField(m.channel) } : null;
  });
}

const WRITE_POSTMORTEM = "write this incident's postmortem";

/** Why `user` may not write `incident`'s postmortem, or null: the same rule as declaring and noting it. */
async function postmortemRefusal(rt: Runtime, incident: Incident, user: string): Promise<string | null> {
  const may = mayHandleIncident(
    rt.config,
    await rt.alerts.getMany(incident.alertIds),
    user,
    WRITE_POSTMORTEM,
  );
  return may.ok ? null : may.text;
}

/**
 * Opens the form for an incident; returns a refusal to show the person, or null when opened.
 * `channel` is where it was asked for, so the confirmation of the save lands next to the request.
 */
export async function openPostmortem(
  rt: Runtime,
  triggerId: string,
  incidentId: string,
  user: string,
  channel: string | null = null,
): Promise<string | null> {
  const store = incidentStore(rt.redis, rt.prefix);
  const [incident, existing] = await Promise.all([store.get(incidentId), store.postmortem(incidentId)]);
  if (!incident)
    return `There is no incident ${incidentId}. \`/incident list all\` shows the incidents there are.`;
  const refused = await postmortemRefusal(rt, incident, user);
  if (refused) return refused;
  await rt.slack.call("views.open", {
    trigger_id: triggerId,
    view: postmortemModal(incident, existing, rt.now(), channel),
  });
  return null;
}

/** What the person is told once the postmortem is stored. */
export function postmortemSavedText(incidentId: string, version: number): string {
  const again = version > 1 ? ` (version ${version})` : "";
  return `Postmortem for ${incidentId} saved${again}. \`/incident postmortem ${incidentId} export\` gives it as Markdown, timeline included; \`/incident postmortem ${incidentId}\` edits it.`;
}

/**
 * Tells the author the save worked where they asked for the form, right below "the form is open"
 * (only they see it); in a DM when the form came from elsewhere or the channel refuses the bot.
 */
async function confirmSaved(rt: Runtime, channel: string | null, user: string, text: string): Promise<void> {
  if (channel) {
    try {
      await rt.slack.call("chat.postEphemeral", { channel, user, text });
      return;
    } catch (err) {
      rt.log.warn({ err, channel, user }, "could not confirm the postmortem in its channel; sending a DM");
    }
  }
  await rt.slack
    .call("chat.postMessage", { channel: user, text })
    .catch((err: unknown) => rt.log.warn({ err, user }, "could not confirm the postmortem"));
}

export function registerPostmortemView(app: App, rt: Runtime): void {
  app.view<ViewSubmitAction>(POSTMORTEM_CALLBACK, async ({ ack, body, view }) => {
    const user = body.user.id;
    const { answer, refuse, answered } = viewAnswer(ack, "Postmortem");
    const meta = postmortemMetadata(view.private_metadata);
    if (!meta) return refuse("This form lost track of its incident. Run `/incident postmortem <id>` again.");
    const { form, owner } = formOf(view.state.values);
    const parsed = parsePostmortemForm(form);
    if (!parsed.ok) {
      return answer({ response_action: "errors", errors: parsed.errors as Record<string, string> });
    }
    try {
      const now = rt.now();
      const store = incidentStore(rt.redis, rt.prefix);
      // Checked on the server at every save: a form can be forged or outlive its author's role.
      const current = await store.get(meta.incidentId);
      const refused = current && (await postmortemRefusal(rt, current, user));
      if (refused) return refuse(refused);
      const res = await store.savePostmortem(meta.incidentId, (incident, previous) => ({
        ok: true,
        postmortem: writePostmortem(previous, incident.id, parsed, user, now),
        incident: setFacts(incident, {
          usersAffected: parsed.usersAffected,
          ...(owner ? { owner } : {}),
        }),
      }));
      if (!res.ok) return refuse(res.reason);
      await answer();
      await confirmSaved(
        rt,
        meta.channel,
        user,
        postmortemSavedText(res.incident.id, res.postmortem.version),
      );
    } catch (err) {
      rt.log.error({ err, incidentId: meta.incidentId, user }, "saving a postmortem failed");
      // Errors keep the form and what was typed in it; only the message is ours.
      if (!answered()) {
        await answer({
          response_action: "errors",
          errors: { summary: "Something went wrong on our side, so nothing is saved yet. Press Save again." },
        });
      }
    }
  });
}
