// The blameless postmortem: the template's fields, checking what was typed into them, the timeline
// merged from the linked alerts and the incident's notes, and the Markdown export. Pure.

import type { AlertEvent } from "../../core/alert";
import { formatDuration } from "../../core/duration";
import {
  declaredText,
  type Incident,
  incidentDurationMs,
  POSTMORTEM_STATUS_LABEL,
  postmortemStatus,
  SEVERITY_LABEL,
} from "./incident";

export interface ActionItem {
  /** A Slack mention (`<@U…>`) when the owner was named by id, else the name as typed. */
  readonly owner: string;
  readonly text: string;
}

/** The template's free-text fields, in the template's order. */
export const TEXT_FIELDS = [
  {
    key: "summary",
    label: "Summary",
    hint: "What happened, in two or three sentences, for someone who was not there.",
    required: true,
    multiline: true,
  },
  {
    key: "impactWho",
    label: "Impact: who was affected",
    hint: "Which users, customers or teams noticed, and what they could not do.",
    required: true,
    multiline: true,
  },
  {
    key: "impactDuration",
    label: "Impact: how long",
    hint: "From when users were hurt until they were not.",
    required: true,
    multiline: false,
  },
  {
    key: "trigger",
    label: "Trigger",
    hint: "The change or event that set it off (a deploy, a traffic spike, an expired certificate…).",
    required: true,
    multiline: true,
  },
  {
    key: "rootCauses",
    label: "Root causes",
    hint: "Why the system let the trigger hurt users. Systems and processes, not people.",
    required: true,
    multiline: true,
  },
  {
    key: "resolution",
    label: "Resolution",
    hint: "What stopped the impact.",
    required: true,
    multiline: true,
  },
  {
    key: "detection",
    label: "Detection",
    hint: "How we found out: which alert, a customer, luck? How long did that take?",
    required: true,
    multiline: true,
  },
  {
    key: "wentWell",
    label: "What went well",
    hint: "",
    required: false,
    multiline: true,
  },
  {
    key: "wentWrong",
    label: "What went wrong",
    hint: "",
    required: false,
    multiline: true,
  },
  {
    key: "gotLucky",
    label: "Where we got lucky",
    hint: "",
    required: false,
    multiline: true,
  },
] as const;

export type TextFieldKey = (typeof TEXT_FIELDS)[number]["key"];

export interface Postmortem extends Readonly<Record<TextFieldKey, string>> {
  readonly incidentId: string;
  readonly actionItems: readonly ActionItem[];
  readonly nearMiss: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
  readonly version: number;
}

export const MAX_FIELD = 3000;
export const MAX_ACTION_ITEMS = 30;

/** What the form sends: every text field as typed (absent when left empty). */
export interface PostmortemForm {
  readonly text: Partial<Readonly<Record<TextFieldKey, string | null | undefined>>>;
  /** One action item per line, "owner: what to do". */
  readonly actionItems: string | null | undefined;
  readonly nearMiss: boolean;
  /** As typed; optional. */
  readonly usersAffected: string | null | undefined;
}

export type FormErrors = Partial<Record<TextFieldKey | "actionItems" | "usersAffected", string>>;

export type ParsedForm =
  | {
      readonly ok: true;
      readonly fields: Readonly<Record<TextFieldKey, string>>;
      readonly actionItems: readonly ActionItem[];
      readonly nearMiss: boolean;
      readonly usersAffected: number | null;
    }
  | { readonly ok: false; readonly errors: FormErrors };

function ownerOf(text: string): string {
  const t = text.trim();
  const mention = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(t);
  if (mention) return `<@${mention[1]}>`;
  const bareId = /^@?([UW][A-Z0-9]{5,})$/.exec(t);
  if (bareId) return `<@${bareId[1]}>`;
  return t;
}

/** Parses "owner: item" lines; a line without an owner is an error that quotes it. */
export function parseActionItems(text: string): { items: ActionItem[] } | { error: string } {
  const items: ActionItem[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").replace(/^\s*(?:[-*•]|\d+[.)]|\[[ xX]?\])\s*/, "").trim();
    if (!line) continue;
    // `<@U…>` holds no colon, so the first colon ends the owner.
    const colon = line.indexOf(":");
    const owner = colon > 0 ? line.slice(0, colon).trim() : "";
    const what = colon > 0 ? line.slice(colon + 1).trim() : "";
    if (!owner || !what || /^https?$/i.test(owner)) {
      const quoted = line.length > 40 ? `${line.slice(0, 39)}…` : line;
      return {
        error: `Line ${i + 1} ("${quoted}") needs an owner: write each action item as "owner: what to do", e.g. "@alice: add a retry budget to the checkout client".`,
      };
    }
    items.push({ owner: ownerOf(owner), text: what });
  }
  if (items.length > MAX_ACTION_ITEMS) {
    return {
      error: `${items.length} action items is more than anyone will follow up; keep it to ${MAX_ACTION_ITEMS}.`,
    };
  }
  return { items };
}

