// The page: the one Slack message an alert occurrence has, rewritten in place after every change.
// A plain function from state to blocks.

import { type Alert, type AlertState, alertNames, firingInstances, instanceCounts } from "../../core/alert";
import type { OncallConfig, Runbook } from "../../core/config";
import { escapeMrkdwn, unescapeMrkdwn } from "../../core/mrkdwn";
import type { Block, Button } from "../../platform/slack/kit";
import {
  actions,
  button,
  context,
  header,
  mrkdwn,
  section,
  slackDate,
  truncate,
} from "../../platform/slack/kit";

export const STATE_MARK: Record<AlertState, string> = {
  firing: "🔴",
  acked: "🟠",
  handed_off: "🔵",
  escalated: "🚨",
  remediating: "🛠️",
  resolved: "✅",
};

/** Slack takes 50 blocks per message; an alert group can carry many alert names. */
const MAX_RUNBOOK_SECTIONS = 10;
const MAX_MISSING_RUNBOOK_SECTIONS = 5;
/** Fallback text shows in notifications; a label of a megabyte must not make Slack refuse the page. */
export const MAX_FALLBACK_TEXT = 3000;

const STATE_WORDS: Record<AlertState, string> = {
  firing: "firing",
  acked: "acknowledged",
  handed_off: "handed off",
  escalated: "escalated",
  remediating: "remediating",
  resolved: "resolved",
};

export const ACTION = {
  ack: "alert.ack",
  resolve: "alert.resolve",
  handoff: "alert.handoff",
  escalate: "alert.escalate",
  remediate: "alert.remediate",
  actionable: "alert.actionable",
  noise: "alert.noise",
  incident: "alert.incident",
  silence: "alert.silence",
  unsilence: "alert.unsilence",
} as const;

export interface PageContext {
  readonly config: OncallConfig;
  /** Prefix for links to runbook files, e.g. a repository's blob URL; null shows the path. */
  readonly runbookBaseUrl: string | null;
  /** ALERTMANAGER_URL is set: every rotation's Alertmanager alerts can be silenced. */
  readonly alertmanager?: boolean;
}

export function runbookLink(runbook: Pick<Runbook, "file">, base: string | null): string {
  return base
    ? `<${base.replace(/\/?$/, "/")}${runbook.file}|Full runbook>`
    : `Full runbook: \`${runbook.file}\``;
}

/**
 * Joins Markdown's hard-wrapped lines into paragraphs: Slack shows every newline as a break, so a
 * runbook wrapped at 100 columns would read as ragged lines. Lists and blank lines stay.
 */
export function unwrap(markdown: string): string {
  return markdown.replace(/([^\n])\n(?![\n\s]*(?:[-*+]|\d+\.)\s)(?=[^\n])/g, "$1 ");
}

export function ownerLabel(alert: Alert, config: OncallConfig): string {
  const service = alert.route.serviceId
    ? (config.services.find((s) => s.id === alert.route.serviceId)?.name ?? alert.route.serviceId)
    : null;
  const team = alert.route.teamId ? config.teams.find((t) => t.id === alert.route.teamId) : undefined;
  if (service) return team ? `${service} (${team.name})` : service;
  if (team) return team.name;
  // Paged by hand to a whole rotation: routed on purpose, just not to a service.
  if (!alert.route.unrouted)
    return config.rotations.find((r) => r.id === alert.route.rotationId)?.name ?? "on call";
  return "unrouted";
}

function whoLine(alert: Alert, config: OncallConfig): string {
  if (alert.assignedTeam) {
    const team = config.teams.find((t) => t.id === alert.assignedTeam);
    const how = alert.escalation ? "Escalated to" : "Handed to";
    return `${how} ${team?.name ?? alert.assignedTeam}${alert.assignee ? ` · <@${alert.assignee}>` : ""}`;
  }
  if (alert.assignee) return `Assignee: <@${alert.assignee}>`;
  if (alert.route.ejected) {
    const team = config.teams.find((t) => t.id === alert.route.teamId);
    return `Team ${team?.name ?? alert.route.teamId}: ${(team?.members ?? []).map((m) => `<@${m}>`).join(" ")}`;
  }
  return alert.route.oncallUser ? `On call: <@${alert.route.oncallUser}>` : "On call: nobody found";
}

