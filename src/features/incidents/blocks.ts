// Incident messages: the declaration, list lines, and what a note or resolution answers. Plain
// functions from state to blocks.

import { formatDuration } from "../../core/duration";
import { escapeMrkdwn, escapeTyped } from "../../core/mrkdwn";
import { type Block, context, header, mrkdwn, section, slackDate, truncate } from "../../platform/slack/kit";
import {
  type Incident,
  incidentDurationMs,
  POSTMORTEM_STATUS_LABEL,
  type PostmortemStatus,
  SEVERITY_LABEL,
  type Severity,
} from "./incident";

export const SEVERITY_MARK: Record<Severity, string> = { sev1: "🔴", sev2: "🟠", sev3: "🟡" };

const STATUS_MARK: Record<PostmortemStatus, string> = { written: "✅", missing: "⚠️", not_due: "⏳" };

export interface LinkedAlert {
  readonly id: string;
  readonly name: string;
}

export function usersLabel(n: number | null): string {
  return n === null ? "users affected not counted" : `${n.toLocaleString("en-US")} users affected`;
}

function alertsLabel(alerts: readonly LinkedAlert[]): string {
  if (!alerts.length) return "no alerts linked";
  // Alert names come from the alerts' labels: a name like "<!channel>" must not ping the channel.
  return alerts.map((a) => `${escapeMrkdwn(a.name)} (\`${a.id}\`)`).join(", ");
}

/** One line of `/incident list`. */
export function incidentLine(incident: Incident, status: PostmortemStatus, now: Date): string {
  const duration = formatDuration(incidentDurationMs(incident, now));
  const state = incident.status === "open" ? `open for ${duration}` : `resolved after ${duration}`;
  return (
    `${SEVERITY_MARK[incident.severity]} *${incident.id}* ${escapeTyped(incident.title)} · ${SEVERITY_LABEL[incident.severity]} · ${state}` +
    ` · declared ${slackDate(incident.declaredAt)} by <@${incident.declaredBy}>` +
    ` · ${incident.alertIds.length} alert${incident.alertIds.length === 1 ? "" : "s"}` +
    ` · ${STATUS_MARK[status]} ${POSTMORTEM_STATUS_LABEL[status]}`
  );
}

/** Splits lines into sections under Slack's 3000-character limit. */
export function chunkedSections(title: string, lines: readonly string[], maxBlocks = 10): Block[] {
  const blocks: Block[] = [];
  let current = title;
  for (const line of lines) {
    const next = current ? `${current}\n${line}` : line;
    if (next.length > 2900 && current) {
      blocks.push(section(mrkdwn(current)));
      current = truncate(line, 2900);
    } else current = truncate(next, 2900);
  }
  if (current) blocks.push(section(mrkdwn(current)));
  if (blocks.length > maxBlocks) {
    const kept = blocks.slice(0, maxBlocks - 1);
    kept.push(context([mrkdwn(`…and more; narrow the list to see the rest.`)]));
    return kept;
  }
  return blocks;
}

export interface ListedIncident {
  readonly incident: Incident;
  readonly postmortem: PostmortemStatus;
}

export function incidentListMessage(
  items: readonly ListedIncident[],
  filter: "open" | "all",
  now: Date,
  limit: number,
): { text: string; blocks: Block[] } {
  if (!items.length) {
    const text =
      filter === "open"
        ? "No open incidents. `/incident list all` shows resolved ones too; `/incident declare <title> [sev1|sev2|sev3]` declares one."
        : "No incidents yet. `/incident declare <title> [sev1|sev2|sev3]` declares one.";
    return { text, blocks: [section(mrkdwn(text))] };
  }
  const title = filter === "open" ? `*Open incidents* (${items.length})` : `*Incidents*, newest first`;
  const blocks = chunkedSections(
    title,
    items.map((i) => incidentLine(i.incident, i.postmortem, now)),
  );
  if (filter === "all" && items.length >= limit) {
    blocks.push(context([mrkdwn(`Showing the latest ${limit}.`)]));
  }
  const text = `${filter === "open" ? "Open incidents" : "Incidents"}: ${items.map((i) => i.incident.id).join(", ")}`;
  return { text, blocks };
}

/** The announcement of a new incident, where people are looking. */
export function incidentDeclaredMessage(
  incident: Incident,
  alerts: readonly LinkedAlert[],
): { text: string; blocks: Block[] } {
  const sev = SEVERITY_LABEL[incident.severity];
  const text = `${SEVERITY_MARK[incident.severity]} ${incident.id} declared (${sev}): ${escapeTyped(incident.title)}`;
  return {
    text,
    blocks: [
      header(`${SEVERITY_MARK[incident.severity]} ${incident.id} · ${sev} · declared`),
      section(mrkdwn(truncate(`*${escapeTyped(incident.title)}*`, 2900))),
      context([
        mrkdwn(
          truncate(
            `Declared by <@${incident.declaredBy}> at ${slackDate(incident.declaredAt)} · linked: ${alertsLabel(alerts)}`,
            2900,
          ),
        ),
      ]),
      context([
        mrkdwn(
          `Add to the timeline: \`/incident note ${incident.id} <what happened>\` · when it is over: \`/incident resolve ${incident.id}\` · then \`/incident postmortem ${incident.id}\``,
        ),
      ]),
    ],
  };
}

export function incidentResolvedText(incident: Incident, now: Date): string {
  return (
    `✅ ${incident.id} resolved after ${formatDuration(incidentDurationMs(incident, now))}: ${escapeTyped(incident.title)}. ` +
    `Next: write the blameless postmortem with \`/incident postmortem ${incident.id}\`.`
  );
}
