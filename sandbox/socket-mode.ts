// A stand-in for Slack's Socket Mode on loopback. `apps.connections.open` (called with the
// app-level token) hands out a one-time `ws://` URL; the bot connects there, gets `hello`, and
// from then on receives slash commands, interactions and events as envelopes, each of which it
// must acknowledge with the envelope's id within 3 seconds, as Slack requires. The server can
// drop a connection or ask for a refresh (`disconnect`), after which the bot has to reconnect
// through a new `apps.connections.open`.

import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";

export type EnvelopeType = "slash_commands" | "interactive" | "events_api";

export interface Envelope {
  readonly envelope_id: string;
  readonly type: EnvelopeType;
  readonly payload: Record<string, unknown>;
  readonly accepts_response_payload: boolean;
  readonly retry_attempt?: number;
  readonly retry_reason?: string;
}

export interface EnvelopeAck {
  readonly envelopeId: string;
  readonly type: EnvelopeType;
  /** What the app put in its acknowledgement (`{}` for a bare ack). */
  readonly payload: Record<string, unknown>;
  /** From sending the envelope to receiving its ack. */
  readonly ms: number;
  /** False when the ack came after Slack's 3 seconds (Slack would have shown the user an error). */
  readonly inTime: boolean;
}

/** Slack shows the user an error when an app leaves an envelope unanswered for 3 seconds. */
export class EnvelopeNotAcknowledged extends Error {
  constructor(
    readonly envelope: Envelope,
    readonly timeoutMs: number,
  ) {
    super(
      `Socket Mode envelope ${envelope.envelope_id} (${envelope.type}${describePayload(envelope.payload)}) was not acknowledged within ${timeoutMs} ms`,
    );
    this.name = "EnvelopeNotAcknowledged";
  }
}

export class NoSocketConnection extends Error {
  constructor(waitedMs: number) {
    super(
      `no Socket Mode connection within ${waitedMs} ms: the bot never called apps.connections.open with its xapp- token, or never connected`,
    );
    this.name = "NoSocketConnection";
  }
}

export const ACK_TIMEOUT_MS = 3_000;
const LINK_PATH = "/link";
/** How long a URL from apps.connections.open stays good, like Slack's tickets. */
const TICKET_TTL_MS = 30_000;
/** After `disconnect`, Slack closes the old connection itself if the app does not. */
const REFRESH_GRACE_MS = 5_000;

export interface SocketModeOptions {
  readonly appId: string;
  readonly ackTimeoutMs?: number;
  /** How long deliver() waits for a connection (a reconnect takes the SDK about 5 s). */
  readonly connectTimeoutMs?: number;
  /** Slack pings its clients; 0 turns pings off. */
  readonly pingIntervalMs?: number;
}

interface Pending {
  readonly envelope: Envelope;
  readonly sentAt: number;
  readonly resolve: (ack: EnvelopeAck) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
  late: boolean;
}

interface Connection {
  readonly id: number;
  readonly socket: WebSocket;
  readonly openedAt: Date;
}

export class SocketModeServer {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Map<string, number>();
  private readonly open: Connection[] = [];
  private readonly pending = new Map<string, Pending>();
  private readonly sent: Envelope[] = [];
  private readonly acked: EnvelopeAck[] = [];
  private readonly missed: Envelope[] = [];
  private readonly problems: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly connectWaiters = new Set<() => void>();
  private readonly ackTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private nextConnection = 1;
  private helloCount = 0;
  private turn = 0;
  private closed = false;

  /** Serves `/link` upgrades on `server` (the fake Slack's own HTTP server). */
  constructor(
    server: Server,
    private readonly origin: string,
    private readonly opts: SocketModeOptions,
  ) {
    this.ackTimeoutMs = opts.ackTimeoutMs ?? ACK_TIMEOUT_MS;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 12_000;
    this.pingIntervalMs = opts.pingIntervalMs ?? 10_000;
    server.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
  }

  // --- apps.connections.open ----------------------------------------------------------------

  /** A fresh one-time URL to connect to, as apps.connections.open returns it. */
  openLink(): string {
    const ticket = randomBytes(16).toString("hex");
    this.tickets.set(ticket, Date.now() + TICKET_TTL_MS);
    const ws = this.origin.replace(/^http/, "ws");
    return `${ws}${LINK_PATH}/?ticket=${ticket}&app_id=${this.opts.appId}`;
  }

  // --- what tests and the sandbox look at ---------------------------------------------------

  /** Open connections that got `hello`. */
  get connections(): number {
    return this.open.length;
  }