export function summaryOf(alert: Alert): string {
  return (
    alert.commonAnnotations.summary ??
    alert.title ??
    alert.instances[0]?.annotations.summary ??
    alert.instances[0]?.annotations.description ??
    alert.name
  );
}

/**
 * An alert's own words (labels, annotations, title) for mrkdwn, escaped so that `<!channel>` or
 * `<@U…>` pings nobody. A page typed with `/oncall page` arrives as Slack's already escaped text
 * whose mentions are live: it is unescaped first (so `&amp;` stays one escape) and escaped again,
 * so a page cannot ping the whole channel on the sender's behalf.
 */
export function alertMrkdwn(alert: Pick<Alert, "source">, text: string): string {
  return escapeMrkdwn(alert.source === "manual" ? unescapeMrkdwn(text) : text);
}

export function summaryMrkdwn(alert: Alert): string {
  return alertMrkdwn(alert, summaryOf(alert));
}

/** The page's fallback text, shown in notifications. */
export function pageText(alert: Alert, config: OncallConfig): string {
  return truncate(
    `${STATE_MARK[alert.state]} ${alertMrkdwn(alert, alert.name)} · ${ownerLabel(alert, config)}: ${summaryMrkdwn(alert)}`,
    MAX_FALLBACK_TEXT,
  );
}

export function pageBlocks(alert: Alert, ctx: PageContext): Block[] {
  const { config } = ctx;
  const firing = firingInstances(alert);
  const counts = instanceCounts(alert);
  const blocks: Block[] = [
    header(`${STATE_MARK[alert.state]} ${alert.name} · ${ownerLabel(alert, config)}`),
    section(mrkdwn(truncate(summaryMrkdwn(alert), 2900))),
  ];
  const since =
    alert.state === "resolved" && alert.resolvedAt
      ? `resolved at ${slackDate(alert.resolvedAt)}`
      : `${STATE_WORDS[alert.state]} since ${slackDate(alert.updatedAt)} · first fired ${slackDate(alert.createdAt)}`;
  const severity = alert.severity ? ` · severity *${truncate(alertMrkdwn(alert, alert.severity), 100)}*` : "";
  blocks.push(
    context([
      mrkdwn(
        `${whoLine(alert, config)} · ${since} · ${counts.firing} of ${counts.total} instances firing${severity}`,
      ),
    ]),
  );
  const shown = (firing.length ? firing : alert.instances).slice(0, 5);
  if (shown.length) {
    const instanceNames = shown
      // A manual alert's one instance is the bot's own "/oncall page by <@U…>": a mention meant to show.
      .map((i) => {
        const name = truncate(i.labels.instance ?? i.labels.pod ?? i.fingerprint, 500);
        return alert.source === "manual" ? name : alertMrkdwn(alert, name);
      })
      .join(", ");
    // Counted over every instance, those beyond the ones the alert keeps in full too.
    const more = (firing.length ? counts.firing : counts.total) - shown.length;
    blocks.push(context([mrkdwn(truncate(`${instanceNames}${more > 0 ? ` and ${more} more` : ""}`, 2900))]));
    if (counts.notKept > 0) {
      blocks.push(
        context([
          mrkdwn(
            `${counts.notKept} older instance${counts.notKept === 1 ? "" : "s"} not listed: the alert keeps the ${alert.instances.length} most recent in full`,
          ),
        ]),
      );
    }
  }
  if (alert.route.unrouted) {
    blocks.push(
      context([mrkdwn("⚠ Unrouted: no service in `schedules/services.yaml` matches these labels; add one.")]),
    );
  }
  const names = alertNames(alert);
  const withRunbook = names.filter((n) => config.runbooks[n]);
  for (const name of withRunbook.slice(0, MAX_RUNBOOK_SECTIONS)) {
    const runbook = config.runbooks[name];
    if (!runbook) continue;
    const title = names.length > 1 ? `*${escapeMrkdwn(name)}*\n` : "";
    blocks.push(
      section(
        mrkdwn(
          truncate(
            `${title}*Context:* ${unwrap(runbook.context)}\n*Meaning:* ${unwrap(runbook.meaning)}\n${runbookLink(runbook, ctx.runbookBaseUrl)}`,
            2900,
          ),
        ),
      ),
    );
  }
  if (withRunbook.length > MAX_RUNBOOK_SECTIONS) {
    const rest = withRunbook.slice(MAX_RUNBOOK_SECTIONS).map(escapeMrkdwn).join(", ");
    blocks.push(context([mrkdwn(truncate(`More runbooks for this group: ${rest}`, 2900))]));
  }
  for (const raw of alert.missingRunbooks.slice(0, MAX_MISSING_RUNBOOK_SECTIONS)) {
    const name = escapeMrkdwn(truncate(raw, 200));
    blocks.push(section(mrkdwn(`⚠ No runbook entry for *${name}* — add \`runbooks/${name}.md\``)));
  }
  if (alert.missingRunbooks.length > MAX_MISSING_RUNBOOK_SECTIONS) {
    const rest = alert.missingRunbooks.slice(MAX_MISSING_RUNBOOK_SECTIONS).map(escapeMrkdwn).join(", ");
    blocks.push(context([mrkdwn(truncate(`⚠ No runbook entry either for: ${rest}`, 2900))]));
  }
  if (alert.previousId) {
    blocks.push(
      context([
        mrkdwn(`Occurrence ${alert.occurrence} of this alert group (previous: \`${alert.previousId}\`)`),
      ]),
    );
  }
  if (alert.silence) {
    blocks.push(
      context([
        mrkdwn(
          `🔕 Silenced in Alertmanager until ${slackDate(alert.silence.endsAt)} by <@${alert.silence.by}>`,
        ),
      ]),
    );
  }
  const buttons = pageButtons(alert, config, ctx);
  if (buttons.length) blocks.push(actions(`alert:${alert.id}`, buttons));
  return blocks;
}

