// The Web API methods the fake answers, each turning decoded arguments into a Slack-shaped
// response (`{ ok: true, … }` or `{ ok: false, error }`) against the workspace state.

import { checkBlocks, checkView } from "./slack-blocks-check";
import { type Args, flag, int, str } from "./slack-body";
import {
  compareTs,
  type FakeMessage,
  type FakeUser,
  type FakeUsergroup,
  type FakeView,
  type MessageMetadata,
  type Outcome,
  type SlackWorkspace,
} from "./slack-state";

export type SlackResponse = { ok: boolean; [key: string]: unknown };

export interface MethodContext {
  readonly ws: SlackWorkspace;
  readonly args: Args;
  /** "http://127.0.0.1:port", for permalinks that the sandbox page can serve. */
  readonly origin: string;
  readonly socketMode: { openLink(): string };
}

type Method = (ctx: MethodContext) => SlackResponse;

const MAX_TEXT = 40_000;

export const METHODS: Readonly<Record<string, Method>> = {
  "api.test": ({ args }) => ({ ok: true, args }),
  // The caller's token was checked to be an app-level one (xapp-…) before this runs.
  "apps.connections.open": ({ socketMode }) => ({ ok: true, url: socketMode.openLink() }),
  "auth.test": authTest,
  "chat.postMessage": postMessage,
  "chat.update": update,
  "chat.delete": deleteMessage,
  "chat.postEphemeral": postEphemeral,
  "chat.getPermalink": getPermalink,
  "conversations.open": conversationsOpen,
  "conversations.history": history,
  "conversations.replies": replies,
  "conversations.info": conversationsInfo,
  "users.info": usersInfo,
  "users.list": usersList,
  "users.lookupByEmail": usersLookupByEmail,
  "views.open": viewsOpen,
  "views.push": viewsPush,
  "views.update": viewsUpdate,
  "views.publish": viewsPublish,
  "reactions.add": reactionsAdd,
  "usergroups.create": usergroupsCreate,
  "usergroups.list": usergroupsList,
  "usergroups.update": usergroupsUpdate,
  "usergroups.users.list": usergroupsUsersList,
  "usergroups.users.update": usergroupsUsersUpdate,
};

export function failure(error: string, extra: Record<string, unknown> = {}): SlackResponse {
  return { ok: false, error, ...extra };
}

function fromOutcome<T>(outcome: Outcome<T>, build: (value: T) => Record<string, unknown>): SlackResponse {
  if (!outcome.ok) {
    return outcome.messages
      ? failure(outcome.error, { response_metadata: { messages: outcome.messages } })
      : failure(outcome.error);
  }
  return { ok: true, ...build(outcome.value) };
}

// --- auth ------------------------------------------------------------------------------------

function authTest({ ws }: MethodContext): SlackResponse {
  const c = ws.config;
  return {
    ok: true,
    url: `https://${c.teamDomain}.slack.com/`,
    team: c.teamDomain,
    user: ws.user(c.botUserId)?.name ?? "bot",
    team_id: c.teamId,
    user_id: c.botUserId,
    bot_id: c.botId,
    is_enterprise_install: false,
  };
}

// --- chat ------------------------------------------------------------------------------------

function postMessage({ ws, args }: MethodContext): SlackResponse {
  const channel = ws.resolveChannel(str(args.channel) ?? "");
  if (!channel.ok) return failure(channel.error);
  const content = messageContent(args, "create");
  if (!content.ok) return content.response;
  const threadTs = str(args.thread_ts) || null;
  const msg = ws.postMessage(channel.value, content.fields, {
    threadTs,
    broadcast: flag(args.reply_broadcast),
  });
  return { ok: true, channel: msg.channel, ts: msg.ts, message: renderMessage(ws, msg, true) };
}

