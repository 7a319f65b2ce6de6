// A fake Slack Web API on loopback for end-to-end tests and the local sandbox. It keeps real
// workspace state (messages, threads, ephemerals, modals, home tabs), records every call, and
// can be told to fail the next calls (429 with Retry-After, 5xx, ok:false, slow answers).
// With rateLimits on it answers 429 as Slack does when a caller outpaces Slack's limits.
// Point the bot at it with `clientOptions: { slackApiUrl: fake.url }`.

import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { checkBlocks } from "./slack-blocks-check";
import { type Args, parseBody, str } from "./slack-body";
import { dmChannelId } from "./slack-ids";
import {
  type LimitOverrides,
  type LimitSettings,
  type MethodLimitStats,
  SlackRateLimiter,
} from "./slack-limits";
import { failure, METHODS, type SlackResponse } from "./slack-methods";
import {
  type FakeChannel,
  type FakeEphemeral,
  type FakeMessage,
  type FakeUser,
  type FakeView,
  SlackWorkspace,
} from "./slack-state";
import { SocketModeServer } from "./socket-mode";

export type {
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakeUser,
  FakeView,
  LimitOverrides,
  LimitSettings,
  MethodLimitStats,
  SlackResponse,
};

export interface FakeSlackOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** When given, only these users exist (users.info of anyone else: user_not_found). */
  readonly users?: readonly FakeUser[];
  /** When given, only these channels (plus opened DMs) exist; otherwise any id is accepted. */
  readonly channels?: readonly FakeChannel[];
  readonly botUserId?: string;
  readonly botId?: string;
  readonly appId?: string;
  readonly teamId?: string;
  /**
   * Slack's rate limits (see slack-limits.ts): true for Slack's figures, settings to change some.
   * Off by default, so a test sees 429s only when it asks for them.
   */
  readonly rateLimits?: boolean | LimitOverrides;
  /** The limiter's clock (ms), for tests that move time themselves. */
  readonly rateLimitClock?: () => number;
}

export interface RecordedCall {
  /** Web API method, or "response_url" for posts to a URL from responseUrl(). */
  readonly method: string;
  /** Decoded body without the token; JSON-string fields (blocks, metadata, view…) are parsed. */
  readonly args: Readonly<Args>;
  readonly at: Date;
  readonly status: number;
  readonly response: Readonly<SlackResponse>;
}

export type FakeFailure =
  | { readonly status: 429; readonly retryAfterSec: number }
  | { readonly status: 500 | 503 }
  | { readonly error: string }
  | { readonly delayMs: number };

export interface ResponseUrlContext {
  /** Where in_channel responses and ephemerals go. */
  readonly channel?: string;
  /** Who sees ephemeral responses. */
  readonly user?: string;
  /** The message replace_original / delete_original act on (a message or an ephemeral's ts). */
  readonly messageTs?: string;
}

