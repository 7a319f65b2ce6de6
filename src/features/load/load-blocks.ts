// The ops-load answer of `/oncall load`: per team, what its services cost the rotation against the
// rotation's load limit, and whether it is eligible for ejection. Plain functions from the report.

import { formatDuration } from "../../core/duration";
import { escapeMrkdwn } from "../../core/mrkdwn";
import { type Block, context, header, mrkdwn, section, truncate } from "../../platform/slack/kit";
import type { LoadReport, TeamLoad } from "./load";

const MAX_TEAM_BLOCKS = 45;

/** One decimal, without a trailing ".0". */
export function formatRate(n: number): string {
  return String(Math.round(n * 10) / 10);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "eligible for ejection" / "ejected" / "" for a team's status. */
export function ejectionMark(t: TeamLoad): string {
  if (t.ejected) return "⏏ ejected";
  if (t.eligibleForEjection) return "🚩 over its load limit: eligible for ejection";
  return "";
}

export function limitLine(t: TeamLoad): string {
  if (!t.limit) return "In no rotation: carries its own pages.";
  const l = t.limit;
  return (
    `Limit ${l.pagesPerWeek}/week over ${plural(l.windowWeeks, "week")} (${l.rotationName}): ` +
    `${t.weekly.join(", ")} → ${formatRate(t.windowPagesPerWeek ?? 0)}/week${t.overLimit ? " *over the limit*" : ""}`
  );
}

export function teamLoadText(t: TeamLoad, weeks: number): string {
  const mark = ejectionMark(t);
  const runbooks = t.noRunbook
    ? ` · ${plural(t.noRunbook, "page")} without a runbook (${t.noRunbookNames.map(escapeMrkdwn).join(", ")})`
    : "";
  return [
    `*${t.teamName}*${mark ? ` — ${mark}` : ""}`,
    `${plural(t.pages, "page")} in ${plural(weeks, "week")} (${formatRate(t.pagesPerWeek)}/week) · ` +
      `${t.outsideWorkday} outside its workday · ${plural(t.handOffs, "hand-off")} · ` +
      `${plural(t.escalations, "escalation")} received${runbooks}`,
    `Acknowledged in ${formatDuration(t.medianAckMs)} (median) · page to resolve ` +
      `${formatDuration(t.medianResolveMs)} median, ${formatDuration(t.p90ResolveMs)} p90`,
    limitLine(t),
  ].join("\n");
}

export function loadMessage(report: LoadReport): { text: string; blocks: Block[] } {
  const weeks = plural(report.weeks, "week");
  const blocks: Block[] = [header(`📈 Ops load · last ${weeks}`)];
  // Slack takes 50 blocks per message; past that, the teams needing attention come first.
  const ordered =
    report.teams.length > MAX_TEAM_BLOCKS
      ? [...report.teams].sort(
          (a, b) => Number(b.eligibleForEjection) - Number(a.eligibleForEjection) || b.pages - a.pages,
        )
      : report.teams;
  for (const t of ordered.slice(0, MAX_TEAM_BLOCKS)) {
    blocks.push(section(mrkdwn(truncate(teamLoadText(t, report.weeks), 2900))));
  }
  if (ordered.length > MAX_TEAM_BLOCKS) {
    blocks.push(
      context([
        mrkdwn(`and ${ordered.length - MAX_TEAM_BLOCKS} more teams: \`/oncall load <team>\` shows one`),
      ]),
    );
  }
  if (report.unrouted) {
    blocks.push(
      context([
        mrkdwn(
          `${plural(report.unrouted, "page")} matched no service and count against no team: add them to \`schedules/services.yaml\`.`,
        ),
      ]),
    );
  }
  const eligible = report.teams.filter((t) => t.eligibleForEjection);
  if (eligible.length) {
    blocks.push(
      context([
        mrkdwn(
          `A rotation admin may eject a team over its limit: \`/oncall eject ${eligible[0]!.teamId} <reason>\`; its alerts then go to its own channel and members.`,
        ),
      ]),
    );
  }
  const summary = report.teams
    .map((t) => `${t.teamName} ${t.pages}${t.eligibleForEjection ? " (eligible for ejection)" : ""}`)
    .join(", ");
  return { text: `Ops load, last ${weeks}: ${summary || "no teams"}`, blocks };
}