function update({ ws, args }: MethodContext): SlackResponse {
  const channel = str(args.channel) ?? "";
  const ts = str(args.ts) ?? "";
  if (!ws.hasMessage(channel, ts)) return failure("message_not_found");
  const content = messageContent(args, "update");
  if (!content.ok) return content.response;
  return fromOutcome(ws.updateMessage(channel, ts, content.patch), (msg) => ({
    channel,
    ts,
    text: msg.text,
    message: renderMessage(ws, msg, true),
  }));
}

function deleteMessage({ ws, args }: MethodContext): SlackResponse {
  const channel = str(args.channel) ?? "";
  const ts = str(args.ts) ?? "";
  return fromOutcome(ws.deleteMessage(channel, ts), () => ({ channel, ts }));
}

function postEphemeral({ ws, args }: MethodContext): SlackResponse {
  const channel = ws.resolveChannel(str(args.channel) ?? "");
  if (!channel.ok) return failure(channel.error);
  const user = str(args.user) ?? "";
  if (!ws.user(user)) return failure("user_not_found");
  const content = messageContent(args, "create");
  if (!content.ok) return content.response;
  const e = ws.postEphemeral({
    channel: channel.value,
    user,
    text: content.fields.text,
    blocks: content.fields.blocks,
    threadTs: str(args.thread_ts) || null,
    via: "chat.postEphemeral",
  });
  return { ok: true, message_ts: e.ts };
}

function getPermalink({ ws, args, origin }: MethodContext): SlackResponse {
  const channel = str(args.channel) ?? "";
  const ts = str(args.message_ts) ?? "";
  const msg = ws.message(channel, ts);
  if (!msg) return failure("message_not_found");
  const base = `${origin}/archives/${channel}/p${ts.replace(".", "")}`;
  const permalink =
    msg.threadTs && msg.threadTs !== msg.ts ? `${base}?thread_ts=${msg.threadTs}&cid=${channel}` : base;
  return { ok: true, channel, permalink };
}

type Content =
  | {
      ok: true;
      fields: {
        text: string;
        blocks: unknown[] | null;
        attachments: unknown[] | null;
        metadata: MessageMetadata | null;
      };
      patch: PatchFields;
    }
  | { ok: false; response: SlackResponse };

type PatchFields = {
  text?: string;
  blocks?: unknown[] | null;
  attachments?: unknown[] | null;
  metadata?: MessageMetadata | null;
};

/** Validates text/blocks/attachments/metadata as Slack does; "update" keeps what is left out. */
function messageContent(args: Args, mode: "create" | "update"): Content {
  const patch: PatchFields = {};
  const text = str(args.text);
  if (text !== undefined) {
    if (text.length > MAX_TEXT) return { ok: false, response: failure("msg_too_long") };
    patch.text = text;
  }
  if (args.blocks !== undefined) {
    if (typeof args.blocks === "string") return { ok: false, response: failure("invalid_blocks_format") };
    const errors = checkBlocks(args.blocks, "message");
    if (errors.length > 0) return { ok: false, response: invalidBlocks(errors) };
    patch.blocks = args.blocks as unknown[];
  }
  if (args.attachments !== undefined) {
    if (!Array.isArray(args.attachments)) return { ok: false, response: failure("invalid_attachments") };
    patch.attachments = args.attachments;
  }
  if (args.metadata !== undefined) {
    const metadata = parseMetadata(args.metadata);
    if (metadata === "invalid") return { ok: false, response: failure("invalid_metadata_format") };
    patch.metadata = metadata;
  }
  const fields = {
    text: patch.text ?? "",
    blocks: patch.blocks ?? null,
    attachments: patch.attachments ?? null,
    metadata: patch.metadata ?? null,
  };
  const empty = fields.text === "" && !fields.blocks?.length && !fields.attachments?.length;
  if (mode === "create" && empty) return { ok: false, response: failure("no_text") };
  return { ok: true, fields, patch };
}

function invalidBlocks(errors: string[]): SlackResponse {
  return failure("invalid_blocks", {
    errors,
    response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
  });
}