/** "1200", "1,200", "1 200" -> 1200; empty -> null. */
export function parseUsersAffected(text: string | null | undefined): number | null | { error: string } {
  const t = (text ?? "").trim();
  if (!t) return null;
  const digits = t.replace(/[\s,_.']/g, "");
  if (!/^\d{1,12}$/.test(digits)) {
    return {
      error: `"${t}" is not a number of users; write a whole number such as 1200, or leave it empty.`,
    };
  }
  return Number(digits);
}

/** Checks the whole form at once, so a person sees every problem on one submit. */
export function parsePostmortemForm(form: PostmortemForm): ParsedForm {
  const errors: FormErrors = {};
  const fields = {} as Record<TextFieldKey, string>;
  for (const f of TEXT_FIELDS) {
    const value = (form.text[f.key] ?? "").trim();
    if (f.required && !value) errors[f.key] = `Fill in "${f.label}". ${f.hint}`.trim();
    else if (value.length > MAX_FIELD) {
      errors[f.key] =
        `This is ${value.length} characters long; keep it under ${MAX_FIELD} (link to a document for more).`;
    }
    fields[f.key] = value;
  }
  let actionItems: ActionItem[] = [];
  const parsed = parseActionItems(form.actionItems ?? "");
  if ("error" in parsed) errors.actionItems = parsed.error;
  else if (parsed.items.length === 0) {
    errors.actionItems =
      'Add at least one action item, one per line as "owner: what to do"; a postmortem without follow-up changes nothing.';
  } else actionItems = parsed.items;
  const users = parseUsersAffected(form.usersAffected);
  if (users !== null && typeof users === "object") errors.usersAffected = users.error;
  if (Object.keys(errors).length) return { ok: false, errors };
  return {
    ok: true,
    fields,
    actionItems,
    nearMiss: form.nearMiss,
    usersAffected: typeof users === "number" ? users : null,
  };
}

/** A new postmortem, or the next version of an existing one. */
export function writePostmortem(
  previous: Postmortem | null,
  incidentId: string,
  form: Extract<ParsedForm, { ok: true }>,
  user: string,
  now: Date,
): Postmortem {
  const at = now.toISOString();
  return {
    incidentId,
    ...form.fields,
    actionItems: form.actionItems,
    nearMiss: form.nearMiss,
    createdBy: previous?.createdBy ?? user,
    createdAt: previous?.createdAt ?? at,
    updatedBy: user,
    updatedAt: at,
    version: (previous?.version ?? 0) + 1,
  };
}

// --- the timeline --------------------------------------------------------------------------------

export interface TimelineEntry {
  readonly at: string;
  /** Where it comes from: an alert's name, or the incident itself. */
  readonly source: string;
  readonly actor: string;
  readonly text: string;
}

export interface AlertTimeline {
  readonly alertId: string;
  readonly alertName: string;
  readonly events: readonly AlertEvent[];
}

/**
 * Everything that happened, oldest first: the linked alerts' events, the declaration, the notes
 * and the resolution. Entries at the same instant keep their source order (alerts first, then the
 * incident's own), so repeated exports read the same.
 */
export function incidentTimeline(incident: Incident, alerts: readonly AlertTimeline[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const declared = declaredText(incident);
  for (const a of alerts) {
    for (const e of a.events) {
      // The alerts' threads echo the declaration; the incident's own entry says it once.
      if (e.text === declared) continue;
      entries.push({ at: e.at, source: a.alertName, actor: e.actor, text: e.text });
    }
  }
  entries.push({ at: incident.declaredAt, source: incident.id, actor: incident.declaredBy, text: declared });
  for (const n of incident.notes) {
    entries.push({ at: n.at, source: incident.id, actor: n.author, text: `<@${n.author}>: ${n.text}` });
  }
  if (incident.resolvedAt) {
    entries.push({
      at: incident.resolvedAt,
      source: incident.id,
      actor: incident.resolvedBy ?? "",
      text: `${incident.resolvedBy ? `<@${incident.resolvedBy}> resolved` : "Resolved"} ${incident.id}`,
    });
  }
  return entries
    .map((e, i) => ({ e, i, t: Date.parse(e.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ e }) => e);
}

// --- Markdown ------------------------------------------------------------------------------------

/** "2026-11-25 10:03:07 UTC". */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/**
 * Slack's markup to Markdown: user mentions by name when known, channels, links. `names` maps a
 * user id to the name to show (without "@").
 */
export function slackToMarkdown(text: string, names: Readonly<Record<string, string>> = {}): string {
  return (
    text
      .replace(
        /<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g,
        (_, id: string, label?: string) => `@${names[id] ?? label ?? id}`,
      )
      // Special mentions by name: a pasted export pings nobody.
      .replace(/<!(channel|here|everyone)(?:\|[^>]*)?>/g, "@$1")
      .replace(
        /<!subteam\^([A-Z0-9]+)(?:\|@?([^>]*))?>/g,
        (_, id: string, label?: string) => `@${label || id}`,
      )
      .replace(/<#([CDG][A-Z0-9]+)(?:\|([^>]*))?>/g, (_, id: string, label?: string) => `#${label ?? id}`)
      .replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, "$1")
      .replace(/<(https?:[^|>]+)\|([^>]+)>/g, "[$2]($1)")
      .replace(/<(https?:[^>]+)>/g, "$1")
  );
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
}

export interface ExportInput {
  readonly incident: Incident;
  readonly postmortem: Postmortem;
  readonly timeline: readonly TimelineEntry[];
  /** The linked alerts, for the facts table. */
  readonly alerts: readonly { readonly id: string; readonly name: string }[];
  readonly now: Date;
  readonly names?: Readonly<Record<string, string>>;
}

/** The postmortem as a Markdown document, timeline included, ready for a wiki or a repository. */
export function postmortemMarkdown(input: ExportInput): string {
  const { incident, postmortem: pm, names = {} } = input;
  const md = (t: string) => slackToMarkdown(t, names);
  const user = (id: string | null) => (id ? md(`<@${id}>`) : "—");
  const out: string[] = [];
  out.push(`# ${incident.id}: ${md(incident.title)}`, "");
  out.push(
    `_Blameless postmortem. ${pm.nearMiss ? "Near miss: nobody was hurt this time." : "Incident with user impact."}_`,
    "",
  );
  const facts: [string, string][] = [
    ["Severity", SEVERITY_LABEL[incident.severity]],
    ["Status", incident.status],
    ["Near miss", pm.nearMiss ? "yes" : "no"],
    ["Started", formatUtc(incident.startedAt)],
    ["Declared", `${formatUtc(incident.declaredAt)} by ${user(incident.declaredBy)}`],
    [
      "Resolved",
      incident.resolvedAt ? `${formatUtc(incident.resolvedAt)} by ${user(incident.resolvedBy)}` : "not yet",
    ],
    [
      "Duration",
      `${formatDuration(incidentDurationMs(incident, input.now))}${incident.resolvedAt ? "" : " so far"}`,
    ],
    ["Users affected", incident.usersAffected === null ? "not counted" : String(incident.usersAffected)],
    ["Owner", user(incident.owner)],
    [
      "Linked alerts",
      input.alerts.length ? input.alerts.map((a) => `${a.name} (\`${a.id}\`)`).join(", ") : "none",
    ],
    [
      "Postmortem",
      `${POSTMORTEM_STATUS_LABEL[postmortemStatus(incident, true)]}, last edited ${formatUtc(pm.updatedAt)} by ${user(pm.updatedBy)}`,
    ],
  ];
  out.push("| | |", "|---|---|", ...facts.map(([k, v]) => `| ${k} | ${cell(v)} |`), "");

  const section = (title: string, body: string) => {
    out.push(`## ${title}`, "", body.trim() ? md(body.trim()) : "_Not filled in._", "");
  };
  const field = (key: TextFieldKey) => pm[key];
  section("Summary", field("summary"));
  out.push(
    "## Impact",
    "",
    `**Who:** ${md(field("impactWho"))}`,
    "",
    `**How long:** ${md(field("impactDuration"))}`,
    "",
  );
  section("Trigger", field("trigger"));
  section("Root causes", field("rootCauses"));
  section("Resolution", field("resolution"));
  section("Detection", field("detection"));
  out.push("## Action items", "");
  if (pm.actionItems.length) {
    for (const a of pm.actionItems) out.push(`- [ ] ${md(a.text)} — owner: ${md(a.owner)}`);
  } else out.push("_None._");
  out.push("");
  out.push("## Lessons learned", "");
  out.push("### What went well", "", field("wentWell") ? md(field("wentWell")) : "_Not filled in._", "");
  out.push("### What went wrong", "", field("wentWrong") ? md(field("wentWrong")) : "_Not filled in._", "");
  out.push("### Where we got lucky", "", field("gotLucky") ? md(field("gotLucky")) : "_Not filled in._", "");
  out.push("## Timeline", "", "All times UTC.", "");
  if (input.timeline.length) {
    for (const e of input.timeline) {
      out.push(`- **${formatUtc(e.at)}** · ${md(e.source)} · ${md(e.text).replace(/\r?\n/g, " ")}`);
    }
  } else out.push("_Nothing recorded._");
  out.push("");
  return out.join("\n");
}
