// What Slack sends to the bot's /slack/events endpoint, built and signed like the real thing:
// slash commands, block_actions (from a message, an ephemeral, a modal or the Home tab),
// view_submission, view_closed and the app_home_opened event. Shapes follow the samples in
// tests/fixtures/payloads. The tests and the sandbox page both send these, so there is one definition.

import { randomBytes } from "node:crypto";
import { computeSlackSignature, signSlackRequest } from "./slack-signing";

export { computeSlackSignature, signSlackRequest };

/** The workspace the fake Slack plays (its defaults), as it appears in every payload. */
export const TEAM = { id: "T0EXAMPLE", domain: "example" } as const;
export const APP_ID = "A0ONCALL";
export const BOT_ID = "B0ONCALL";
const VERIFICATION_TOKEN = "legacy-verification-token";

/** Unique per call: the fake Slack refuses a trigger_id that was already exchanged, as Slack does. */
export function newTriggerId(): string {
  return `${Date.now()}.${randomBytes(5).readUIntBE(0, 5)}.${randomBytes(16).toString("hex")}`;
}

function userOf(id: string, name: string | undefined) {
  return { id, username: name ?? id.toLowerCase(), name: name ?? id.toLowerCase(), team_id: TEAM.id };
}

function fakeHookUrl(kind: "commands" | "actions"): string {
  return `https://hooks.slack.com/${kind}/${TEAM.id}/1/${randomBytes(8).toString("hex")}`;
}

export interface SlashCommandInput {
  readonly command: string;
  readonly text?: string;
  readonly userId: string;
  readonly userName?: string;
  readonly channelId: string;
  readonly channelName?: string;
  readonly responseUrl?: string;
  readonly triggerId?: string;
}

/** Form-encoded, field order as Slack sends it. */
export function slashCommandBody(input: SlashCommandInput): string {
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: input.channelId,
    channel_name: input.channelName ?? input.channelId.toLowerCase(),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command,
    text: input.text ?? "",
    api_app_id: APP_ID,
    is_enterprise_install: "false",
    response_url: input.responseUrl ?? fakeHookUrl("commands"),
    trigger_id: input.triggerId ?? newTriggerId(),
  }).toString();
}

export interface BlockActionsInput {
  readonly actionId: string;
  readonly value?: string;
  readonly blockId?: string;
  readonly userId: string;
  readonly userName?: string;
  /** For a press on a message (the default container). */
  readonly channelId?: string;
  readonly channelName?: string;
  readonly messageTs?: string;
  /** The message the button sits on, as Slack echoes it back (text, blocks, metadata…). */
  readonly message?: Readonly<Record<string, unknown>>;
  /** The press was on an ephemeral message (Slack then sends no `message`). */
  readonly ephemeral?: boolean;
  /** For a press inside a modal or the Home tab: the view as Slack echoes it (id, blocks, state…). */
  readonly view?: Readonly<Record<string, unknown>>;
  readonly responseUrl?: string;
  readonly triggerId?: string;
  readonly actionTs?: string;
  /**
   * The element as Slack reports it; defaults to a button labelled with the action id. A select
   * carries `selected_option`, checkboxes `selected_options`, and so on.
   */
  readonly action?: Readonly<Record<string, unknown>>;
  /** view.state.values of the surface at the time of the press. */
  readonly stateValues?: Readonly<Record<string, unknown>>;
}

export function blockActionsPayload(input: BlockActionsInput): Record<string, unknown> {
  const action = {
    type: "button",
    action_id: input.actionId,
    block_id: input.blockId ?? "alert-actions",
    text: { type: "plain_text", text: input.actionId, emoji: true },
    ...(input.value === undefined ? {} : { value: input.value }),
    ...input.action,
    action_ts: input.actionTs ?? `${(Date.now() / 1000).toFixed(6)}`,
  };
  const base = {
    type: "block_actions",
    user: userOf(input.userId, input.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
  };
  const state = { values: input.stateValues ?? {} };
  if (input.view) {
    const view = input.view;
    return {
      ...base,
      container: { type: "view", view_id: view.id },
      trigger_id: input.triggerId ?? newTriggerId(),
      team: TEAM,
      enterprise: null,
      is_enterprise_install: false,
      view: { ...view, state },
      actions: [action],
    };
  }
  const channelId = input.channelId ?? "";
  const messageTs = input.messageTs ?? "";
  return {
    ...base,
    container: {
      type: "message",
      message_ts: messageTs,
      channel_id: channelId,
      is_ephemeral: input.ephemeral === true,
    },
    trigger_id: input.triggerId ?? newTriggerId(),
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: input.channelName ?? channelId.toLowerCase() },
    ...(input.ephemeral
      ? {}
      : { message: { type: "message", text: "", blocks: [], ...input.message, ts: messageTs } }),
    state,
    response_url: input.responseUrl ?? fakeHookUrl("actions"),
    actions: [action],
  };
}

/** `payload=<json>`, form-encoded, as Slack posts interactions. */
export function blockActionsBody(input: BlockActionsInput): string {
  return payloadBody(blockActionsPayload(input));
}

