// The workspace the fake Slack keeps: channels and DMs with their messages and threads,
// ephemerals, open modals and home tabs. Pure in-memory state with Slack's rules (what exists,
// what may be updated); the HTTP layer translates Web API calls into these operations.

import { dmChannelId, randomId, TsClock, tsToMicros, viewHash } from "./slack-ids";

export interface FakeUser {
  readonly id: string;
  readonly name: string;
  /** IANA zone; "UTC" when not given. */
  readonly tz?: string;
  readonly realName?: string;
  readonly isBot?: boolean;
  /** Shown as profile.email (users:read.email) and found by users.lookupByEmail. */
  readonly email?: string;
}

export interface FakeChannel {
  readonly id: string;
  readonly name: string;
}

export interface MessageMetadata {
  readonly event_type: string;
  readonly event_payload: Readonly<Record<string, unknown>>;
}

export interface FakeReaction {
  readonly name: string;
  readonly users: readonly string[];
  readonly count: number;
}

/** A snapshot: later updates do not change an object you already hold. */
export interface FakeMessage {
  readonly channel: string;
  readonly ts: string;
  /** The posting user; the bot's user id for everything the bot posts. */
  readonly user: string;
  readonly botId: string | null;
  readonly text: string;
  readonly blocks: readonly unknown[] | null;
  readonly attachments: readonly unknown[] | null;
  readonly metadata: MessageMetadata | null;
  /** The parent's ts for a reply; for a parent, its own ts once it has replies; else null. */
  readonly threadTs: string | null;
  /** Thread replies, oldest first (top-level messages only; empty for replies). */
  readonly replies: readonly FakeMessage[];
  readonly reactions: readonly FakeReaction[];
  readonly edited: { readonly user: string; readonly ts: string } | null;
  /** A reply also shown in the channel (reply_broadcast). */
  readonly broadcast: boolean;
}

export interface FakeEphemeral {
  readonly channel: string;
  readonly user: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks: readonly unknown[] | null;
  readonly threadTs: string | null;
  readonly via: "chat.postEphemeral" | "response_url";
}

export interface FakeView {
  readonly id: string;
  readonly type: "modal" | "home";
  /** Known for home tabs; for modals only when the opener registered the trigger's user. */
  readonly userId: string | null;
  readonly triggerId: string | null;
  readonly externalId: string | null;
  readonly hash: string;
  readonly rootViewId: string;
  readonly previousViewId: string | null;
  /** The view JSON as the app sent it (title, blocks, callback_id, private_metadata, …). */
  readonly view: Readonly<Record<string, unknown>>;
}

/** A user group (Slack calls it a subteam): its handle is what people type after "@". */
export interface FakeUsergroup {
  readonly id: string;
  readonly name: string;
  readonly handle: string;
  readonly description: string;
  /** Members, in the order last set. */
  readonly users: readonly string[];
  readonly enabled: boolean;
  readonly createdBy: string;
  readonly updatedBy: string;
  readonly dateCreate: number;
  readonly dateUpdate: number;
}

export interface WorkspaceConfig {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly appId: string;
  /** null: any user id is accepted (and made up on first sight). */
  readonly users: readonly FakeUser[] | null;
  /** null: any channel id is accepted (and created on first use). */
  readonly channels: readonly FakeChannel[] | null;
}

export interface MessageFields {
  readonly text: string;
  readonly blocks: readonly unknown[] | null;
  readonly attachments: readonly unknown[] | null;
  readonly metadata: MessageMetadata | null;
}

interface StoredMessage extends MessageFields {
  readonly channel: string;
  readonly ts: string;
  readonly user: string;
  readonly botId: string | null;
  readonly threadTs: string | null;
  readonly broadcast: boolean;
  edited: { user: string; ts: string } | null;
  reactions: Map<string, string[]>;
}

/** Mutable twin of StoredMessage's content fields; only updateMessage writes them. */
type Editable = { -readonly [K in keyof MessageFields]: MessageFields[K] };

