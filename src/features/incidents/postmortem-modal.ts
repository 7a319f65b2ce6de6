// The postmortem modal: the blameless template as a form, prefilled with what is already stored
// (or, for a new one, with what the bot knows: how long it lasted, who owns it). Submitting checks
// every field at once and answers problems next to the field (`response_action: "errors"`); a good
// submission stores the postmortem and the incident facts it carries together.

import type { App, types, ViewSubmitAction } from "@slack/bolt";
import { type Block, context, mrkdwn, plain, section, truncate } from "../../platform/slack/kit";
import type { Runtime } from "../../runtime";
import { slackDate } from "./blocks";
import { formatDuration, type Incident, incidentDurationMs, SEVERITY_LABEL, setFacts } from "./incident";
import {
  MAX_FIELD,
  type Postmortem,
  type PostmortemForm,
  parsePostmortemForm,
  TEXT_FIELDS,
  type TextFieldKey,
  writePostmortem,
} from "./postmortem";
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
}

function textInput(
  id: string,
  label: string,
  opts: { hint?: string; optional?: boolean; multiline?: boolean; initial?: string; placeholder?: string },
): Block {
  return {
    type: "input",
    block_id: id,
    label: plain(label),
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
    element: {
      type: "plain_text_input",
      action_id: id,
      multiline: opts.multiline ?? false,
      max_length: MAX_FIELD,
      ...(opts.initial ? { initial_value: opts.initial.slice(0, MAX_FIELD) } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
    },
  };
}

function actionItemLines(pm: Postmortem): string {
  return pm.actionItems.map((a) => `${a.owner}: ${a.text}`).join("\n");
}

/** The modal for an incident's postmortem; `existing` prefills an edit. */
export function postmortemModal(
  incident: Incident,
  existing: Postmortem | null,
  now: Date,
): Record<string, unknown> {
  const duration = formatDuration(incidentDurationMs(incident, now));
  const prefill: Partial<Record<TextFieldKey, string>> = existing
    ? Object.fromEntries(TEXT_FIELDS.map((f) => [f.key, existing[f.key]]))
    : {
        impactDuration: `${duration} (${incident.startedAt.slice(0, 16).replace("T", " ")} UTC${incident.resolvedAt ? ` to ${incident.resolvedAt.slice(0, 16).replace("T", " ")} UTC` : ", still open"})`,
      };
  const blocks: Block[] = [
    section(
      mrkdwn(
        truncate(
          `*${incident.id} · ${incident.title}*\n${SEVERITY_LABEL[incident.severity]} · ${incident.status} · ${duration} · declared ${slackDate(incident.declaredAt)} by <@${incident.declaredBy}> · ${incident.alertIds.length} linked alert${incident.alertIds.length === 1 ? "" : "s"}`,
          2900,
        ),
      ),
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
    {
      type: "input",
      block_id: PM_INPUT.owner,
      optional: true,
      label: plain("Postmortem owner"),
      hint: plain("Named on the weekly review's agenda."),
      element: {
        type: "users_select",
        action_id: PM_INPUT.owner,
        ...(incident.owner ? { initial_user: incident.owner } : {}),
      },
    },
    {
      type: "input",
      block_id: PM_INPUT.nearMiss,
      optional: true,
      label: plain("Near miss"),
      element: {
        type: "checkboxes",
        action_id: PM_INPUT.nearMiss,
        options: [nearMissOption()],
        ...(existing?.nearMiss ? { initial_options: [nearMissOption()] } : {}),
      },
    },
  );
  const metadata: PostmortemMetadata = { incidentId: incident.id };
  return {
    type: "modal",
    callback_id: POSTMORTEM_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: plain(`Postmortem ${incident.id}`.slice(0, 24)),
    submit: plain("Save"),
    close: plain("Cancel"),
    blocks,
  };
}

function nearMissOption() {
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

function readMetadata(raw: string): PostmortemMetadata | null {
  try {
    const m = JSON.parse(raw) as Partial<PostmortemMetadata>;
    return typeof m.incidentId === "string" ? { incidentId: m.incidentId } : null;
  } catch {
    return null;
  }
}

/** Opens the form for an incident; returns a refusal to show the person, or null when opened. */
export async function openPostmortem(
  rt: Runtime,
  triggerId: string,
  incidentId: string,
): Promise<string | null> {
  const store = incidentStore(rt.redis, rt.prefix);
  const [incident, existing] = await Promise.all([store.get(incidentId), store.postmortem(incidentId)]);
  if (!incident)
    return `There is no incident ${incidentId}. \`/incident list all\` shows the incidents there are.`;
  await rt.slack.call("views.open", {
    trigger_id: triggerId,
    view: postmortemModal(incident, existing, rt.now()),
  });
  return null;
}

function savedModal(text: string): Record<string, unknown> {
  return {
    type: "modal",
    title: plain("Postmortem"),
    close: plain("OK"),
    blocks: [section(mrkdwn(truncate(text, 2900)))],
  };
}

export function registerPostmortemView(app: App, rt: Runtime): void {
  app.view<ViewSubmitAction>(POSTMORTEM_CALLBACK, async ({ ack, body, view }) => {
    const user = body.user.id;
    let answered = false;
    const answer: typeof ack = async (response) => {
      answered = true;
      await ack(response);
    };
    const refuse = (text: string) =>
      answer({ response_action: "update", view: savedModal(text) as unknown as types.ModalView });
    const meta = readMetadata(view.private_metadata);
    if (!meta) return refuse("This form lost track of its incident. Run `/incident postmortem <id>` again.");
    const { form, owner } = formOf(view.state.values);
    const parsed = parsePostmortemForm(form);
    if (!parsed.ok) {
      return answer({ response_action: "errors", errors: parsed.errors as Record<string, string> });
    }
    try {
      const now = rt.now();
      const store = incidentStore(rt.redis, rt.prefix);
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
      const again = res.postmortem.version > 1 ? ` (version ${res.postmortem.version})` : "";
      await rt.slack
        .call("chat.postMessage", {
          channel: user,
          text: `Postmortem for ${res.incident.id} saved${again}. \`/incident postmortem ${res.incident.id} export\` gives it as Markdown, timeline included; \`/incident postmortem ${res.incident.id}\` edits it.`,
        })
        .catch((err: unknown) =>
          rt.log.warn({ err: (err as Error).message, user }, "could not confirm the postmortem"),
        );
    } catch (err) {
      rt.log.error(
        { err: (err as Error).message, incidentId: meta.incidentId, user },
        "saving a postmortem failed",
      );
      // Errors keep the form and what was typed in it; only the message is ours.
      if (!answered) {
        await answer({
          response_action: "errors",
          errors: { summary: "Something went wrong on our side, so nothing is saved yet. Press Save again." },
        });
      }
    }
  });
}
