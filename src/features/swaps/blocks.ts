// What a swap request looks like in Slack, from its stored state: open (with Take), taken or
// expired; the DMs a Take sends; the "Ask for cover" button of shift-change posts and Home. Plain
// functions of their input: the request message is rewritten from them whenever it settles.

import { escapeTyped, truncate } from "../../core/mrkdwn";
import {
  actions,
  type Block,
  type Button,
  button,
  context,
  MAX_SECTION_TEXT,
  mrkdwn,
  type SlackMessage,
  section,
  slackDate,
} from "../../platform/slack/kit";
import type { SwapRequest, SwapStatus } from "./rules";

export const SWAP_ACTION = {
  /** On a request: value the request id. */
  take: "swap.take",
  /** On a shift-change post or Home: value `askValue(...)`. */
  ask: "swap.ask",
} as const;

export const SWAP_EVENT = "oncall_swap_request";

export interface SwapView {
  readonly request: SwapRequest;
  readonly status: SwapStatus;
  readonly rotationName: string;
  readonly teamName: string;
}

function window(r: SwapRequest): string {
  return `from ${slackDate(r.from)} to ${slackDate(r.to)}`;
}

function noteBlock(r: SwapRequest): Block[] {
  return r.note ? [section(mrkdwn(truncate(`> ${escapeTyped(r.note)}`, MAX_SECTION_TEXT)))] : [];
}

function filedBy(r: SwapRequest): string {
  return r.filedBy !== r.requester ? ` (filed by <@${r.filedBy}>)` : "";
}

/** The request message: the same for everyone, rewritten in place when it is taken or expires. */
export function swapRequestMessage(v: SwapView): SlackMessage {
  const { request: r, status } = v;
  const where = `*${v.rotationName}* (${v.teamName})`;
  if (status.kind === "taken") {
    const override = status.overrideId ? ` (override \`${status.overrideId}\`)` : "";
    const text = `✅ <@${status.by}> covers <@${r.requester}> in ${where} ${window(r)}${override}.`;
    return {
      text,
      blocks: [
        section(mrkdwn(text)),
        ...noteBlock(r),
        context([mrkdwn(`Taken ${slackDate(status.at)}${filedBy(r)} · swap request ${r.id}`)]),
      ],
    };
  }
  if (status.kind === "expired") {
    const text = `⌛ Expired: nobody took <@${r.requester}>'s shift in ${where} ${window(r)} before it ${r.underWay ? "ended" : "started"}.`;
    return {
      text,
      blocks: [
        section(mrkdwn(text)),
        ...noteBlock(r),
        context([mrkdwn(`Expired ${slackDate(status.at)}${filedBy(r)} · swap request ${r.id}`)]),
      ],
    };
  }
  const text = r.underWay
    ? `🆘 <@${r.requester}> needs someone to take over in ${where} now, until ${slackDate(r.to)}${filedBy(r)}.`
    : `🔄 <@${r.requester}> asks for cover in ${where} ${window(r)}${filedBy(r)}.`;
  return {
    text,
    blocks: [
      section(mrkdwn(text)),
      ...noteBlock(r),
      actions(`swap-${r.id}`, [button("Take", SWAP_ACTION.take, r.id, "primary")]),
      context([
        mrkdwn(
          `Whoever may be on call for ${v.rotationName}'s teams can take it: the first Take becomes an override. Open until ${slackDate(r.expiresAt)} · swap request ${r.id}`,
        ),
      ]),
    ],
  };
}

/** The DM to the requester once someone took their request. */
export function requesterDm(v: SwapView, taker: string, overrideId: string): string {
  return `✅ <@${taker}> took your swap request: they are on call for ${v.rotationName} ${window(v.request)} instead of you (override \`${overrideId}\`).`;
}

/** The DM to the taker. */
export function takerDm(v: SwapView, from: Date, overrideId: string): string {
  const starts = from.getTime() <= v.request.from.getTime() ? "" : ` from ${slackDate(from)}`;
  return `🔁 You cover <@${v.request.requester}> in ${v.rotationName} ${window(v.request)}${starts} (override \`${overrideId}\`). Alerts of that window page you; \`/oncall override remove ${overrideId}\` undoes it.`;
}

/** What an "Ask for cover" button carries: the rotation and the shift's bounds. */
export interface AskValue {
  readonly rotationId: string;
  readonly from: Date;
  readonly to: Date;
}

export function askValue(v: AskValue): string {
  return `${v.rotationId}|${v.from.getTime()}|${v.to.getTime()}`;
}

/** The button's value read back; null for anything that is not one (an old or forged press). */
export function readAskValue(raw: string): AskValue | null {
  const m = /^([^|]+)\|(\d+)\|(\d+)$/.exec(raw);
  if (!m) return null;
  const from = new Date(Number(m[2]));
  const to = new Date(Number(m[3]));
  return from.getTime() < to.getTime() ? { rotationId: m[1]!, from, to } : null;
}

/** "Ask for cover" for one shift, on the shift-change post and in Home. */
export function askCoverButton(v: AskValue): Button {
  return button("Ask for cover", SWAP_ACTION.ask, askValue(v));
}

/** A shift-change post: its text, and "Ask for cover" for the shift when somebody is on call. */
export function withAskForCover(text: string, ask: AskValue | null): SlackMessage {
  if (!ask) return { text, blocks: [section(mrkdwn(text))] };
  return {
    text,
    blocks: [section(mrkdwn(text)), actions(`shift-${ask.rotationId}`, [askCoverButton(ask)])],
  };
}
