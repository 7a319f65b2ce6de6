// The storm's Slack surfaces, plain functions of its state: the digest message (posted once in the
// channel, rewritten in place), the on-call engineer's DM, the thread note, and the Show alerts
// modal, paged so that no page of it comes near Slack's 100-block limit.

import type { Alert } from "../../core/alert";
import { escapeMrkdwn, truncate } from "../../core/mrkdwn";
import {
  actions,
  type Block,
  button,
  context,
  MAX_SECTION_TEXT,
  type ModalView,
  modal,
  mrkdwn,
  paragraph,
  type SlackMessage,
  section,
  slackDate,
} from "../../platform/slack/kit";
import { type ListPage, type StormSummary, stormState, type Top } from "./rules";

export const STORM_EVENT = "oncall_storm";

export const STORM_ACTION = {
  ack: "storm.ack",
  show: "storm.show",
  /** In the modal: one alert of the storm. */
  alertAck: "storm.alert.ack",
  alertPage: "storm.alert.page",
  /** In the modal: the list's other pages (value: `<storm id>:<page>`). */
  pageTo: "storm.page",
} as const;

/** Alerts per modal page: two blocks each, so a page stays far below Slack's 100 blocks. */
export const MODAL_PAGE_SIZE = 20;

export interface StormView {
  readonly id: string;
  readonly channel: string;
  readonly openedAt: string;
  readonly oncall: string | null;
  readonly closedAt: string | null;
  readonly summary: StormSummary;
}

/** The digest's message metadata: what monitoring (and the bench) counts, kept current. */
export function stormMark(v: StormView) {
  return {
    event_type: STORM_EVENT,
    event_payload: {
      storm_id: v.id,
      alerts: v.summary.alerts,
      firing: v.summary.firing,
      acknowledged: v.summary.acknowledged,
    },
  };
}

function topLines(top: Top, what: string): string {
  const lines = top.entries.map((e) => `• ${escapeMrkdwn(truncate(e.key, 80))}: ${e.count}`);
  if (top.otherKeys > 0) {
    lines.push(`• ${top.otherKeys} other ${what}${top.otherKeys === 1 ? "" : "s"}: ${top.otherCount}`);
  }
  return lines.join("\n");
}

function counts(s: StormSummary): string {
  return `${s.firing} firing · ${s.acknowledged} acknowledged · ${s.resolved} resolved`;
}

function alertsWord(n: number): string {
  return `${n} alert${n === 1 ? "" : "s"}`;
}

export function digestText(v: StormView): string {
  const s = v.summary;
  return v.closedAt
    ? `Alert storm over: ${alertsWord(s.alerts)}, all resolved`
    : `Alert storm: ${alertsWord(s.alerts)} (${counts(s)})`;
}

export function digestMessage(v: StormView): SlackMessage {
  const s = v.summary;
  const oncall = v.oncall ? ` On call: <@${v.oncall}>.` : "";
  const head = v.closedAt
    ? `:white_check_mark: *Alert storm over*: ${alertsWord(s.alerts)} from ${slackDate(v.openedAt)} to ${slackDate(v.closedAt)}, every one resolved.`
    : `:rotating_light: *Alert storm*: ${alertsWord(s.alerts)} since ${slackDate(v.openedAt)}, collected here instead of one page each.${oncall}`;
  const blocks: Block[] = [
    paragraph(head),
    context([mrkdwn(counts(s))]),
    section(mrkdwn(truncate(`*By alert*\n${topLines(s.byName, "alert")}`, MAX_SECTION_TEXT))),
    section(mrkdwn(truncate(`*By service*\n${topLines(s.byService, "service")}`, MAX_SECTION_TEXT))),
  ];
  const buttons = [button("Show alerts", STORM_ACTION.show, v.id)];
  if (!v.closedAt && s.firing > 0)
    buttons.unshift(button("Acknowledge all", STORM_ACTION.ack, v.id, "primary"));
  blocks.push(actions("storm-actions", buttons));
  return { text: digestText(v), blocks };
}

