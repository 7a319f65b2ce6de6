// Messages about an alert that go beyond its page: the owning team's channel post after a hand-off
// or escalation, the escalation DM to each team member and the timer's re-page DM. Plain functions
// from state to blocks.

import type { Alert } from "../../core/alert";
import { BOT } from "../../core/alert-actions";
import type { OncallConfig, Team } from "../../core/config";
import { escapeTyped } from "../../core/mrkdwn";
import type { Block, SlackMessage } from "../../platform/slack/kit";
import {
  actions,
  button,
  context,
  formatDuration,
  header,
  mrkdwn,
  section,
  truncate,
} from "../../platform/slack/kit";
import { ACTION, alertMrkdwn, MAX_FALLBACK_TEXT, ownerLabel, summaryMrkdwn } from "../paging/blocks";

export type { SlackMessage };

function link(pageLink: string | null): string {
  return pageLink ? `<${pageLink}|Open the page>` : "";
}

function mentions(team: Team, except: string | null = null): string {
  return team.members
    .filter((m) => m !== except)
    .map((m) => `<@${m}>`)
    .join(" ");
}

function who(user: string): string {
  return user === BOT ? "The escalation timer" : `<@${user}>`;
}

/**
 * Where the alert stands for someone who can take it: an Acknowledge button while nobody has, and
 * who did once someone has. `recipient` personalises the line in a DM.
 */
function standing(alert: Alert, blockId: string, recipient: string | null): Block {
  if (alert.state === "resolved") {
    return context([mrkdwn(`✅ Resolved${alert.assignee ? ` · handled by <@${alert.assignee}>` : ""}`)]);
  }
  if (alert.assignee) {
    return context([
      mrkdwn(
        alert.assignee === recipient
          ? "✅ You acknowledged this alert; it is yours."
          : `✅ Acknowledged by <@${alert.assignee}>`,
      ),
    ]);
  }
  return actions(blockId, [button("Acknowledge", ACTION.ack, alert.id, "primary")]);
}

/** For a header (plain text): Slack shows it as is. */
function title(alert: Alert, config: OncallConfig): string {
  return `${alert.name} · ${ownerLabel(alert, config)}`;
}

/** For mrkdwn and fallback text, where the alert's own name must not ping or link. */
function titleMrkdwn(alert: Alert, config: OncallConfig): string {
  return `${alertMrkdwn(alert, alert.name)} · ${ownerLabel(alert, config)}`;
}

/** The DM each member of the owning team gets when an alert is escalated to the team. */
export function escalationDm(
  alert: Alert,
  config: OncallConfig,
  recipient: string,
  pageLink: string | null,
): SlackMessage {
  const esc = alert.escalation;
  const reason = escapeTyped(esc?.reason ?? "");
  const by = esc ? who(esc.by) : "Someone";
  const where = [link(pageLink), alert.route.oncallUser ? `on call: <@${alert.route.oncallUser}>` : ""]
    .filter(Boolean)
    .join(" · ");
  return {
    text: truncate(`🚨 Escalated to your team: ${titleMrkdwn(alert, config)}: ${reason}`, MAX_FALLBACK_TEXT),
    blocks: [
      header(`🚨 Escalated: ${title(alert, config)}`),
      section(mrkdwn(truncate(summaryMrkdwn(alert), 2900))),
      section(
        mrkdwn(truncate(`*Why:* ${reason}\n${by} escalated this alert to every member of your team.`, 2900)),
      ),
      ...(where ? [context([mrkdwn(where)])] : []),
      standing(alert, `broadcast:${alert.id}`, recipient),
    ],
  };
}

/** The owning team's channel post after a hand-off or an escalation, mentioning every member. */
export function teamPost(
  alert: Alert,
  config: OncallConfig,
  team: Team,
  kind: "handoff" | "escalation",
  by: string,
  pageLink: string | null,
): SlackMessage {
  const people = mentions(team);
  const what = titleMrkdwn(alert, config);
  const lead =
    kind === "handoff"
      ? `${people}\n${who(by)} handed *${what}* to ${team.name}: it is yours now. Whoever takes it, press Acknowledge.`
      : `${people}\n🚨 ${who(by)} escalated *${what}* to every member of ${team.name}: ${escapeTyped(alert.escalation?.reason ?? "")}`;
  return {
    text: truncate(
      `${people} ${kind === "handoff" ? "Handed to" : "Escalated to"} ${team.name}: ${what}`,
      MAX_FALLBACK_TEXT,
    ),
    blocks: [
      section(mrkdwn(truncate(lead, 2900))),
      section(mrkdwn(truncate(summaryMrkdwn(alert), 2900))),
      ...(pageLink ? [context([mrkdwn(link(pageLink))])] : []),
      standing(alert, `team:${kind}:${alert.id}`, null),
    ],
  };
}

/** The timer's reminder to the on-call engineer. */
export function repageDm(
  alert: Alert,
  config: OncallConfig,
  step: number,
  repeats: number,
  pageLink: string | null,
): SlackMessage {
  const what = titleMrkdwn(alert, config);
  const next =
    step < repeats
      ? "You will be paged again if nobody acknowledges it."
      : alert.route.teamId
        ? "If nobody acknowledges it, it escalates to the owning team next."
        : "It has no owning team to escalate to.";
  return oncallReminder(
    alert,
    `⏰ Still not acknowledged (re-page ${step} of ${repeats}): ${what}`,
    `⏰ *Still not acknowledged* (re-page ${step} of ${repeats}): *${what}*\n${summaryMrkdwn(alert)}\n${next}`,
    `repage:${alert.id}`,
    pageLink,
  );
}

/** The on-call engineer's page when the owning team let a hand-off lapse: the alert is back. */
export function handOffLapsedDm(
  alert: Alert,
  config: OncallConfig,
  team: Team,
  timeoutMs: number,
  pageLink: string | null,
): SlackMessage {
  const what = titleMrkdwn(alert, config);
  return oncallReminder(
    alert,
    `⏰ ${team.name} did not take the alert you handed off: ${what}`,
    `⏰ *${team.name} did not take it* within ${formatDuration(timeoutMs)}: *${what}* is back with you.\n${summaryMrkdwn(alert)}\nIf nobody acknowledges it, you will be paged again, then it escalates to every member of ${team.name}.`,
    `handoff-lapsed:${alert.id}`,
    pageLink,
  );
}

/** A DM to the on-call engineer about an alert nobody has taken: the text, the link, Acknowledge. */
function oncallReminder(
  alert: Alert,
  fallback: string,
  body: string,
  blockId: string,
  pageLink: string | null,
): SlackMessage {
  return {
    text: truncate(fallback, MAX_FALLBACK_TEXT),
    blocks: [
      section(mrkdwn(truncate(body, 2900))),
      ...(pageLink ? [context([mrkdwn(link(pageLink))])] : []),
      standing(alert, blockId, alert.route.oncallUser),
    ],
  };
}
