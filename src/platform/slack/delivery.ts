// Posting to Slack exactly once, however often a job runs.
//
// BullMQ runs a job at least once: a worker can die between Slack's answer to `chat.postMessage`
// and storing the message's ts, and the retry must not post a second message. So every message the
// bot must not repeat is posted the same way:
//   1. its record says "posted" (a ts): nothing to do;
//   2. its record says "claimed" (a post was under way when a run died): look for the message by
//      the metadata it carries; found, record it and stop;
//   3. otherwise post with the metadata, claiming once the post has its pacing token (a post paced
//      back to the queue never went out, so it leaves no claim to look up), and record the ts.
// Where the record lives differs (a delivery hash field, a per-week key, a per-hand-off hash), so
// callers hand in a `PostRecord`; the steps, the metadata and the look-up live here once.

import { type SlackApi, SlackCallError } from "./api";
import type { SlackPriority } from "./pace";

/** A message as `conversations.history` / `conversations.replies` return it (the parts we read). */
export interface HistoryMessage {
  readonly ts?: string;
  readonly thread_ts?: string;
  readonly metadata?: {
    readonly event_type?: string;
    readonly event_payload?: Readonly<Record<string, unknown>>;
  };
}

/** Slack message metadata: how a posted message is recognised again (and what monitoring reads). */
export interface MessageMark {
  readonly event_type: string;
  readonly event_payload: Readonly<Record<string, string | number>>;
}