interface ChannelState {
  readonly top: StoredMessage[];
  readonly threads: Map<string, StoredMessage[]>;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string; messages?: string[] };

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = (error: string, messages?: string[]): Outcome<never> =>
  messages ? { ok: false, error, messages } : { ok: false, error };

export class SlackWorkspace {
  readonly config: WorkspaceConfig;
  private readonly users = new Map<string, FakeUser>();
  private readonly knownChannels = new Map<string, FakeChannel>();
  private readonly dms = new Map<string, readonly string[]>();
  private readonly channelState = new Map<string, ChannelState>();
  private ephemeralList: FakeEphemeral[] = [];
  private readonly modals = new Map<string, FakeView>();
  private readonly homes = new Map<string, FakeView>();
  private readonly usedTriggers = new Set<string>();
  private readonly triggerUsers = new Map<string, string>();
  private lastModalRoot: string | null = null;
  private readonly clock = new TsClock();
  private readonly usergroupMap = new Map<string, FakeUsergroup>();

  constructor(
    config: WorkspaceConfig,
    private readonly changed: () => void,
  ) {
    this.config = config;
    this.users.set(config.botUserId, { id: config.botUserId, name: "oncall-bot", tz: "UTC", isBot: true });
    for (const u of config.users ?? []) this.users.set(u.id, u);
    for (const c of config.channels ?? []) this.knownChannels.set(c.id, c);
  }

  reset(): void {
    this.dms.clear();
    this.channelState.clear();
    this.ephemeralList = [];
    this.modals.clear();
    this.homes.clear();
    this.usedTriggers.clear();
    this.triggerUsers.clear();
    this.lastModalRoot = null;
    this.usergroupMap.clear();
    this.changed();
  }

  nextTs(): string {
    return this.clock.next();
  }

  // --- user groups -------------------------------------------------------------------------

  usergroups(includeDisabled = false): FakeUsergroup[] {
    return [...this.usergroupMap.values()].filter((g) => includeDisabled || g.enabled);
  }

  usergroup(id: string): FakeUsergroup | undefined {
    return this.usergroupMap.get(id);
  }

  /** Slack's rules: names and handles are unique across the workspace's groups, disabled ones too. */
  saveUsergroup(
    fields: Pick<FakeUsergroup, "name" | "handle" | "description"> & {
      id?: string;
      users?: readonly string[];
    },
    by: string,
  ): Outcome<FakeUsergroup> {
    const others = [...this.usergroupMap.values()].filter((g) => g.id !== fields.id);
    if (fields.name === "") return fail("invalid_name");
    if (others.some((g) => g.name === fields.name)) return fail("name_already_exists");
    if (fields.handle !== "" && others.some((g) => g.handle === fields.handle))
      return fail("handle_already_exists");
    const users = fields.users ?? [];
    if (users.some((u) => !this.user(u))) return fail("invalid_users");
    const current = fields.id ? this.usergroupMap.get(fields.id) : undefined;
    if (fields.id && !current) return fail("no_such_subteam");
    const now = Math.floor(Date.now() / 1000);
    const group: FakeUsergroup = {
      id: current?.id ?? randomId("S"),
      name: fields.name,
      handle: fields.handle,
      description: fields.description,
      users: fields.users ?? current?.users ?? [],
      enabled: current?.enabled ?? true,
      createdBy: current?.createdBy ?? by,
      updatedBy: by,
      dateCreate: current?.dateCreate ?? now,
      dateUpdate: now,
    };
    this.usergroupMap.set(group.id, group);
    this.changed();
    return ok(group);
  }

  // --- users and conversations -------------------------------------------------------------

  user(id: string): FakeUser | undefined {
    const known = this.users.get(id);
    if (known || this.config.users !== null || !/^[UW][A-Z0-9]+$/.test(id)) return known;
    const madeUp: FakeUser = { id, name: id.toLowerCase(), tz: "UTC" };
    this.users.set(id, madeUp);
    return madeUp;
  }

  allUsers(): FakeUser[] {
    return [...this.users.values()];
  }