/** `{}` means "remove" (chat.update); otherwise event_type and an event_payload object are required. */
function parseMetadata(value: unknown): MessageMetadata | null | "invalid" {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "invalid";
  const m = value as Record<string, unknown>;
  if (Object.keys(m).length === 0) return null;
  const payload = m.event_payload;
  if (typeof m.event_type !== "string" || m.event_type === "") return "invalid";
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return "invalid";
  return { event_type: m.event_type, event_payload: payload as Record<string, unknown> };
}

// --- conversations ---------------------------------------------------------------------------

function conversationsOpen({ ws, args }: MethodContext): SlackResponse {
  const existing = str(args.channel);
  if (existing) {
    return ws.dmMembers(existing)
      ? { ok: true, no_op: true, already_open: true, channel: { id: existing } }
      : failure("channel_not_found");
  }
  const raw = Array.isArray(args.users) ? args.users.map(String) : (str(args.users) ?? "").split(",");
  const users = raw.map((u) => u.trim()).filter((u) => u !== "");
  if (users.length === 0) return failure("users_list_not_supplied");
  if (users.length > 8) return failure("too_many_users");
  if (users.some((u) => !ws.user(u))) return failure("user_not_found");
  const dm = ws.openDm(users);
  return {
    ok: true,
    ...(dm.alreadyOpen ? { no_op: true, already_open: true } : {}),
    channel: { id: dm.id },
  };
}

function conversationsInfo({ ws, args }: MethodContext): SlackResponse {
  const id = str(args.channel) ?? "";
  const members = ws.dmMembers(id);
  if (members) return { ok: true, channel: { id, is_im: true, user: members[0], created: 0 } };
  const channel = ws.channel(id);
  if (!channel) return failure("channel_not_found");
  return { ok: true, channel: { id, name: channel.name, is_channel: true, is_member: true, created: 0 } };
}

function history({ ws, args }: MethodContext): SlackResponse {
  const channel = str(args.channel) ?? "";
  if (!knownConversation(ws, channel)) return failure("channel_not_found");
  const withMetadata = flag(args.include_all_metadata);
  const newestFirst = inRange(ws.messages(channel), args).sort((a, b) => compareTs(b.ts, a.ts));
  const paged = page(newestFirst, args, 100);
  if (!paged.ok) return failure(paged.error);
  return {
    ok: true,
    messages: paged.items.map((m) => renderMessage(ws, m, withMetadata)),
    has_more: paged.nextCursor !== "",
    pin_count: 0,
    channel_actions_ts: null,
    channel_actions_count: 0,
    response_metadata: { next_cursor: paged.nextCursor },
  };
}

function replies({ ws, args }: MethodContext): SlackResponse {
  const channel = str(args.channel) ?? "";
  if (!knownConversation(ws, channel)) return failure("channel_not_found");
  const root = ws.threadRootOf(channel, str(args.ts) ?? "");
  const parent = ws.message(channel, root);
  const thread = ws.thread(channel, root);
  if (!parent && thread.length === 0) return failure("thread_not_found");
  const withMetadata = flag(args.include_all_metadata);
  // Slack always leads with the parent; the range and paging apply to the replies after it.
  const paged = page(inRange(thread, args), args, 1000);
  if (!paged.ok) return failure(paged.error);
  const first = parent && !paged.cursorGiven ? [parent] : [];
  return {
    ok: true,
    messages: [...first, ...paged.items].map((m) => renderMessage(ws, m, withMetadata)),
    has_more: paged.nextCursor !== "",
    response_metadata: { next_cursor: paged.nextCursor },
  };
}

/** Reading needs a conversation id; a user id (which chat.postMessage accepts) is not one. */
function knownConversation(ws: SlackWorkspace, id: string): boolean {
  return !/^[UW][A-Z0-9]+$/.test(id) && ws.resolveChannel(id).ok;
}

