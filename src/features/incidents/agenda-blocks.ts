// The weekly review as a message: the agenda (incidents and near misses by impact, missing
// postmortems by name) followed by the ops report. The same message is the scheduled post and the
// answer to `/oncall report` and `/incident agenda`.

import { formatDuration } from "../../core/duration";
import { escapeTyped } from "../../core/mrkdwn";
import { type Block, context, divider, header, mrkdwn, slackDate } from "../../platform/slack/kit";
import type { Agenda, AgendaEntry } from "./agenda";
import { chunkedSections, SEVERITY_MARK, usersLabel } from "./blocks";
import { POSTMORTEM_STATUS_LABEL, SEVERITY_LABEL } from "./incident";

/** Slack's limit for one message. */
const MAX_MESSAGE_BLOCKS = 50;

const STATUS_MARK = { written: "✅", missing: "⚠️", not_due: "⏳" } as const;

export function agendaLine(e: AgendaEntry, rank: number): string {
  const i = e.incident;
  const open = i.status === "open" ? " so far (still open)" : "";
  const pm =
    e.postmortem === "written"
      ? `${STATUS_MARK.written} postmortem written (${e.actionItems} action item${e.actionItems === 1 ? "" : "s"})`
      : `${STATUS_MARK[e.postmortem]} ${POSTMORTEM_STATUS_LABEL[e.postmortem]}`;
  return (
    `${rank}. ${SEVERITY_MARK[i.severity]} *${i.id}* ${escapeTyped(i.title)} · ${SEVERITY_LABEL[i.severity]} · ` +
    `${formatDuration(e.durationMs)}${open} · ${usersLabel(i.usersAffected)} · ` +
    `owner ${e.owner ? `<@${e.owner}>` : "nobody"} · ${pm}`
  );
}

function missingLine(e: AgendaEntry): string {
  const i = e.incident;
  const who = e.owner ? `<@${e.owner}>` : "no owner";
  return `• *${i.id}* ${escapeTyped(i.title)} (${SEVERITY_LABEL[i.severity]}, resolved ${slackDate(i.resolvedAt ?? i.declaredAt)}) — ${who}: \`/incident postmortem ${i.id}\``;
}

/** A titled list with its count in at most `maxBlocks` sections, or the title and `empty` when it has none. */
function listSections(title: string, lines: readonly string[], maxBlocks: number, empty: string): Block[] {
  return lines.length
    ? chunkedSections(`${title} (${lines.length})`, lines, maxBlocks)
    : chunkedSections(title, [empty]);
}

export function agendaBlocks(agenda: Agenda): Block[] {
  const blocks: Block[] = [
    header("🗓 Weekly incident review"),
    context([
      mrkdwn(
        `Since the last review (${slackDate(agenda.since)}) until ${slackDate(agenda.until)} · ordered by impact: severity, duration, users affected`,
      ),
    ]),
  ];
  blocks.push(
    ...listSections(
      "*Incidents*",
      agenda.incidents.map((e, n) => agendaLine(e, n + 1)),
      8,
      "No incidents since the last review.",
    ),
    ...listSections(
      "*Near misses*",
      agenda.nearMisses.map((e, n) => agendaLine(e, n + 1)),
      6,
      "None flagged.",
    ),
    ...listSections(
      "*Missing postmortems*",
      agenda.missingPostmortems.map(missingLine),
      4,
      "None: every resolved incident has one.",
    ),
  );
  return blocks;
}

export function agendaText(agenda: Agenda): string {
  const ids = (es: readonly AgendaEntry[]) => es.map((e) => e.incident.id).join(", ");
  const parts = [
    `Weekly incident review: ${agenda.incidents.length} incident${agenda.incidents.length === 1 ? "" : "s"}${agenda.incidents.length ? ` (${ids(agenda.incidents)})` : ""}`,
    `${agenda.nearMisses.length} near miss${agenda.nearMisses.length === 1 ? "" : "es"}${agenda.nearMisses.length ? ` (${ids(agenda.nearMisses)})` : ""}`,
    agenda.missingPostmortems.length
      ? `postmortems missing for ${ids(agenda.missingPostmortems)}`
      : "no postmortems missing",
  ];
  return `${parts.join(", ")}.`;
}

/** The agenda, then the ops report, within one message's block limit. */
export function reviewMessage(
  agenda: Agenda,
  report: { readonly text: string; readonly blocks: readonly Block[] },
): { text: string; blocks: Block[] } {
  const top = agendaBlocks(agenda);
  const room = MAX_MESSAGE_BLOCKS - top.length - 1;
  const rest =
    report.blocks.length <= room
      ? report.blocks
      : [
          ...report.blocks.slice(0, room - 1),
          context([mrkdwn("…the rest of the report: `/oncall load`, `/oncall noise`")]),
        ];
  return { text: `${agendaText(agenda)} ${report.text}`, blocks: [...top, divider(), ...rest] };
}