  /** Every `hello` sent since start: 1 after the first connect, 2 after one reconnect… */
  get hellos(): number {
    return this.helloCount;
  }

  /** Every envelope sent, in order. */
  get delivered(): readonly Envelope[] {
    return this.sent;
  }

  get acks(): readonly EnvelopeAck[] {
    return this.acked;
  }

  /** Envelopes not acknowledged within the deadline (also those acknowledged too late). */
  unacked(): readonly Envelope[] {
    return this.missed;
  }

  /** What the app sent that Slack would not understand: unknown envelope ids, malformed frames. */
  protocolErrors(): readonly string[] {
    return this.problems;
  }

  /** Resolves once `count` hellos have been sent in all (so `hellos + 1` waits for a reconnect). */
  waitForHello(count: number, timeoutMs = this.connectTimeoutMs): Promise<void> {
    return this.until(
      () => this.helloCount >= count && this.open.length > 0,
      timeoutMs,
      () => {
        return new Error(
          `Socket Mode: ${this.helloCount} hello(s) sent, waited ${timeoutMs} ms for hello number ${count}`,
        );
      },
    );
  }

  // --- delivering -----------------------------------------------------------------------------

  /**
   * Sends one envelope to a connected app (waiting for a connection while the app reconnects)
   * and resolves with its ack; rejects with EnvelopeNotAcknowledged when none comes in time.
   */
  async deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    opts: { acceptsResponsePayload?: boolean } = {},
  ): Promise<EnvelopeAck> {
    await this.until(
      () => this.open.length > 0,
      this.connectTimeoutMs,
      () => new NoSocketConnection(this.connectTimeoutMs),
    );
    // Slack spreads envelopes over an app's connections; replicas each get their share.
    const conn = this.open[this.turn++ % this.open.length]!;
    const envelope: Envelope = {
      envelope_id: randomUUID(),
      type,
      payload,
      accepts_response_payload: opts.acceptsResponsePayload ?? acceptsResponsePayload(type, payload),
    };
    return new Promise<EnvelopeAck>((resolve, reject) => {
      const entry: Pending = {
        envelope,
        sentAt: Date.now(),
        resolve,
        reject,
        late: false,
        timer: setTimeout(() => {
          entry.late = true;
          this.missed.push(envelope);
          reject(new EnvelopeNotAcknowledged(envelope, this.ackTimeoutMs));
        }, this.ackTimeoutMs),
      };
      this.pending.set(envelope.envelope_id, entry);
      this.sent.push(envelope);
      conn.socket.send(JSON.stringify(envelope), (err) => {
        if (!err) return;
        clearTimeout(entry.timer);
        this.pending.delete(envelope.envelope_id);
        reject(err);
      });
    });
  }

  /** Cuts every connection without a close frame, as a network failure would. */
  drop(): void {
    for (const c of [...this.open]) c.socket.terminate();
  }

  /** Slack's warning before it rotates a connection; the app is to reconnect, then close the old one. */
  requestRefresh(): void {
    for (const c of [...this.open]) {
      c.socket.send(
        JSON.stringify({
          type: "disconnect",
          reason: "refresh_requested",
          debug_info: { host: "applink-fake" },
        }),
      );
      this.later(REFRESH_GRACE_MS, () => c.socket.terminate());
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    for (const c of [...this.open]) c.socket.terminate();
    for (const client of this.wss.clients) client.terminate();
    for (const wake of [...this.connectWaiters]) wake();
    this.wss.close();
  }

  // --- the socket -----------------------------------------------------------------------------

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", this.origin);
    if (url.pathname.replace(/\/$/, "") !== LINK_PATH) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    const ticket = url.searchParams.get("ticket") ?? "";
    const expires = this.tickets.get(ticket);
    // A URL is good for one connection: a client that reuses one has skipped apps.connections.open.
    this.tickets.delete(ticket);
    if (this.closed || expires === undefined || expires < Date.now()) {
      socket.end("HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n");
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  private connected(socket: WebSocket): void {
    const conn: Connection = { id: this.nextConnection++, socket, openedAt: new Date() };
    this.open.push(conn);
    socket.on("message", (data, isBinary) => this.received(data, isBinary));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      const i = this.open.indexOf(conn);
      if (i >= 0) this.open.splice(i, 1);
    });
    if (this.pingIntervalMs > 0) {
      const ping = setInterval(() => socket.ping(), this.pingIntervalMs);
      ping.unref();
      socket.on("close", () => clearInterval(ping));
    }
    this.helloCount++;
    socket.send(
      JSON.stringify({
        type: "hello",
        num_connections: this.open.length,
        debug_info: { host: "applink-fake", approximate_connection_time: 18_060 },
        connection_info: { app_id: this.opts.appId },
      }),
    );
    for (const wake of [...this.connectWaiters]) wake();
  }

  private received(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.problems.push("binary frame");
      return;
    }
    const text = rawText(data);
    let msg: { envelope_id?: unknown; payload?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      this.problems.push(`not JSON: ${text.slice(0, 80)}`);
      return;
    }
    const id = typeof msg.envelope_id === "string" ? msg.envelope_id : "";
    const entry = this.pending.get(id);
    if (!entry) {
      this.problems.push(`ack for unknown envelope ${JSON.stringify(msg.envelope_id)}`);
      return;
    }
    this.pending.delete(id);
    clearTimeout(entry.timer);
    const payload =
      typeof msg.payload === "object" && msg.payload !== null ? (msg.payload as Record<string, unknown>) : {};
    const ack: EnvelopeAck = {
      envelopeId: id,
      type: entry.envelope.type,
      payload,
      ms: Date.now() - entry.sentAt,
      inTime: !entry.late,
    };
    this.acked.push(ack);
    if (!entry.late) entry.resolve(ack);
  }

  private until(done: () => boolean, timeoutMs: number, error: () => Error): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (this.closed) finish(new Error("Socket Mode server closed"));
        else if (done()) finish(null);
      };
      const timer = setTimeout(() => finish(error()), timeoutMs);
      const finish = (err: Error | null) => {
        clearTimeout(timer);
        this.connectWaiters.delete(wake);
        if (err) reject(err);
        else resolve();
      };
      this.connectWaiters.add(wake);
    });
  }

  private later(ms: number, run: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      run();
    }, ms);
    t.unref();
    this.timers.add(t);
  }
}