/** Slack's oldest/latest window: exclusive bounds unless inclusive=true. */
function inRange(messages: FakeMessage[], args: Args): FakeMessage[] {
  const oldest = str(args.oldest);
  const latest = str(args.latest);
  const inclusive = flag(args.inclusive);
  return messages.filter((m) => {
    if (oldest !== undefined && oldest !== "") {
      const c = compareTs(m.ts, oldest);
      if (c < 0 || (c === 0 && !inclusive)) return false;
    }
    if (latest !== undefined && latest !== "") {
      const c = compareTs(m.ts, latest);
      if (c > 0 || (c === 0 && !inclusive)) return false;
    }
    return true;
  });
}

type Page<T> =
  | { ok: true; items: T[]; nextCursor: string; cursorGiven: boolean }
  | { ok: false; error: string };

function page<T>(items: readonly T[], args: Args, defaultLimit: number): Page<T> {
  const cursor = str(args.cursor) ?? "";
  let offset = 0;
  if (cursor !== "") {
    const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    if (!match) return { ok: false, error: "invalid_cursor" };
    offset = Number(match[1]);
  }
  const requested = int(args.limit, 0);
  const limit = requested > 0 ? requested : defaultLimit;
  const slice = items.slice(offset, offset + limit);
  const next =
    offset + limit < items.length ? Buffer.from(`offset:${offset + limit}`).toString("base64") : "";
  return { ok: true, items: slice, nextCursor: next, cursorGiven: cursor !== "" };
}

export function renderMessage(
  ws: SlackWorkspace,
  m: FakeMessage,
  withMetadata: boolean,
): Record<string, unknown> {
  const c = ws.config;
  const out: Record<string, unknown> = {
    type: "message",
    user: m.user,
    text: m.text,
    ts: m.ts,
    team: c.teamId,
  };
  if (m.botId) {
    out.bot_id = m.botId;
    out.app_id = c.appId;
    out.bot_profile = {
      id: m.botId,
      app_id: c.appId,
      name: ws.user(m.user)?.name ?? "bot",
      team_id: c.teamId,
    };
  }
  if (m.blocks) out.blocks = m.blocks;
  if (m.attachments) out.attachments = m.attachments;
  if (m.threadTs) out.thread_ts = m.threadTs;
  if (m.broadcast) out.subtype = "thread_broadcast";
  if (m.replies.length > 0) {
    const replyUsers = [...new Set(m.replies.map((r) => r.user))];
    out.reply_count = m.replies.length;
    out.reply_users_count = replyUsers.length;
    out.reply_users = replyUsers;
    out.latest_reply = m.replies.at(-1)?.ts;
  }
  if (m.edited) out.edited = m.edited;
  if (m.reactions.length > 0) out.reactions = m.reactions;
  if (withMetadata && m.metadata) out.metadata = m.metadata;
  return out;
}

// --- users -----------------------------------------------------------------------------------

function usersInfo({ ws, args }: MethodContext): SlackResponse {
  const user = ws.user(str(args.user) ?? "");
  return user ? { ok: true, user: renderUser(ws, user) } : failure("user_not_found");
}

function usersList({ ws, args }: MethodContext): SlackResponse {
  const paged = page(ws.allUsers(), args, 1000);
  if (!paged.ok) return failure(paged.error);
  return {
    ok: true,
    members: paged.items.map((u) => renderUser(ws, u)),
    cache_ts: Math.floor(Date.now() / 1000),
    response_metadata: { next_cursor: paged.nextCursor },
  };
}

function usersLookupByEmail({ ws, args }: MethodContext): SlackResponse {
  const email = str(args.email)?.toLowerCase();
  const user = email ? ws.allUsers().find((u) => u.email?.toLowerCase() === email) : undefined;
  return user ? { ok: true, user: renderUser(ws, user) } : failure("users_not_found");
}

function renderUser(ws: SlackWorkspace, u: FakeUser): Record<string, unknown> {
  const tz = validZone(u.tz) ?? "UTC";
  const realName = u.realName ?? u.name;
  return {
    id: u.id,
    team_id: ws.config.teamId,
    name: u.name,
    deleted: false,
    real_name: realName,
    tz,
    tz_label: zoneLabel(tz),
    tz_offset: zoneOffsetSeconds(tz, new Date()),
    is_bot: u.isBot === true,
    is_app_user: false,
    updated: 0,
    profile: {
      real_name: realName,
      real_name_normalized: realName,
      display_name: u.name,
      display_name_normalized: u.name,
      team: ws.config.teamId,
      ...(u.email ? { email: u.email } : {}),
      ...(u.isBot ? { bot_id: ws.config.botId } : {}),
    },
  };
}

