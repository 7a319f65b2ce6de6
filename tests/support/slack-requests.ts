// What Slack sends to the bot's /slack/events endpoint, built and signed like the real thing.
// Shapes follow /work/shared/fixtures (slash command, block_actions, view_submission).

import { randomBytes } from "node:crypto";
import { computeSlackSignature, signSlackRequest } from "../../src/sandbox/slack-signing";

export { computeSlackSignature, signSlackRequest };

const TEAM = { id: "T0EXAMPLE", domain: "example" } as const;
const APP_ID = "A0ONCALL";
const VERIFICATION_TOKEN = "legacy-verification-token";

/** Unique per call: the fake Slack refuses a trigger_id that was already exchanged, as Slack does. */
export function newTriggerId(): string {
  return `${Date.now()}.${randomBytes(5).readUIntBE(0, 5)}.${randomBytes(16).toString("hex")}`;
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
    response_url:
      input.responseUrl ?? `https://hooks.slack.com/commands/${TEAM.id}/1/${randomBytes(8).toString("hex")}`,
    trigger_id: input.triggerId ?? newTriggerId(),
  }).toString();
}

export interface BlockActionsInput {
  readonly actionId: string;
  readonly value?: string;
  readonly blockId?: string;
  readonly userId: string;
  readonly userName?: string;
  readonly channelId: string;
  readonly messageTs: string;
  /** The message the button sits on, as Slack echoes it back (text, blocks, metadata…). */
  readonly message?: Readonly<Record<string, unknown>>;
  readonly responseUrl?: string;
  readonly triggerId?: string;
  readonly actionTs?: string;
}

export function blockActionsPayload(input: BlockActionsInput): Record<string, unknown> {
  const user = {
    id: input.userId,
    username: input.userName ?? input.userId.toLowerCase(),
    name: input.userName ?? input.userId.toLowerCase(),
    team_id: TEAM.id,
  };
  return {
    type: "block_actions",
    user,
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: {
      type: "message",
      message_ts: input.messageTs,
      channel_id: input.channelId,
      is_ephemeral: false,
    },
    trigger_id: input.triggerId ?? newTriggerId(),
    team: TEAM,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: input.channelId.toLowerCase() },
    message: { type: "message", text: "", blocks: [], ...input.message, ts: input.messageTs },
    state: { values: {} },
    response_url:
      input.responseUrl ?? `https://hooks.slack.com/actions/${TEAM.id}/1/${randomBytes(8).toString("hex")}`,
    actions: [
      {
        type: "button",
        action_id: input.actionId,
        block_id: input.blockId ?? "alert-actions",
        text: { type: "plain_text", text: input.actionId, emoji: true },
        ...(input.value === undefined ? {} : { value: input.value }),
        action_ts: input.actionTs ?? `${(Date.now() / 1000).toFixed(6)}`,
      },
    ],
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
}

export function viewSubmissionPayload(input: ViewSubmissionInput): Record<string, unknown> {
  const viewId = input.viewId ?? `V${randomBytes(5).toString("hex").toUpperCase()}`;
  const values = Object.fromEntries(
    Object.entries(input.values ?? {}).map(([blockId, actions]) => [
      blockId,
      Object.fromEntries(
        Object.entries(actions).map(([actionId, v]) => [
          actionId,
          typeof v === "string" ? { type: "plain_text_input", value: v } : v,
        ]),
      ),
    ]),
  );
  return {
    type: "view_submission",
    team: TEAM,
    user: {
      id: input.userId,
      username: input.userName ?? input.userId.toLowerCase(),
      name: input.userName ?? input.userId.toLowerCase(),
      team_id: TEAM.id,
    },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: input.triggerId ?? newTriggerId(),
    view: {
      id: viewId,
      team_id: TEAM.id,
      type: "modal",
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata ?? "",
      title: { type: "plain_text", text: "Modal" },
      blocks: input.blocks ?? [],
      state: { values },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString("hex")}`,
      root_view_id: viewId,
      app_id: APP_ID,
      bot_id: "B0ONCALL",
    },
    response_urls: [],
  };
}

export function viewSubmissionBody(input: ViewSubmissionInput): string {
  return payloadBody(viewSubmissionPayload(input));
}

function payloadBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface PostOptions {
  readonly secret: string;
  readonly timestampSec?: number;
  /** Overrides the computed signature, to test that bad ones are refused. */
  readonly signature?: string;
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
  if (opts.signature !== undefined) headers["X-Slack-Signature"] = opts.signature;
  const res = await fetch(url, { method: "POST", headers, body });
  return { status: res.status, body: await res.text(), headers: res.headers };
}
