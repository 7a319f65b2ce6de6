// The ops part of the weekly report (also `/oncall report` and `/incident agenda`): pages per team,
// how fast they were acknowledged and resolved, the noisiest alerts, and teams over their load limit.

import { formatDuration } from "../../core/duration";
import { escapeMrkdwn } from "../../core/mrkdwn";
import { median, timeToAck, timeToResolve } from "../../core/outcome";
import { DAY_MS } from "../../core/tz";
import { type Block, context, header, mrkdwn, section, truncate } from "../../platform/slack/kit";
import type { Runtime } from "../../runtime";
import { formatRate, plural } from "../load/load-blocks";
import { noiseReport } from "../load/noise";
import { teamLabel } from "../load/noise-blocks";
import { ejectionReason } from "../load/rules";
import { teamLoad } from "../load/team-load";

const NOISY_SHOWN = 5;

export async function opsReport(
  rt: Runtime,
  now: Date,
  windowDays = 7,
): Promise<{ text: string; blocks: Block[] }> {
  const weeks = windowDays / 7;
  const from = new Date(now.getTime() - windowDays * DAY_MS);
  const { load, data, ejections } = await teamLoad(rt, now, weeks);
  const noise = noiseReport({ occurrences: data.occurrences, earlier: data.earlier, from, to: now });
  const recent = data.occurrences.filter((o) => Date.parse(o.alert.createdAt) >= from.getTime());
  const teams = rt.config.teams;
  const span = plural(windowDays, "day");

  const pageLines = load.teams.map(
    (t) =>
      `• *${t.teamName}*: ${plural(t.pages, "page")} (${t.outsideWorkday} outside its workday) · ` +
      `acknowledged in ${formatDuration(t.medianAckMs)} · resolved in ${formatDuration(t.medianResolveMs)}`,
  );
  if (load.unrouted) pageLines.push(`• _Unrouted_: ${plural(load.unrouted, "page")} matched no service`);
  const ackAll = median(recent.flatMap((o) => timeToAck(o.alert) ?? []));
  const resolveAll = median(recent.flatMap((o) => timeToResolve(o.alert) ?? []));
  const overall =
    `${plural(recent.length, "page")} in all · acknowledged in ${formatDuration(ackAll)} · ` +
    `resolved in ${formatDuration(resolveAll)} (medians)`;

  const noisy = noise.rows.filter((r) => r.noisy > 0).slice(0, NOISY_SHOWN);
  const noiseLines = noisy.length
    ? noisy.map(
        (r) =>
          `${r.rank}. *${escapeMrkdwn(r.name)}* · ${teamLabel(teams, r.teamId)}: ${r.noisy} noisy of ${r.fired} fired ` +
          `(${r.answeredNoise} answered noise, ${r.resolvedBySelf} resolved by itself, ${r.flapping} flapping)` +
          `${r.fixOrDelete ? " — 🗑 *fix or delete*" : ""}`,
      )
    : ["No noisy alerts: nothing was answered noise, resolved by itself or flapped."];

  const limitLines: string[] = [];
  for (const t of load.teams) {
    if (t.eligibleForEjection && t.limit) {
      limitLines.push(
        `🚩 *${t.teamName}*: ${formatRate(t.windowPagesPerWeek ?? 0)} pages/week over ` +
          `${plural(t.limit.windowWeeks, "week")} against a limit of ${t.limit.pagesPerWeek} — ` +
          `eligible for ejection from ${t.limit.rotationName} (\`/oncall eject ${t.teamId} <reason>\`)`,
      );
    }
  }
  for (const e of ejections) {
    const t = teams.find((x) => x.id === e.teamId);
    limitLines.push(
      `⏏ *${t?.name ?? e.teamId}* is ejected since ${e.at.slice(0, 10)} (by <@${e.by}>: ${ejectionReason(e.reason)}); ` +
        `\`/oncall readmit ${e.teamId}\` when its load is back under the limit`,
    );
  }
  if (!limitLines.length) limitLines.push("Every team is within its load limit.");

  const blocks: Block[] = [
    header(`📊 Ops review · last ${span}`),
    section(mrkdwn(truncate(`*Pages per team*\n${pageLines.join("\n")}`, 2900))),
    context([mrkdwn(overall)]),
    section(mrkdwn(truncate(`*Noisiest alerts*\n${noiseLines.join("\n")}`, 2900))),
    section(mrkdwn(truncate(`*Load limits*\n${limitLines.join("\n")}`, 2900))),
  ];
  const eligible = load.teams.filter((t) => t.eligibleForEjection).map((t) => t.teamName);
  // Alert names come from whoever sends the webhook; "<!channel>" must not ping the review channel.
  const worst = noise.rows.filter((r) => r.fixOrDelete).map((r) => escapeMrkdwn(r.name));
  const text =
    `Ops review, last ${span}: ${overall}.` +
    (worst.length ? ` Fix or delete: ${worst.join(", ")}.` : "") +
    (eligible.length ? ` Eligible for ejection: ${eligible.join(", ")}.` : "");
  return { text, blocks };
}
