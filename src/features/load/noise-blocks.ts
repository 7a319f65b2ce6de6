// The noise answer of `/oncall noise`: the noisiest alerts, ranked, the worst marked "fix or delete".

import type { Team } from "../../core/config";
import { formatDuration } from "../../core/duration";
import { escapeMrkdwn } from "../../core/mrkdwn";
import { type Block, context, header, mrkdwn, section, truncate } from "../../platform/slack/kit";
import { plural } from "./load-blocks";
import type { NoiseReport, NoiseRow } from "./noise";

export const NOISE_ROWS_SHOWN = 10;

export function teamLabel(teams: readonly Pick<Team, "id" | "name">[], teamId: string | null): string {
  if (teamId === null) return "unrouted";
  return teams.find((t) => t.id === teamId)?.name ?? teamId;
}

export function noiseRowText(row: NoiseRow, teams: readonly Pick<Team, "id" | "name">[]): string {
  const mark = row.fixOrDelete ? " — 🗑 *fix or delete*" : "";
  return [
    `*${row.rank}. ${escapeMrkdwn(row.name)}* · ${teamLabel(teams, row.teamId)}${mark}`,
    `${plural(row.noisy, "noisy page")} of ${row.fired} fired · ${row.acked} acknowledged · ` +
      `${row.answeredNoise} answered noise · ${row.answeredActionable} actionable · ` +
      `${row.resolvedBySelf} resolved by itself · ${row.flapping} flapping · ` +
      (row.silenced ? `${plural(row.silenced, "silence")} · ` : "") +
      `median time to acknowledge ${formatDuration(row.medianAckMs)}`,
  ].join("\n");
}

export function noiseMessage(
  report: NoiseReport,
  teams: readonly Pick<Team, "id" | "name">[],
  days: number,
): { text: string; blocks: Block[] } {
  const span = plural(days, "day");
  const blocks: Block[] = [header(`🔕 Noisiest alerts · last ${span}`)];
  if (!report.rows.length) {
    blocks.push(section(mrkdwn(`No alert fired in the last ${span}.`)));
    return { text: `No alert fired in the last ${span}.`, blocks };
  }
  blocks.push(
    context([
      mrkdwn(
        `${plural(report.fired, "page")}, ${report.noisy} noisy: answered "noise", resolved by themselves before anyone acknowledged, fired again within an hour of resolving, or silenced without anyone answering "actionable".`,
      ),
    ]),
  );
  const shown = report.rows.slice(0, NOISE_ROWS_SHOWN);
  for (const row of shown) blocks.push(section(mrkdwn(truncate(noiseRowText(row, teams), 2900))));
  if (report.rows.length > shown.length) {
    blocks.push(context([mrkdwn(`and ${report.rows.length - shown.length} quieter alerts`)]));
  }
  blocks.push(
    context([
      mrkdwn(
        "Answer *Actionable* or *Noise* on resolved pages to sharpen this list. Fix an alert by tuning its rule; delete it if nobody would act on it.",
      ),
    ]),
  );
  const worst = report.rows.filter((r) => r.fixOrDelete);
  const text = worst.length
    ? `Noisiest alerts, last ${span}: ${worst.map((r) => `${escapeMrkdwn(r.name)} (${teamLabel(teams, r.teamId)}): ${r.noisy} noisy of ${r.fired}, fix or delete`).join("; ")}`
    : `No noisy alerts in the last ${span} (${plural(report.fired, "page")}).`;
  return { text, blocks };
}