function validZone(tz: string | undefined): string | undefined {
  if (!tz) return undefined;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz;
  } catch {
    return undefined;
  }
}

function zoneLabel(tz: string): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "long" })
    .formatToParts(new Date())
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? tz;
}

/** Seconds east of UTC right now, as Slack reports tz_offset (it follows DST). */
export function zoneOffsetSeconds(tz: string, at: Date): number {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" })
    .formatToParts(at)
    .find((p) => p.type === "timeZoneName");
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(part?.value ?? "");
  if (!match) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60;
  return match[1] === "-" ? -seconds : seconds;
}

// --- views -----------------------------------------------------------------------------------

function viewsOpen({ ws, args }: MethodContext): SlackResponse {
  const view = viewArg(args, "modal");
  if (!view.ok) return view.response;
  const trigger = ws.exchangeTrigger(args.trigger_id);
  if (!trigger.ok) return fromOutcome(trigger, () => ({}));
  return fromOutcome(ws.openModal(view.view, trigger.value, null), (v) => ({ view: renderView(ws, v) }));
}

function viewsPush({ ws, args }: MethodContext): SlackResponse {
  const view = viewArg(args, "modal");
  if (!view.ok) return view.response;
  const trigger = ws.exchangeTrigger(args.trigger_id);
  if (!trigger.ok) return fromOutcome(trigger, () => ({}));
  const top = ws.topOfLatestStack();
  if (!top)
    return failure("invalid_arguments", {
      response_metadata: { messages: ["[ERROR] no modal is open to push onto"] },
    });
  const depth = ws.openModals().filter((v) => v.rootViewId === top.rootViewId).length;
  if (depth >= 3) return failure("push_limit_reached");
  return fromOutcome(ws.openModal(view.view, trigger.value, top), (v) => ({ view: renderView(ws, v) }));
}

function viewsUpdate({ ws, args }: MethodContext): SlackResponse {
  const current = ws.findView(args.view_id, args.external_id);
  if (!current) return failure("not_found");
  const view = viewArg(args, current.type);
  if (!view.ok) return view.response;
  return fromOutcome(ws.updateView(current, view.view, args.hash), (v) => ({ view: renderView(ws, v) }));
}

function viewsPublish({ ws, args }: MethodContext): SlackResponse {
  const userId = str(args.user_id) ?? "";
  if (!ws.user(userId)) return failure("user_not_found");
  const view = viewArg(args, "home");
  if (!view.ok) return view.response;
  return fromOutcome(ws.publishHome(userId, view.view, args.hash), (v) => ({ view: renderView(ws, v) }));
}

function viewArg(
  args: Args,
  surface: "modal" | "home",
): { ok: true; view: Record<string, unknown> } | { ok: false; response: SlackResponse } {
  const view = args.view;
  if (typeof view !== "object" || view === null || Array.isArray(view)) {
    return {
      ok: false,
      response: failure("invalid_arguments", {
        response_metadata: { messages: ["[ERROR] missing required field: view"] },
      }),
    };
  }
  const errors = checkView(view as Record<string, unknown>, surface);
  if (errors.length > 0) {
    return {
      ok: false,
      response: failure("invalid_arguments", {
        response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
      }),
    };
  }
  return { ok: true, view: view as Record<string, unknown> };
}