/** Whether the page offers Silence: an Alertmanager alert, and an Alertmanager to silence it in. */
export function silenceable(alert: Alert, ctx: Pick<PageContext, "config" | "alertmanager">): boolean {
  if (alert.source !== "alertmanager") return false;
  return Boolean(
    ctx.alertmanager || ctx.config.rotations.find((r) => r.id === alert.route.rotationId)?.alertmanager,
  );
}

export function pageButtons(
  alert: Alert,
  config: OncallConfig,
  ctx: Pick<PageContext, "alertmanager"> = {},
): Button[] {
  const id = alert.id;
  const s = alert.state;
  const team = alert.route.teamId ? config.teams.find((t) => t.id === alert.route.teamId) : undefined;
  const hasRemediation = alertNames(alert).some((n) => config.runbooks[n]?.remediation);
  const out: Button[] = [];
  if (s === "resolved") return [button("Declare incident", ACTION.incident, id)];
  if (!alert.assignee) out.push(button("Acknowledge", ACTION.ack, id, "primary"));
  out.push(button("Resolve", ACTION.resolve, id));
  // Once the owning team has the alert (handed off or escalated), only escalating is left to do.
  if (team && !alert.route.ejected && !alert.assignedTeam && !alert.escalation) {
    out.push(button(`Hand to ${team.name}`, ACTION.handoff, id));
  }
  if (team && !alert.escalation) out.push(button("Escalate", ACTION.escalate, id, "danger"));
  if (hasRemediation && s !== "remediating") out.push(button("Run remediation", ACTION.remediate, id));
  if (alert.silence) out.push(button("Expire silence", ACTION.unsilence, id));
  else if (silenceable(alert, { config, ...ctx })) out.push(button("Silence", ACTION.silence, id));
  out.push(button("Declare incident", ACTION.incident, id));
  return out;
}