// --- the same requests as the HTTP endpoint gets ----------------------------------------------

/**
 * What Slack would send over the socket for a body it would otherwise post to /slack/events:
 * a form with `command` is a slash command, a form with `payload` an interaction, JSON an event.
 */
export function envelopeOf(rawBody: string): { type: EnvelopeType; payload: Record<string, unknown> } {
  const body = rawBody.trim();
  if (body.startsWith("{")) {
    const payload = JSON.parse(body) as Record<string, unknown>;
    if (payload.type !== "event_callback") {
      throw new Error(`only event_callback bodies travel over Socket Mode, not ${String(payload.type)}`);
    }
    return { type: "events_api", payload };
  }
  const form = new URLSearchParams(body);
  const interaction = form.get("payload");
  if (interaction !== null) {
    return { type: "interactive", payload: JSON.parse(interaction) as Record<string, unknown> };
  }
  if (form.has("command")) return { type: "slash_commands", payload: Object.fromEntries(form) };
  throw new Error(`not a Slack request body: ${body.slice(0, 80)}`);
}

/** What the app answered, in the shape of its HTTP answer, for callers written against HTTP. */
export interface DeliveredResponse {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
}

/**
 * Delivers a /slack/events body over the socket and answers like Bolt's HTTP endpoint would:
 * 200 with the ack's payload as JSON (empty for a bare ack), or 404 when nothing acknowledged it
 * in time (Bolt's answer to a request no listener handles).
 */
export async function deliverBody(server: SocketModeServer, rawBody: string): Promise<DeliveredResponse> {
  const { type, payload } = envelopeOf(rawBody);
  try {
    const ack = await server.deliver(type, payload);
    const body = Object.keys(ack.payload).length === 0 ? "" : JSON.stringify(ack.payload);
    return { status: 200, body, headers: new Headers(body ? { "content-type": "application/json" } : {}) };
  } catch (err) {
    if (err instanceof EnvelopeNotAcknowledged) return { status: 404, body: "", headers: new Headers() };
    throw err;
  }
}

/** Slack lets the app answer in the ack where an answer has somewhere to go. */
function acceptsResponsePayload(type: EnvelopeType, payload: Record<string, unknown>): boolean {
  if (type === "slash_commands") return true;
  if (type === "interactive")
    return payload.type === "view_submission" || payload.type === "block_suggestion";
  return false;
}

function describePayload(payload: Record<string, unknown>): string {
  if (typeof payload.command === "string")
    return ` ${payload.command} ${String(payload.text ?? "")}`.trimEnd();
  if (typeof payload.type === "string" && payload.type !== "event_callback") return ` ${payload.type}`;
  const event = payload.event as { type?: unknown } | undefined;
  return typeof event?.type === "string" ? ` ${event.type}` : "";
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}
