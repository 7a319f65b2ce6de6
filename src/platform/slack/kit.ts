// Tiny Block Kit constructors: plain objects, so builders stay readable and tests compare output.

export { escapeMrkdwn, unescapeMrkdwn } from "../../core/mrkdwn";

export type Block = Record<string, unknown>;

export interface TextObject {
  readonly type: "mrkdwn" | "plain_text";
  readonly text: string;
  readonly emoji?: boolean;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function mrkdwn(text: string): TextObject {
  return { type: "mrkdwn", text };
}

export function plain(text: string): TextObject {
  return { type: "plain_text", text: truncate(text, 150), emoji: true };
}

export function header(text: string): Block {
  return { type: "header", text: plain(text) };
}

export function section(text: TextObject, extra: Block = {}): Block {
  return { type: "section", text, ...extra };
}

export function context(elements: readonly TextObject[]): Block {
  return { type: "context", elements };
}

export function divider(): Block {
  return { type: "divider" };
}

/** Slack refuses a whole message whose button text is over 75 characters. */
export const MAX_BUTTON_TEXT = 75;

export function button(text: string, actionId: string, value: string, style?: "primary" | "danger"): Block {
  return {
    type: "button",
    text: plain(truncate(text, MAX_BUTTON_TEXT)),
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
  };
}

export function actions(blockId: string, elements: readonly Block[]): Block {
  return { type: "actions", block_id: blockId, elements };
}
