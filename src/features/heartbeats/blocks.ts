// `/oncall heartbeats`: every heartbeat with its status and last ping. A plain function of state.

import type { Heartbeat, OncallConfig } from "../../core/config";
import { formatDuration } from "../../core/duration";
import { type Block, paragraph, slackDate } from "../../platform/slack/kit";
import { heartbeatStatus, lastPingText } from "./rules";

function where(config: OncallConfig, hb: Heartbeat): string {
  if (hb.target.kind === "rotation") {
    return `rotation ${config.rotations.find((r) => r.id === hb.target.id)?.name ?? hb.target.id}`;
  }
  return `team ${config.teams.find((t) => t.id === hb.target.id)?.name ?? hb.target.id}`;
}

/** One line per heartbeat: status, last ping (a date token, and how long ago), interval, where it pages. */
export function heartbeatLines(
  config: OncallConfig,
  lastPings: ReadonlyMap<string, number | null>,
  startedAt: number,
  now: number,
): string[] {
  return config.heartbeats.map((hb) => {
    const last = lastPings.get(hb.name) ?? null;
    const status = heartbeatStatus(hb, last, startedAt, now);
    const state =
      status.kind === "ok"
        ? ":large_green_circle: ok"
        : status.kind === "starting"
          ? ":hourglass_flowing_sand: waiting for a first ping since the bot started"
          : `:red_circle: missed since ${slackDate(new Date(status.since))}`;
    const ping = last === null ? "no ping yet" : `${lastPingText(last, now)} (${slackDate(new Date(last))})`;
    const grace = hb.graceMs > 0 ? ` + ${formatDuration(hb.graceMs)} grace` : "";
    const via = hb.alertname ? `, or alert \`${hb.alertname}\`` : "";
    return `• *${hb.name}* — ${state}; ${ping}. Every ${formatDuration(hb.intervalMs)}${grace}${via}; a miss pages ${where(config, hb)}.`;
  });
}

export function heartbeatsReply(lines: readonly string[]): { text: string; blocks: Block[] } {
  if (lines.length === 0) {
    const text =
      "No heartbeats are configured. Add schedules/heartbeats.yaml (README: Heartbeats) to page when Prometheus, Alertmanager or a cron job goes quiet.";
    return { text, blocks: [paragraph(text)] };
  }
  const text = `*Heartbeats* (${lines.length})\n${lines.join("\n")}`;
  return { text, blocks: [paragraph(text)] };
}