/** The on-call engineer's one DM per storm. */
export function stormDm(v: StormView, link: string | null): SlackMessage {
  const where = link ? `<${link}|the storm message>` : `<#${v.channel}>`;
  const text = `You are on call: an alert storm started in <#${v.channel}>. Its alerts are collected in ${where} instead of one page each; acknowledge them there.`;
  return { text, blocks: [paragraph(text)] };
}

/** The one re-page of an unacknowledged storm at an escalation step. */
export function stormRepageDm(v: StormView, step: number, repeats: number): SlackMessage {
  const text = `Still not acknowledged: the alert storm in <#${v.channel}> has ${v.summary.firing} firing alert${v.summary.firing === 1 ? "" : "s"} (re-page ${step} of ${repeats}). Press Acknowledge all on the storm message.`;
  return { text, blocks: [paragraph(text)] };
}

/** The one escalation broadcast per team and storm. */
export function stormBroadcast(v: StormView, teamName: string): SlackMessage {
  const text = `Escalated to every member of ${escapeMrkdwn(teamName)}: alerts of yours are in the unacknowledged alert storm in <#${v.channel}> (${counts(v.summary)}).`;
  return { text, blocks: [paragraph(text)] };
}

/** The thread note once the storm is over: a summary, never one note per alert. */
export function stormNote(v: StormView): SlackMessage {
  const s = v.summary;
  const names = s.byName.entries.map((e) => `${escapeMrkdwn(truncate(e.key, 80))} (${e.count})`).join(", ");
  const text = truncate(
    `Storm over: ${alertsWord(s.alerts)} from ${slackDate(v.openedAt)} to ${slackDate(v.closedAt ?? v.openedAt)}, all resolved. Most frequent: ${names || "none"}.`,
    MAX_SECTION_TEXT,
  );
  return { text, blocks: [paragraph(text)] };
}

function alertLine(a: Alert): string {
  const state = stormState(a);
  const who =
    state === "acknowledged" && a.assignee
      ? `acknowledged by <@${a.assignee}>`
      : state === "acknowledged"
        ? "taken by the owning team"
        : state;
  const service = a.route.serviceId ? ` · ${escapeMrkdwn(a.route.serviceId)}` : "";
  const title = a.title ? ` – ${escapeMrkdwn(truncate(a.title, 200))}` : "";
  return truncate(`*${escapeMrkdwn(truncate(a.name, 120))}*${title}${service} · ${who}`, MAX_SECTION_TEXT);
}

export const STORM_MODAL = "storm.alerts";

/** One page of the Show alerts modal; each alert can be acknowledged or opened as its own page. */
export function stormModal(v: StormView, list: ListPage<Alert>, notice?: string): ModalView {
  const blocks: Block[] = [
    ...(notice ? [paragraph(`:warning: ${notice}`)] : []),
    context([
      mrkdwn(
        `${alertsWord(v.summary.alerts)}: ${counts(v.summary)} · page ${list.page + 1} of ${list.pages}`,
      ),
    ]),
  ];
  for (const a of list.items) {
    blocks.push(section(mrkdwn(alertLine(a))));
    const buttons = [];
    if (stormState(a) === "firing")
      buttons.push(button("Acknowledge", STORM_ACTION.alertAck, a.id, "primary"));
    if (a.state !== "resolved") buttons.push(button("Open as its own page", STORM_ACTION.alertPage, a.id));
    if (buttons.length) blocks.push(actions(`storm-alert-${a.id}`, buttons));
  }
  const nav = [];
  if (list.page > 0) nav.push(button("Previous", `${STORM_ACTION.pageTo}.prev`, `${v.id}:${list.page - 1}`));
  if (list.page < list.pages - 1)
    nav.push(button("Next", `${STORM_ACTION.pageTo}.next`, `${v.id}:${list.page + 1}`));
  if (nav.length) blocks.push(actions("storm-pages", nav));
  if (list.items.length === 0) blocks.push(paragraph("No alerts are left in this storm."));
  return modal({
    title: "Alerts in the storm",
    callbackId: STORM_MODAL,
    metadata: { storm: v.id, page: list.page },
    close: "Close",
    blocks,
  });
}