/** A plain string is shorthand for a plain_text_input's value. */
export type ViewStateValue = string | Readonly<Record<string, unknown>>;

export interface ViewSubmissionInput {
  readonly callbackId: string;
  readonly privateMetadata?: string;
  /** block_id -> action_id -> value, as in view.state.values. */
  readonly values?: Readonly<Record<string, Readonly<Record<string, ViewStateValue>>>>;
  readonly userId: string;
  readonly userName?: string;
  readonly viewId?: string;
  readonly triggerId?: string;
  readonly blocks?: readonly unknown[];
  /** The open view as the app sent it (title, blocks, hash, root_view_id…); its fields win. */
  readonly view?: Readonly<Record<string, unknown>>;
}

/** Expands the string shorthand into Slack's `{ type: "plain_text_input", value }`. */
export function stateValues(
  values: Readonly<Record<string, Readonly<Record<string, ViewStateValue>>>>,
): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(values).map(([blockId, actions]) => [
      blockId,
      Object.fromEntries(
        Object.entries(actions).map(([actionId, v]) => [
          actionId,
          typeof v === "string" ? { type: "plain_text_input", value: v } : v,
        ]),
      ),
    ]),
  );
}

function submittedView(input: {
  callbackId: string;
  privateMetadata?: string;
  viewId?: string;
  blocks?: readonly unknown[];
  view?: Readonly<Record<string, unknown>>;
  values: Record<string, unknown>;
}): Record<string, unknown> {
  const viewId =
    (typeof input.view?.id === "string" ? input.view.id : undefined) ??
    input.viewId ??
    `V${randomBytes(5).toString("hex").toUpperCase()}`;
  return {
    id: viewId,
    team_id: TEAM.id,
    type: "modal",
    callback_id: input.callbackId,
    private_metadata: input.privateMetadata ?? "",
    title: { type: "plain_text", text: "Modal" },
    blocks: input.blocks ?? [],
    hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString("hex")}`,
    root_view_id: viewId,
    app_id: APP_ID,
    bot_id: BOT_ID,
    ...input.view,
    state: { values: input.values },
  };
}

export function viewSubmissionPayload(input: ViewSubmissionInput): Record<string, unknown> {
  return {
    type: "view_submission",
    team: TEAM,
    user: userOf(input.userId, input.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? newTriggerId(),
    view: submittedView({ ...input, values: stateValues(input.values ?? {}) }),
    response_urls: [],
  };
}

export function viewSubmissionBody(input: ViewSubmissionInput): string {
  return payloadBody(viewSubmissionPayload(input));
}

export interface ViewClosedInput {
  readonly userId: string;
  readonly userName?: string;
  readonly view: Readonly<Record<string, unknown>>;
}

/** Sent when a user dismisses a modal whose view asked for `notify_on_close`. */
export function viewClosedBody(input: ViewClosedInput): string {
  const callbackId = typeof input.view.callback_id === "string" ? input.view.callback_id : "";
  return payloadBody({
    type: "view_closed",
    team: TEAM,
    user: userOf(input.userId, input.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    view: submittedView({ callbackId, view: input.view, values: {} }),
    is_cleared: false,
  });
}

/** The Events API envelope for app_home_opened (JSON, signed like every request). */
export function appHomeOpenedBody(input: {
  readonly userId: string;
  readonly channelId: string;
  readonly view?: Readonly<Record<string, unknown>>;
}): string {
  const now = Date.now() / 1000;
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    api_app_id: APP_ID,
    event: {
      type: "app_home_opened",
      user: input.userId,
      channel: input.channelId,
      tab: "home",
      ...(input.view ? { view: input.view } : {}),
      event_ts: now.toFixed(6),
    },
    type: "event_callback",
    event_id: `Ev${randomBytes(6).toString("hex").toUpperCase()}`,
    event_time: Math.floor(now),
    authorizations: [
      {
        enterprise_id: null,
        team_id: TEAM.id,
        user_id: "U0ONCALLBOT",
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  });
}

function payloadBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface PostOptions {
  readonly secret: string;
  readonly timestampSec?: number;
  /** Overrides the computed signature, to test that bad ones are refused. */
  readonly signature?: string;
  /** Events API bodies are JSON; commands and interactions are form-encoded (the default). */
  readonly json?: boolean;
}

export interface SlackEndpointResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
}

/**
 * Posts a signed body. `baseUrl` is the app's origin ("http://127.0.0.1:3000", posting to
 * /slack/events) or a full endpoint URL with its own path.
 */
export async function postToSlackEndpoint(
  baseUrl: string,
  body: string,
  opts: PostOptions,
): Promise<SlackEndpointResponse> {
  const url = new URL(baseUrl);
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/slack/events";
  const headers: Record<string, string> = { ...signSlackRequest(opts.secret, body, opts.timestampSec) };
  if (opts.json) headers["Content-Type"] = "application/json";
  if (opts.signature !== undefined) headers["X-Slack-Signature"] = opts.signature;
  const res = await fetch(url, { method: "POST", headers, body });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