  channel(id: string): FakeChannel | undefined {
    return this.knownChannels.get(id);
  }

  /** Slack accepts a user id as `channel` and posts to the app's DM with that user. */
  resolveChannel(id: string): Outcome<string> {
    if (/^[UW][A-Z0-9]+$/.test(id)) {
      if (!this.user(id)) return fail("channel_not_found");
      return ok(this.openDm([id]).id);
    }
    if (this.knownChannels.has(id) || this.dms.has(id)) return ok(id);
    if (this.config.channels !== null || id === "") return fail("channel_not_found");
    this.knownChannels.set(id, { id, name: id.toLowerCase() });
    return ok(id);
  }

  openDm(userIds: readonly string[]): { id: string; alreadyOpen: boolean } {
    const id = dmChannelId(userIds);
    const alreadyOpen = this.dms.has(id);
    if (!alreadyOpen) {
      this.dms.set(id, [...new Set(userIds)].sort());
      this.changed();
    }
    return { id, alreadyOpen };
  }

  dmMembers(channel: string): readonly string[] | undefined {
    return this.dms.get(channel);
  }

  conversationIds(): string[] {
    return [...new Set([...this.knownChannels.keys(), ...this.dms.keys(), ...this.channelState.keys()])];
  }

  // --- messages -----------------------------------------------------------------------------

  postMessage(
    channel: string,
    fields: MessageFields,
    opts: { user?: string; threadTs?: string | null; broadcast?: boolean } = {},
  ): FakeMessage {
    const state = this.stateOf(channel);
    const user = opts.user ?? this.config.botUserId;
    const threadTs = opts.threadTs ? this.threadRoot(state, opts.threadTs) : null;
    const msg: StoredMessage = {
      ...fields,
      channel,
      ts: this.clock.next(),
      user,
      botId: user === this.config.botUserId ? this.config.botId : null,
      threadTs,
      broadcast: threadTs !== null && opts.broadcast === true,
      edited: null,
      reactions: new Map(),
    };
    if (threadTs === null) state.top.push(msg);
    else {
      // Slack keeps a reply even when its parent is unknown; it is just never shown.
      const replies = state.threads.get(threadTs) ?? [];
      replies.push(msg);
      state.threads.set(threadTs, replies);
      if (msg.broadcast) state.top.push(msg);
    }
    this.changed();
    return this.snapshot(msg);
  }

  updateMessage(channel: string, ts: string, patch: Partial<MessageFields>): Outcome<FakeMessage> {
    const msg = this.find(channel, ts);
    if (!msg) return fail("message_not_found");
    if (msg.user !== this.config.botUserId) return fail("cant_update_message");
    const editable = msg as unknown as Editable;
    if (patch.text !== undefined) editable.text = patch.text;
    if (patch.blocks !== undefined) editable.blocks = patch.blocks;
    if (patch.attachments !== undefined) editable.attachments = patch.attachments;
    // Slack: metadata left out is kept; an empty object removes it.
    if (patch.metadata !== undefined) editable.metadata = patch.metadata;
    msg.edited = { user: this.config.botUserId, ts: this.clock.next() };
    this.changed();
    return ok(this.snapshot(msg));
  }

  deleteMessage(channel: string, ts: string): Outcome<void> {
    const state = this.channelState.get(channel);
    const msg = this.find(channel, ts);
    if (!state || !msg) return fail("message_not_found");
    removeWhere(state.top, (m) => m === msg);
    if (msg.threadTs !== null) removeWhere(state.threads.get(msg.threadTs) ?? [], (m) => m === msg);
    if (msg.threadTs === null) state.threads.delete(msg.ts);
    this.changed();
    return ok(undefined);
  }

  addReaction(channel: string, ts: string, name: string, user: string): Outcome<void> {
    const msg = this.find(channel, ts);
    if (!msg) return fail("message_not_found");
    const users = msg.reactions.get(name) ?? [];
    if (users.includes(user)) return fail("already_reacted");
    msg.reactions.set(name, [...users, user]);
    this.changed();
    return ok(undefined);
  }