export function renderView(ws: SlackWorkspace, v: FakeView): Record<string, unknown> {
  const c = ws.config;
  return {
    ...v.view,
    id: v.id,
    team_id: c.teamId,
    type: v.type,
    blocks: v.view.blocks ?? [],
    private_metadata: v.view.private_metadata ?? "",
    callback_id: v.view.callback_id ?? "",
    external_id: v.externalId ?? "",
    state: { values: {} },
    hash: v.hash,
    clear_on_close: v.view.clear_on_close === true,
    notify_on_close: v.view.notify_on_close === true,
    root_view_id: v.rootViewId,
    previous_view_id: v.previousViewId,
    app_id: c.appId,
    app_installed_team_id: c.teamId,
    bot_id: c.botId,
  };
}

// --- reactions -------------------------------------------------------------------------------

function reactionsAdd({ ws, args }: MethodContext): SlackResponse {
  const name = (str(args.name) ?? "").replaceAll(":", "");
  if (name === "") return failure("invalid_name");
  const outcome = ws.addReaction(
    str(args.channel) ?? "",
    str(args.timestamp) ?? "",
    name,
    ws.config.botUserId,
  );
  return fromOutcome(outcome, () => ({}));
}

// --- user groups -----------------------------------------------------------------------------

function renderUsergroup(ws: SlackWorkspace, g: FakeUsergroup, withUsers: boolean): Record<string, unknown> {
  return {
    id: g.id,
    team_id: ws.config.teamId,
    is_usergroup: true,
    is_subteam: true,
    name: g.name,
    description: g.description,
    handle: g.handle,
    is_external: false,
    date_create: g.dateCreate,
    date_update: g.dateUpdate,
    date_delete: g.enabled ? 0 : g.dateUpdate,
    auto_type: null,
    created_by: g.createdBy,
    updated_by: g.updatedBy,
    deleted_by: null,
    prefs: { channels: [], groups: [] },
    user_count: g.users.length,
    ...(withUsers ? { users: [...g.users] } : {}),
  };
}

function usergroupsCreate({ ws, args }: MethodContext): SlackResponse {
  const name = str(args.name);
  if (name === undefined)
    return failure("invalid_arguments", {
      response_metadata: { messages: ["[ERROR] missing required field: name"] },
    });
  const outcome = ws.saveUsergroup(
    { name, handle: str(args.handle) ?? "", description: str(args.description) ?? "" },
    ws.config.botUserId,
  );
  return fromOutcome(outcome, (g) => ({ usergroup: renderUsergroup(ws, g, true) }));
}

function usergroupsList({ ws, args }: MethodContext): SlackResponse {
  const withUsers = flag(args.include_users);
  return {
    ok: true,
    usergroups: ws.usergroups(flag(args.include_disabled)).map((g) => renderUsergroup(ws, g, withUsers)),
  };
}

function usergroupsUpdate({ ws, args }: MethodContext): SlackResponse {
  const current = ws.usergroup(str(args.usergroup) ?? "");
  if (!current) return failure("no_such_subteam");
  const outcome = ws.saveUsergroup(
    {
      id: current.id,
      name: str(args.name) ?? current.name,
      handle: str(args.handle) ?? current.handle,
      description: str(args.description) ?? current.description,
    },
    ws.config.botUserId,
  );
  return fromOutcome(outcome, (g) => ({ usergroup: renderUsergroup(ws, g, true) }));
}

function usergroupsUsersList({ ws, args }: MethodContext): SlackResponse {
  const group = ws.usergroup(str(args.usergroup) ?? "");
  if (!group || (!group.enabled && !flag(args.include_disabled))) return failure("no_such_subteam");
  return { ok: true, users: [...group.users] };
}

/** Replaces the members (Slack notifies whoever it adds); `users` is a comma-separated list of ids. */
function usergroupsUsersUpdate({ ws, args }: MethodContext): SlackResponse {
  const group = ws.usergroup(str(args.usergroup) ?? "");
  if (!group) return failure("no_such_subteam");
  const users = (str(args.users) ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (users.length === 0) return failure("no_users_provided");
  const outcome = ws.saveUsergroup({ ...group, users: [...new Set(users)] }, ws.config.botUserId);
  return fromOutcome(outcome, (g) => ({ usergroup: renderUsergroup(ws, g, true) }));
}