export interface MessageContent {
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

/** A message already in Slack. */
export interface MessageRef {
  readonly channel: string;
  readonly ts: string;
}

/**
 * Where a message goes: a conversation (optionally a thread in it), or a user's DM. A DM is posted
 * to the user id itself (Slack puts it in the bot's DM with them), so it costs no
 * `conversations.open` (a Tier 3 call, one per DM, that a storm of pages would exhaust); later
 * rewrites use the DM's channel id Slack answers with.
 */
export type Destination =
  | { readonly channel: string; readonly threadTs?: string }
  | { readonly user: string; readonly threadTs?: undefined };

/** What a caller's store says about one message: not posted, maybe posted by a run that died, posted. */
export type PostState = "none" | "claimed" | "posted";

/** A caller's bookkeeping of one message that must be posted at most once. */
export interface PostRecord {
  state(): Promise<PostState>;
  /** Written just before posting, so that a run dying after Slack's answer leaves a trace. */
  claim(): Promise<void>;
  /** Written once Slack has the message (posted now, or found after a crash). */
  posted(message: MessageRef): Promise<void>;
}

export interface FindOptions {
  /** How urgent the post (and its look-up) is for pacing; see pace.ts. */
  readonly priority?: SlackPriority;
  /** Only messages after this Slack ts (seconds); bounds the look-up when the post's time is known. */
  readonly oldest?: string;
  readonly limit?: number;
  /**
   * Payload fields that identify the message; the others are informational. Defaults to all of
   * the mark's payload fields.
   */
  readonly identity?: readonly string[];
}

export type PostOutcome =
  | { readonly kind: "posted" | "found"; readonly message: MessageRef }
  | { readonly kind: "already" };

// A retry comes within minutes of the post it looks for, which is then among the latest messages.
const FIND_LIMIT = 200;

function matches(m: HistoryMessage, mark: MessageMark, identity: readonly string[]): boolean {
  if (m.metadata?.event_type !== mark.event_type) return false;
  const payload = m.metadata.event_payload ?? {};
  // Slack hands numbers back as numbers, but a payload posted by hand (or by an older version) may
  // carry them as strings: compare as text.
  return identity.every((k) => String(payload[k]) === String(mark.event_payload[k]));
}

/** The ts of the message in `where` (a channel, or a thread when threadTs is set) carrying `mark`. */
export async function findByMark(
  slack: SlackApi,
  where: { readonly channel: string; readonly threadTs?: string },
  mark: MessageMark,
  opts: FindOptions = {},
): Promise<string | null> {
  const thread = where.threadTs;
  const res = await slack.call<{ messages?: HistoryMessage[] }>(
    thread ? "conversations.replies" : "conversations.history",
    {
      channel: where.channel,
      ...(thread ? { ts: thread } : {}),
      ...(opts.oldest ? { oldest: opts.oldest } : {}),
      limit: opts.limit ?? FIND_LIMIT,
      include_all_metadata: true,
    },
    { priority: opts.priority ?? "normal" },
  );
  const identity = opts.identity ?? Object.keys(mark.event_payload);
  return res.messages?.find((m) => matches(m, mark, identity))?.ts ?? null;
}

/** The bot's DM channel with `user`. */
export async function openDm(slack: SlackApi, user: string): Promise<string> {
  const res = await slack.call<{ channel?: { id?: string } }>("conversations.open", { users: user });
  const id = res.channel?.id;
  // Slack answered ok without a channel: nothing to post to, but worth another try.
  if (!id) throw new SlackCallError("conversations.open", { kind: "transient", detail: "no channel id" });
  return id;
}

/** Where to post for a destination: a channel, or the user id itself for a DM (see Destination). */
export function postTarget(to: Destination): string {
  return "user" in to && to.user ? to.user : (to as { channel: string }).channel;
}

/**
 * A conversation id for a destination, which reading (history, replies) needs: a user id is not
 * one, so a DM is opened (`conversations.open`) here, and only here.
 */
export async function conversationOf(slack: SlackApi, to: Destination): Promise<string> {
  return "user" in to && to.user ? openDm(slack, to.user) : (to as { channel: string }).channel;
}

export interface PostOptions {
  readonly threadTs?: string;
  readonly mark?: MessageMark;
  /** For pacing; a thread reply is background work unless said otherwise, a message normal. */
  readonly priority?: SlackPriority;
  /** See CallOptions.beforeSend: runs once the post has its token, before it is sent. */
  readonly beforeSend?: () => Promise<void>;
}

/** Posts one message (no bookkeeping) to a channel or a user id; `mark` makes it findable again. */
export async function post(
  slack: SlackApi,
  channel: string,
  content: MessageContent,
  opts: PostOptions = {},
): Promise<MessageRef> {
  const res = await slack.call<{ ts?: string; channel?: string }>(
    "chat.postMessage",
    {
      channel,
      ...(opts.threadTs ? { thread_ts: opts.threadTs } : {}),
      text: content.text,
      ...(content.blocks ? { blocks: content.blocks } : {}),
      unfurl_links: false,
      ...(opts.mark ? { metadata: opts.mark } : {}),
    },
    {
      priority: opts.priority ?? (opts.threadTs ? "background" : "normal"),
      ...(opts.beforeSend ? { beforeSend: opts.beforeSend } : {}),
    },
  );
  // Posting to a user id lands in the DM, whose id Slack returns: later rewrites need that id.
  return { channel: res.channel ?? channel, ts: String(res.ts) };
}

/** Shows `text` to `user` alone in `channel`, in the thread `threadTs` when given (`chat.postEphemeral`). */
export async function postEphemeral(
  slack: SlackApi,
  to: { readonly user: string; readonly channel: string; readonly threadTs?: string | null },
  text: string,
): Promise<void> {
  await slack.call("chat.postEphemeral", {
    channel: to.channel,
    user: to.user,
    text,
    ...(to.threadTs ? { thread_ts: to.threadTs } : {}),
  });
}

/** Rewrites a message in place (`chat.update`); the metadata it was posted with stays. */
export async function rewrite(
  slack: SlackApi,
  message: MessageRef,
  content: MessageContent,
  priority: SlackPriority = "normal",
): Promise<void> {
  await slack.call(
    "chat.update",
    {
      channel: message.channel,
      ts: message.ts,
      text: content.text,
      ...(content.blocks ? { blocks: content.blocks } : {}),
    },
    { priority },
  );
}

/**
 * Posts `content` to `to` unless `record` says it is posted, finding it by `mark` when a run died
 * mid-post (see the file's comment). `content` may be a function, so callers render only when a
 * post is due.
 */
export async function postOnce(
  slack: SlackApi,
  record: PostRecord,
  to: Destination,
  content: MessageContent | (() => MessageContent | Promise<MessageContent>),
  mark: MessageMark,
  opts: FindOptions = {},
): Promise<PostOutcome> {
  const state = await record.state();
  if (state === "posted") return { kind: "already" };
  if (state === "claimed") {
    // Only after a run died mid-post: the one case a DM needs its channel id before posting.
    const channel = await conversationOf(slack, to);
    const ts = await findByMark(slack, { channel, threadTs: to.threadTs }, mark, opts);
    if (ts) {
      const message = { channel, ts };
      await record.posted(message);
      return { kind: "found", message };
    }
  }
  const body = typeof content === "function" ? await content() : content;
  const message = await post(slack, postTarget(to), body, {
    threadTs: to.threadTs,
    mark,
    ...(opts.priority ? { priority: opts.priority } : {}),
    beforeSend: () => record.claim(),
  });
  await record.posted(message);
  return { kind: "posted", message };
}

/**
 * Walks an append-only list (an alert's timeline) from a stored cursor, posting the items that
 * belong in a thread once each. The cursor only moves forward, so items before it are never
 * looked at again; `record(i)` is the per-item claim, as in `postOnce`.
 */
export async function postFromCursor<T>(
  items: readonly T[],
  cursor: number,
  step: {
    /** The message for item `i`, or null when it is not posted (the cursor still moves past it). */
    readonly message: (item: T, i: number) => MessageContent | null;
    readonly post: (content: MessageContent, i: number) => Promise<PostOutcome>;
    readonly advance: (next: number) => Promise<void>;
  },
): Promise<number> {
  let posted = 0;
  for (let i = cursor; i < items.length; i++) {
    const content = step.message(items[i] as T, i);
    if (content && (await step.post(content, i)).kind === "posted") posted++;
    await step.advance(i + 1);
  }
  return posted;
}