  hasMessage(channel: string, ts: string): boolean {
    return this.find(channel, ts) !== undefined;
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    const msg = this.find(channel, ts);
    return msg ? this.snapshot(msg) : undefined;
  }

  /** Top-level messages (and broadcast replies), oldest first. */
  messages(channel: string): FakeMessage[] {
    return (this.channelState.get(channel)?.top ?? []).map((m) => this.snapshot(m));
  }

  /** Replies only, oldest first; `ts` may be the parent's or any reply's. */
  thread(channel: string, ts: string): FakeMessage[] {
    const state = this.channelState.get(channel);
    if (!state) return [];
    return (state.threads.get(this.threadRoot(state, ts)) ?? []).map((m) => this.snapshot(m));
  }

  /** The parent ts a thread hangs off, resolving a reply's ts to its parent's. */
  threadRootOf(channel: string, ts: string): string {
    const state = this.channelState.get(channel);
    return state ? this.threadRoot(state, ts) : ts;
  }

  // --- ephemerals ---------------------------------------------------------------------------

  postEphemeral(e: Omit<FakeEphemeral, "ts">): FakeEphemeral {
    const ephemeral: FakeEphemeral = { ...e, ts: this.clock.next() };
    this.ephemeralList.push(ephemeral);
    this.changed();
    return ephemeral;
  }

  replaceEphemeral(ts: string, fields: { text: string; blocks: readonly unknown[] | null }): boolean {
    const i = this.ephemeralList.findIndex((e) => e.ts === ts);
    const current = this.ephemeralList[i];
    if (!current) return false;
    this.ephemeralList[i] = { ...current, ...fields };
    this.changed();
    return true;
  }

  deleteEphemeral(ts: string): boolean {
    const before = this.ephemeralList.length;
    this.ephemeralList = this.ephemeralList.filter((e) => e.ts !== ts);
    if (this.ephemeralList.length !== before) this.changed();
    return this.ephemeralList.length !== before;
  }

  ephemerals(channel?: string, user?: string): FakeEphemeral[] {
    return this.ephemeralList.filter(
      (e) => (channel === undefined || e.channel === channel) && (user === undefined || e.user === user),
    );
  }

  // --- views --------------------------------------------------------------------------------

  /** Lets a test or the sandbox say who pressed the button that carries this trigger. */
  registerTrigger(triggerId: string, userId: string): void {
    this.triggerUsers.set(triggerId, userId);
  }

  /** trigger_ids are single-use in Slack; reuse is a bug the real API would reject. */
  exchangeTrigger(triggerId: unknown): Outcome<string> {
    if (typeof triggerId !== "string" || triggerId === "") {
      return fail("invalid_arguments", ["[ERROR] missing required field: trigger_id"]);
    }
    if (this.usedTriggers.has(triggerId)) {
      return fail("invalid_arguments", ["[ERROR] invalid `trigger_id`: it was already exchanged"]);
    }
    this.usedTriggers.add(triggerId);
    return ok(triggerId);
  }

  openModal(view: Record<string, unknown>, triggerId: string, parent: FakeView | null): Outcome<FakeView> {
    const externalId =
      typeof view.external_id === "string" && view.external_id !== "" ? view.external_id : null;
    if (externalId && [...this.modals.values()].some((v) => v.externalId === externalId)) {
      return fail("duplicate_external_id");
    }
    const id = randomId("V");
    const modal: FakeView = {
      id,
      type: "modal",
      userId: this.triggerUsers.get(triggerId) ?? parent?.userId ?? null,
      triggerId,
      externalId,
      hash: viewHash(),
      rootViewId: parent?.rootViewId ?? id,
      previousViewId: parent?.id ?? null,
      view,
    };
    this.modals.set(id, modal);
    this.lastModalRoot = modal.rootViewId;
    this.changed();
    return ok(modal);
  }

  /** views.push carries only a trigger; the fake pushes onto the most recently used modal stack. */
  topOfLatestStack(): FakeView | null {
    if (this.lastModalRoot === null) return null;
    const stack = [...this.modals.values()].filter((v) => v.rootViewId === this.lastModalRoot);
    return stack.at(-1) ?? null;
  }

