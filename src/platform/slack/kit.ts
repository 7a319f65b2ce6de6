// Block Kit constructors typed with @slack/types: plain objects, so builders stay readable, tests
// compare output, and a block Slack would refuse (a missing field, a wrong element) fails to compile.

import type {
  AckFn,
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
  ViewResponseAction,
} from "@slack/bolt";
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ContextBlock,
  ContextBlockElement,
  DividerBlock,
  HeaderBlock,
  HomeView,
  InputBlock,
  InputBlockElement,
  KnownBlock,
  ModalView,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from "@slack/types";
import { truncate } from "../../core/mrkdwn";

export { formatDuration } from "../../core/duration";
export { escapeMrkdwn, truncate, unescapeMrkdwn } from "../../core/mrkdwn";
export type { Button, HomeView, InputBlock, ModalView, PlainTextOption };

export type Block = KnownBlock;
export type TextObject = PlainTextElement | MrkdwnElement;

/** A message: its fallback text (notifications, screen readers) and its blocks. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: Block[];
}

/** Slack refuses a section or context text over 3000 characters; this leaves room for a suffix. */
export const MAX_SECTION_TEXT = 2900;

export function mrkdwn(text: string): MrkdwnElement {
  return { type: "mrkdwn", text };
}

export function plain(text: string): PlainTextElement {
  return { type: "plain_text", text: truncate(text, 150), emoji: true };
}

export function header(text: string): HeaderBlock {
  return { type: "header", text: plain(text) };
}

export function section(
  text: TextObject,
  extra: Partial<Omit<SectionBlock, "type" | "text">> = {},
): SectionBlock {
  return { type: "section", text, ...extra };
}

/** A mrkdwn section cut to Slack's limit: the paragraph of most messages and modals. */
export function paragraph(text: string): SectionBlock {
  return section(mrkdwn(truncate(text, MAX_SECTION_TEXT)));
}

export function context(elements: readonly ContextBlockElement[]): ContextBlock {
  return { type: "context", elements: [...elements] };
}

export function divider(): DividerBlock {
  return { type: "divider" };
}

/** Slack refuses a whole message whose button text is over 75 characters. */
export const MAX_BUTTON_TEXT = 75;

export function button(text: string, actionId: string, value: string, style?: "primary" | "danger"): Button {
  return {
    type: "button",
    text: plain(truncate(text, MAX_BUTTON_TEXT)),
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

export function actions(blockId: string, elements: readonly ActionsBlockElement[]): ActionsBlock {
  return { type: "actions", block_id: blockId, elements: [...elements] };
}

export function option(text: string, value: string): PlainTextOption {
  return { text: plain(text), value };
}

export function input(
  blockId: string,
  label: string,
  element: InputBlockElement,
  opts: { readonly optional?: boolean; readonly hint?: string } = {},
): InputBlock {
  return {
    type: "input",
    block_id: blockId,
    label: plain(label),
    ...(opts.optional ? { optional: true } : {}),
    ...(opts.hint ? { hint: plain(opts.hint) } : {}),
    element,
  };
}

export interface ModalSpec {
  readonly title: string;
  readonly blocks: Block[];
  readonly callbackId?: string;
  /** Serialised as the view's private_metadata, which Slack hands back on submission. */
  readonly metadata?: unknown;
  readonly submit?: string;
  readonly close?: string;
}

export function modal(spec: ModalSpec): ModalView {
  return {
    type: "modal",
    ...(spec.callbackId ? { callback_id: spec.callbackId } : {}),
    ...(spec.metadata !== undefined ? { private_metadata: JSON.stringify(spec.metadata) } : {}),
    // Slack refuses a modal whose title is over 24 characters, or whose buttons' are.
    title: plain(truncate(spec.title, 24)),
    ...(spec.submit ? { submit: plain(truncate(spec.submit, 24)) } : {}),
    close: plain(truncate(spec.close ?? "Cancel", 24)),
    blocks: spec.blocks,
  };
}

/** A modal that only says something (a refusal, a result) and closes with OK. */
export function noticeModal(title: string, text: string): ModalView {
  return modal({ title, close: "OK", blocks: [paragraph(text)] });
}

/** What a button listener receives. */
export type ButtonPress = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * A view's private_metadata as `read` makes of it, or null: Slack hands back what we set, but a
 * view from an older version of the bot (or a forged one) may hold anything.
 */
export function readMetadata<T>(
  raw: string,
  read: (fields: Readonly<Record<string, unknown>>) => T | null,
): T | null {
  try {
    const m: unknown = JSON.parse(raw);
    return m !== null && typeof m === "object" && !Array.isArray(m)
      ? read(m as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** A metadata field that should be a string; null when it is absent or anything else. */
export function stringField(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export interface ViewAnswer {
  /** Acknowledges the submission once; later calls are no-ops for Slack, so track `answered`. */
  readonly answer: AckFn<ViewResponseAction>;
  /** Replaces the modal with `text` under `title`: the submission did not happen. */
  readonly refuse: (text: string) => Promise<void>;
  readonly answered: () => boolean;
}

/**
 * A view submission must be acknowledged within 3 s, once. A handler answers early (refusal,
 * field errors, close) and its catch-all must know whether it still can.
 */
export function viewAnswer(ack: AckFn<ViewResponseAction>, refusalTitle: string): ViewAnswer {
  let answered = false;
  const answer: AckFn<ViewResponseAction> = async (response) => {
    answered = true;
    await ack(response);
  };
  return {
    answer,
    refuse: (text) => answer({ response_action: "update", view: noticeModal(refusalTitle, text) }),
    answered: () => answered,
  };
}

/** "2026-11-25 10:00 UTC": what a reader sees where Slack cannot render a date token. */
export function utcText(at: Date | string): string {
  const iso = typeof at === "string" ? new Date(at).toISOString() : at.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * A time as a Slack date token: each reader sees it in their own time zone ("Today 10:00",
 * "Nov 30 09:00"); notifications and old clients show the UTC fallback.
 */
export function slackDate(at: Date | string): string {
  const ms = typeof at === "string" ? Date.parse(at) : at.getTime();
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${utcText(new Date(ms))}>`;
}