interface Waiter {
  readonly predicate: (c: RecordedCall) => boolean;
  readonly resolve: (c: RecordedCall) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export class FakeSlack {
  /** Ends with "/": WebClient appends the method name (it would add the slash itself if missing). */
  readonly url: string;
  readonly origin: string;
  /** Socket Mode: apps.connections.open hands out URLs to this server, on the same port. */
  readonly socketMode: SocketModeServer;
  private readonly ws: SlackWorkspace;
  private readonly recorded: RecordedCall[] = [];
  private readonly failures = new Map<
    string,
    { readonly failure: FakeFailure; readonly when?: (args: Readonly<Args>) => boolean }[]
  >();
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<() => void>();
  private readonly responseUrls = new Map<string, ResponseUrlContext>();
  private readonly pendingDelays = new Set<NodeJS.Timeout>();
  private closed = false;
  private active = 0;
  private limiter: SlackRateLimiter | null = null;
  private readonly limitClock: () => number;

  private constructor(
    private readonly server: Server,
    origin: string,
    opts: FakeSlackOptions,
  ) {
    this.origin = origin;
    this.url = `${origin}/api/`;
    this.socketMode = new SocketModeServer(server, origin, { appId: opts.appId ?? "A0ONCALL" });
    this.limitClock = opts.rateLimitClock ?? Date.now;
    this.setRateLimits(opts.rateLimits ?? false);
    this.ws = new SlackWorkspace(
      {
        teamId: opts.teamId ?? "T0EXAMPLE",
        teamDomain: "example",
        botUserId: opts.botUserId ?? "U0ONCALLBOT",
        botId: opts.botId ?? "B0ONCALL",
        appId: opts.appId ?? "A0ONCALL",
        users: opts.users ?? null,
        channels: opts.channels ?? null,
      },
      () => this.emitChange(),
    );
  }

  static async start(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    const host = opts.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const fake = new FakeSlack(server, `http://${host.includes(":") ? `[${host}]` : host}:${port}`, opts);
    server.on("request", (req, res) => {
      fake.active++;
      res.once("close", () => fake.active--);
      fake.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
        res.end(`fake slack failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    });
    return fake;
  }

  /** Requests received and not yet answered (tests wait for none before saying nothing more happened). */
  get inFlight(): number {
    return this.active;
  }

  get botUserId(): string {
    return this.ws.config.botUserId;
  }

  // --- the call log ---------------------------------------------------------------------------

  get calls(): readonly RecordedCall[] {
    return this.recorded;
  }

  callsTo(method: string): RecordedCall[] {
    return this.recorded.filter((c) => c.method === method);
  }

  /** Resolves with the first matching call, whether it already happened or happens within the timeout. */
  waitFor(predicate: (c: RecordedCall) => boolean, opts: { timeoutMs?: number } = {}): Promise<RecordedCall> {
    const done = this.recorded.find(predicate);
    if (done) return Promise.resolve(done);
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(
            new Error(
              `FakeSlack.waitFor: no matching call within ${timeoutMs} ms.\n${this.describeRecentCalls()}`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * The next `times` calls to `method` fail this way (then it answers normally again); with `when`,
   * only calls whose arguments it accepts (say, posts to one channel) meet the failure.
   */
  failNext(method: string, failure: FakeFailure, times = 1, when?: (args: Readonly<Args>) => boolean): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) queue.push(when ? { failure, when } : { failure });
    this.failures.set(method, queue);
  }

  // --- rate limits ----------------------------------------------------------------------------

  /** Switches Slack's limits on (true, or settings over Slack's figures) or off; buckets start full. */
  setRateLimits(on: boolean | LimitOverrides): void {
    this.limiter = on === false ? null : new SlackRateLimiter(on === true ? {} : on, this.limitClock);
  }

  /** The limits in force, or null when they are off. */
  get rateLimits(): LimitSettings | null {
    return this.limiter?.settings ?? null;
  }

  /** Calls the limits refused (answered 429) since they were switched on, of one method or all. */
  rateLimited(method?: string): number {
    return this.limiter?.limited(method) ?? 0;
  }

  /** Per method: calls the limits let through and refused. */
  rateLimitStats(): Record<string, MethodLimitStats> {
    return this.limiter?.methodStats() ?? {};
  }

  // --- state ----------------------------------------------------------------------------------

  /** Top-level messages of a channel or DM, oldest first, as they read now (after updates). */
  messages(channel: string): FakeMessage[] {
    return this.ws.messages(channel);
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.ws.message(channel, ts);
  }

  /** A thread's replies, oldest first, without the parent (that one is in messages()). */
  thread(channel: string, ts: string): FakeMessage[] {
    return this.ws.thread(channel, ts);
  }

  ephemerals(channel?: string, user?: string): FakeEphemeral[] {
    return this.ws.ephemerals(channel, user);
  }

  /** Open modals (every view of every stack), in the order they were opened. */
  views(): FakeView[] {
    return this.ws.openModals();
  }

  homeTabs(userId: string): FakeView | undefined {
    return this.ws.homeTab(userId);
  }

  /** The DM id conversations.open returns for these users (stable, derived from the set). */
  dmChannel(...userIds: string[]): string {
    return dmChannelId(userIds);
  }

  /** Records who pressed the button behind a trigger_id, so the modal it opens knows its user. */
  registerTrigger(triggerId: string, userId: string): void {
    this.ws.registerTrigger(triggerId, userId);
  }

  /** What the user closing or submitting a modal does to the stack. */
  closeView(viewId: string): boolean {
    return this.ws.closeView(viewId);
  }

  /**
   * What Slack does with a view_submission's answer: `update` replaces the submitted view,
   * `push` stacks a new one on it, `clear` closes the stack. False when the view is gone.
   */
  applyViewResponse(
    viewId: string,
    response: { action: "update" | "push"; view: Record<string, unknown> } | { action: "clear" },
  ): boolean {
    const current = this.ws.openModals().find((v) => v.id === viewId);
    if (!current) return false;
    if (response.action === "clear") return this.ws.closeView(viewId);
    if (response.action === "update") return this.ws.updateView(current, response.view, undefined).ok;
    return this.ws.openModal(response.view, randomBytes(9).toString("hex"), current).ok;
  }

  /** Every user the workspace knows, the bot included. */
  users(): FakeUser[] {
    return this.ws.allUsers();
  }

  /** Channels (configured or used) and opened DMs with their members, for the sandbox page. */
  conversations(): { id: string; name: string | null; dmMembers: readonly string[] | null }[] {
    return this.ws.conversationIds().map((id) => ({
      id,
      name: this.ws.channel(id)?.name ?? null,
      dmMembers: this.ws.dmMembers(id) ?? null,
    }));
  }

  /** A response_url on this server; what is posted there is recorded and applied like Slack does. */
  responseUrl(context: ResponseUrlContext = {}): string {
    const id = randomBytes(9).toString("hex");
    this.responseUrls.set(id, context);
    return `${this.origin}/response/${id}`;
  }

  reset(): void {
    this.recorded.length = 0;
    this.failures.clear();
    this.responseUrls.clear();
    this.limiter?.reset();
    this.ws.reset();
  }

  on(event: "change", listener: () => void): () => void {
    if (event !== "change") throw new Error(`FakeSlack: unknown event ${String(event)}`);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.pendingDelays) clearTimeout(t);
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error("FakeSlack closed while waiting for a call"));
    }
    this.waiters.clear();
    this.listeners.clear();
    this.socketMode.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Keep-alive sockets from fetch would hold close() open until they time out.
      this.server.closeAllConnections();
    });
  }

  // --- HTTP -----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.origin);
    const raw = await readBody(req);
    if (raw === null) return sendJson(res, 413, failure("request_too_large"));
    const api = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (api?.[1]) return this.handleApi(api[1], req, raw, url, res);
    const hook = /^\/response\/([0-9a-f]+)$/.exec(url.pathname);
    if (hook?.[1] && req.method === "POST") return this.handleResponseUrl(hook[1], req, raw, res);
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
  }

  private async handleApi(
    method: string,
    req: IncomingMessage,
    raw: string,
    url: URL,
    res: ServerResponse,
  ): Promise<void> {
    const parsed = parseBody(req.headers["content-type"], raw, url.searchParams);
    const args = parsed.ok ? withoutToken(parsed.args) : {};
    if (!parsed.ok) return this.answer(res, method, args, 200, failure(parsed.error));
    // Any token will do, but it has to be sent the way WebClient sends it.
    const token = /^Bearer (\S+)/.exec(req.headers.authorization ?? "")?.[1];
    if (!token) return this.answer(res, method, args, 200, failure("not_authed"));
    // An app-level token opens sockets and nothing else; a bot token cannot open one.
    if (token.startsWith("xapp-") !== (method === "apps.connections.open")) {
      return this.answer(res, method, args, 200, failure("not_allowed_token_type"));
    }
    if (await this.injectedFailure(method, args, res)) return;
    const limit = this.limiter?.take(method, args);
    if (limit && !limit.ok) {
      return this.answer(res, method, args, 429, failure("ratelimited"), {
        "Retry-After": String(limit.retryAfterSec),
      });
    }
    const handler = METHODS[method];
    const response = handler
      ? handler({ ws: this.ws, args, origin: this.origin, socketMode: this.socketMode })
      : failure("unknown_method", { req_method: method });
    this.answer(res, method, args, 200, response);
  }

  private async handleResponseUrl(
    id: string,
    req: IncomingMessage,
    raw: string,
    res: ServerResponse,
  ): Promise<void> {
    const parsed = parseBody(req.headers["content-type"], raw, new URLSearchParams());
    let body: Args = parsed.ok ? parsed.args : {};
    // Slack also accepts the legacy form `payload=<json>`.
    if (typeof body.payload === "string") {
      try {
        body = JSON.parse(body.payload) as Args;
      } catch {
        body = {};
      }
    }
    const method = "response_url";
    const context = this.responseUrls.get(id);
    if (!parsed.ok) return this.answer(res, method, body, 400, failure("invalid_payload"));
    if (!context) return this.answer(res, method, body, 404, failure("expired_url"));
    if (await this.injectedFailure(method, body, res)) return;
    const outcome = this.applyResponse(context, body);
    this.answer(res, method, body, outcome.ok ? 200 : 400, outcome);
  }

  /** Slack's response_url semantics: delete or replace the source message, or post a new one. */
  private applyResponse(ctx: ResponseUrlContext, body: Args): SlackResponse {
    const text = str(body.text) ?? "";
    const blocks = Array.isArray(body.blocks) ? body.blocks : null;
    if (body.blocks !== undefined) {
      const errors = checkBlocks(body.blocks, "message");
      if (errors.length > 0) return failure("invalid_blocks", { errors });
    }
    const channel = ctx.channel ?? "";
    const sourceTs = ctx.messageTs ?? "";
    if (body.delete_original === true || body.delete_original === "true") {
      if (this.ws.deleteEphemeral(sourceTs) || this.ws.deleteMessage(channel, sourceTs).ok)
        return { ok: true };
      return failure("message_not_found");
    }
    if (text === "" && !blocks?.length) return failure("no_text");
    if (body.replace_original === true || body.replace_original === "true") {
      if (this.ws.replaceEphemeral(sourceTs, { text, blocks })) return { ok: true };
      if (this.ws.hasMessage(channel, sourceTs)) {
        const patch = blocks ? { text, blocks } : { text };
        const updated = this.ws.updateMessage(channel, sourceTs, patch);
        return updated.ok ? { ok: true } : failure(updated.error);
      }
      return failure("message_not_found");
    }
    const threadTs = str(body.thread_ts) || null;
    if (body.response_type === "in_channel") {
      const target = this.ws.resolveChannel(channel);
      if (!target.ok) return failure(target.error);
      this.ws.postMessage(target.value, { text, blocks, attachments: null, metadata: null }, { threadTs });
      return { ok: true };
    }
    this.ws.postEphemeral({ channel, user: ctx.user ?? "", text, blocks, threadTs, via: "response_url" });
    return { ok: true };
  }

  /** Applies a queued failure; true when it has answered the request. */
  private async injectedFailure(method: string, args: Args, res: ServerResponse): Promise<boolean> {
    const queue = this.failures.get(method) ?? [];
    const at = queue.findIndex((q) => !q.when || q.when(args));
    if (at < 0) return false;
    const f = queue.splice(at, 1)[0]!.failure;
    if ("delayMs" in f) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.pendingDelays.delete(t);
          resolve();
        }, f.delayMs);
        this.pendingDelays.add(t);
      });
      return this.closed;
    }
    if ("error" in f) this.answer(res, method, args, 200, failure(f.error));
    else if (f.status === 429) {
      this.answer(res, method, args, 429, failure("ratelimited"), { "Retry-After": String(f.retryAfterSec) });
    } else this.answer(res, method, args, f.status, failure("fatal_error"));
    return true;
  }

  private answer(
    res: ServerResponse,
    method: string,
    args: Args,
    status: number,
    response: SlackResponse,
    headers: Record<string, string> = {},
  ): void {
    sendJson(res, status, response, headers);
    this.record({ method, args, at: new Date(), status, response });
  }

  private record(call: RecordedCall): void {
    this.recorded.push(call);
    for (const w of [...this.waiters]) {
      if (!safePredicate(w.predicate, call)) continue;
      clearTimeout(w.timer);
      this.waiters.delete(w);
      w.resolve(call);
    }
    this.emitChange();
  }

  private emitChange(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A broken UI listener must not break the API the bot is talking to.
      }
    }
  }

  private describeRecentCalls(): string {
    if (this.recorded.length === 0) return "No calls were made at all.";
    const recent = this.recorded.slice(-15);
    const lines = recent.map((c) => `  ${c.method} ${summarize(c.args)} -> ${outcomeOf(c)}`);
    const skipped = this.recorded.length - recent.length;
    return `${skipped > 0 ? `Last ${recent.length} of ${this.recorded.length} calls:` : "Calls so far:"}\n${lines.join("\n")}`;
  }
}

function safePredicate(predicate: (c: RecordedCall) => boolean, call: RecordedCall): boolean {
  try {
    return predicate(call);
  } catch {
    return false;
  }
}

function withoutToken(args: Args): Args {
  const { token: _token, ...rest } = args;
  return rest;
}

function summarize(args: Args): string {
  const json = JSON.stringify(args);
  return json.length > 160 ? `${json.slice(0, 157)}...` : json;
}

function outcomeOf(c: RecordedCall): string {
  if (c.status !== 200) return `HTTP ${c.status}`;
  return c.response.ok ? "ok" : `error ${String(c.response.error)}`;
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}