  findView(viewId: unknown, externalId: unknown): FakeView | undefined {
    const all = [...this.modals.values(), ...this.homes.values()];
    if (typeof viewId === "string" && viewId !== "") return all.find((v) => v.id === viewId);
    if (typeof externalId === "string" && externalId !== "")
      return all.find((v) => v.externalId === externalId);
    return undefined;
  }

  updateView(current: FakeView, view: Record<string, unknown>, hash: unknown): Outcome<FakeView> {
    if (typeof hash === "string" && hash !== "" && hash !== current.hash) return fail("hash_conflict");
    const next: FakeView = { ...current, view, hash: viewHash() };
    if (next.type === "home") this.homes.set(next.userId ?? "", next);
    else {
      this.modals.set(next.id, next);
      this.lastModalRoot = next.rootViewId;
    }
    this.changed();
    return ok(next);
  }

  publishHome(userId: string, view: Record<string, unknown>, hash: unknown): Outcome<FakeView> {
    const current = this.homes.get(userId);
    if (current) return this.updateView(current, view, hash);
    const id = randomId("V");
    const home: FakeView = {
      id,
      type: "home",
      userId,
      triggerId: null,
      externalId: typeof view.external_id === "string" ? view.external_id : null,
      hash: viewHash(),
      rootViewId: id,
      previousViewId: null,
      view,
    };
    this.homes.set(userId, home);
    this.changed();
    return ok(home);
  }

  /** What the user closing (or submitting) a modal does: the whole stack goes away. */
  closeView(viewId: string): boolean {
    const view = this.modals.get(viewId);
    if (!view) return false;
    for (const [id, v] of this.modals) if (v.rootViewId === view.rootViewId) this.modals.delete(id);
    if (this.lastModalRoot === view.rootViewId) this.lastModalRoot = null;
    this.changed();
    return true;
  }

  openModals(): FakeView[] {
    return [...this.modals.values()];
  }

  homeTab(userId: string): FakeView | undefined {
    return this.homes.get(userId);
  }

  // --- internals ----------------------------------------------------------------------------

  private stateOf(channel: string): ChannelState {
    let state = this.channelState.get(channel);
    if (!state) {
      state = { top: [], threads: new Map() };
      this.channelState.set(channel, state);
    }
    return state;
  }

  private threadRoot(state: ChannelState, ts: string): string {
    for (const [root, replies] of state.threads) if (replies.some((r) => r.ts === ts)) return root;
    return ts;
  }

  private find(channel: string, ts: string): StoredMessage | undefined {
    const state = this.channelState.get(channel);
    if (!state) return undefined;
    const top = state.top.find((m) => m.ts === ts);
    if (top) return top;
    for (const replies of state.threads.values()) {
      const reply = replies.find((m) => m.ts === ts);
      if (reply) return reply;
    }
    return undefined;
  }

  private snapshot(msg: StoredMessage): FakeMessage {
    const state = this.channelState.get(msg.channel);
    const replies = msg.threadTs === null ? (state?.threads.get(msg.ts) ?? []) : [];
    return structuredClone({
      channel: msg.channel,
      ts: msg.ts,
      user: msg.user,
      botId: msg.botId,
      text: msg.text,
      blocks: msg.blocks,
      attachments: msg.attachments,
      metadata: msg.metadata,
      threadTs: msg.threadTs ?? (replies.length > 0 ? msg.ts : null),
      replies: replies.map((r) => this.snapshot(r)),
      reactions: [...msg.reactions].map(([name, users]) => ({ name, users, count: users.length })),
      edited: msg.edited,
      broadcast: msg.broadcast,
    });
  }
}

export function compareTs(a: string, b: string): number {
  return tsToMicros(a) - tsToMicros(b);
}

function removeWhere<T>(list: T[], predicate: (item: T) => boolean): void {
  const i = list.findIndex(predicate);
  if (i >= 0) list.splice(i, 1);
}
