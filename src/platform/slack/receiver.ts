// Slack's HTTP endpoint, in front of Bolt's App: checks what Bolt's HTTPReceiver checks (signature,
// age), what it does not (a timestamp from the future, a replayed signature, a body that is no
// Slack payload at all), and answers every signed request: 200 when acknowledged or ignored, a 4xx
// with a reason otherwise, never a 5xx and never later than Slack's 3 s. Bolt's receiver read
// `body.ssl_check` of a JSON null outside any try (the process died), left types it cannot route
// unanswered until a 404 after 3 s, and answered 500 when it could not process a shape.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { parse as parseForm } from "node:querystring";
import type { App, Receiver, ReceiverEvent } from "@slack/bolt";
import type { Redis } from "ioredis";
import { BodyTooLargeError, readBody, sendJson } from "../http/respond";
import type { Logger } from "../log";

/** Slack's rule for a signed request's age, applied both ways: a clock ahead is as suspect as one behind. */
export const SIGNATURE_WINDOW_SEC = 5 * 60;
/** Slack waits 3 s for an answer; one not given by then is given here, with time to travel. */
export const ACK_DEADLINE_MS = 2_500;
/** Bolt's own limit; Slack's payloads are far smaller. */
const BODY_LIMIT = 4 * 1024 * 1024;
/** A replay check that cannot reach Redis must not hold the answer past Slack's deadline. */
const REPLAY_CHECK_MS = 1_000;

export interface SlackReceiverOptions {
  readonly signingSecret: string;
  readonly redis: Redis;
  /** The runtime's key prefix: replicas sharing it share the record of seen signatures. */
  readonly prefix: string;
  readonly log: Logger;
}

type Verdict = { ok: true } | { ok: false; reason: string };

/** Slack's v0 signature over "v0:<timestamp>:<raw body>", and the timestamp within the window. */
export function verifySlackSignature(
  secret: string,
  rawBody: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  nowMs: number,
): Verdict {
  if (!timestamp || !signature)
    return { ok: false, reason: "missing X-Slack-Signature or X-Slack-Request-Timestamp" };
  if (!/^\d{1,12}$/.test(timestamp))
    return { ok: false, reason: "X-Slack-Request-Timestamp is not a Unix time in seconds" };
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > SIGNATURE_WINDOW_SEC)
    return { ok: false, reason: "X-Slack-Request-Timestamp is more than 5 minutes from now" };
  const expected = `v0=${createHmac("sha256", secret)
    .update(`v0:${timestamp}:`)
    .update(rawBody)
    .digest("hex")}`;
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected)))
    return { ok: false, reason: "signature mismatch" };
  return { ok: true };
}

type Parsed = { ok: true; body: Record<string, unknown> } | { ok: false; status: number; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Slack posts commands and interactions form-encoded (interactions as one `payload` field of JSON)
 * and Events API envelopes as JSON; whatever it posts is a JSON object at the top.
 */
export function parseSlackBody(rawBody: Buffer, contentTypeHeader: string | undefined): Parsed {
  const mediaType = (contentTypeHeader ?? "").split(";")[0]!.trim().toLowerCase();
  const text = rawBody.toString("utf8");
  if (mediaType === "application/x-www-form-urlencoded") {
    const fields = parseForm(text);
    const repeated = Object.keys(fields).find((k) => Array.isArray(fields[k]));
    if (repeated !== undefined)
      return {
        ok: false,
        status: 400,
        reason: `form field ${JSON.stringify(repeated)} appears more than once`,
      };
    if (fields.payload === undefined) return { ok: true, body: { ...fields } };
    return parseJsonObject(String(fields.payload), "the payload field");
  }
  if (mediaType === "application/json" || mediaType === "") return parseJsonObject(text, "the body");
  return {
    ok: false,
    status: 415,
    reason: `content type ${JSON.stringify(mediaType)}: Slack posts application/json or application/x-www-form-urlencoded`,
  };
}

function parseJsonObject(text: string, what: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, status: 400, reason: `${what} is not JSON: ${(err as Error).message}` };
  }
  if (!isObject(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return { ok: false, status: 400, reason: `${what} must be a JSON object, as Slack sends; got ${got}` };
  }
  const bent = misshapen(value);
  if (bent) return { ok: false, status: 400, reason: `${what} is not shaped as Slack sends it: ${bent}` };
  return { ok: true, body: value };
}

const OBJECT_FIELDS = ["event", "view", "team", "user", "channel", "container", "message"] as const;

/**
 * The fields Bolt and its listener matchers dereference without a check: of another type, they
 * throw inside Bolt (once for every listener) instead of reaching a listener.
 */
function misshapen(body: Record<string, unknown>): string | null {
  for (const field of OBJECT_FIELDS) {
    if (field in body && !isObject(body[field])) return `"${field}" is not an object`;
  }
  if ("actions" in body) {
    const { actions } = body;
    if (!Array.isArray(actions) || actions.length === 0 || !actions.every(isObject))
      return `"actions" is not a list of actions`;
  }
  if ("response_urls" in body && !Array.isArray(body.response_urls)) return `"response_urls" is not a list`;
  if ("type" in body && typeof body.type !== "string") return `"type" is not a string`;
  return null;
}

/** What a log line may say about a payload: its kind and ids, never user text or tokens. */
function describe(body: Record<string, unknown>): Record<string, unknown> {
  const event = isObject(body.event) ? body.event : undefined;
  const view = isObject(body.view) ? body.view : undefined;
  const actions = Array.isArray(body.actions) ? body.actions : [];
  const first = isObject(actions[0]) ? actions[0] : undefined;
  const pick = (v: unknown) => (typeof v === "string" ? v.slice(0, 100) : undefined);
  return {
    type: pick(body.type),
    command: pick(body.command),
    event: pick(event?.type),
    callbackId: pick(body.callback_id) ?? pick(view?.callback_id),
    actionId: pick(first?.action_id) ?? pick(body.action_id),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === "string" ? v : undefined;
}

/** Bolt's answer to ack(): nothing, text, or a JSON body (a modal's response_action). */
function sendAck(res: ServerResponse, response: unknown): void {
  if (res.headersSent) return;
  if (response === undefined || response === null || response === "") {
    res.writeHead(200);
    res.end();
  } else if (typeof response === "string") {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
    res.end(response);
  } else {
    res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify(response));
  }
}

/** Thrown by a second ack(), as Bolt's own receivers do, so a listener's mistake is logged. */
export class SlackAlreadyAnsweredError extends Error {
  readonly code = "slack_bolt_receiver_ack_multiple_error";
  constructor() {
    super("this Slack request was already answered (ack() called twice, or after the 2.5 s deadline)");
  }
}

/**
 * Bolt's Receiver for the HTTP endpoint. The HTTP server is the platform's (createHttpServer hands
 * /slack/events to `requestListener`); start and stop are therefore no-ops.
 */
export class SlackHttpReceiver implements Receiver {
  private app: App | undefined;
  private readonly seenKeyPrefix: string;

  constructor(private readonly opts: SlackReceiverOptions) {
    this.seenKeyPrefix = `${opts.prefix}slack:seen:`;
  }

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  readonly requestListener: RequestListener = (req, res) => {
    this.handle(req, res).catch((err: unknown) => {
      this.opts.log.error({ err }, "Slack request failed in the receiver");
      sendJson(res, 500, { error: "internal error" });
    });
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { log } = this.opts;
    if (req.method !== "POST") {
      req.resume();
      return sendJson(res, 405, { error: "Slack posts to /slack/events" }, { allow: "POST" });
    }
    let raw: Buffer;
    try {
      raw = await readBody(req, BODY_LIMIT);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, { error: err.message });
      throw err;
    }
    const contentType = header(req, "content-type");

    // Slack checks the certificate with an unsigned ssl_check=1; it asks for nothing else.
    if ((contentType ?? "").startsWith("application/x-www-form-urlencoded")) {
      const fields = parseForm(raw.toString("utf8"));
      if (fields.ssl_check === "1") return sendAck(res, undefined);
    }

    const signature = header(req, "x-slack-signature");
    const timestamp = header(req, "x-slack-request-timestamp");
    const verdict = verifySlackSignature(this.opts.signingSecret, raw, timestamp, signature, Date.now());
    if (!verdict.ok) return sendJson(res, 401, { error: verdict.reason });

    const parsed = parseSlackBody(raw, contentType);
    if (!parsed.ok) {
      log.warn({ reason: parsed.reason }, "signed Slack request with no Slack payload in it: refused");
      return sendJson(res, parsed.status, { error: parsed.reason });
    }
    // Slack signs every delivery anew (its retries carry a new timestamp), so a signature seen
    // before is someone sending a captured request again. It is answered 200 like the original,
    // because a proxy that repeats a request whose answer got lost deserves the same answer.
    if (await this.seenBefore(signature!, Number(timestamp))) {
      log.warn({ timestamp: Number(timestamp) }, "replayed Slack request (signature seen before): ignored");
      return sendAck(res, undefined);
    }
    const body = parsed.body;
    if (body.type === "url_verification") {
      if (typeof body.challenge !== "string")
        return sendJson(res, 400, { error: "url_verification without a challenge string" });
      return sendJson(res, 200, { challenge: body.challenge });
    }
    await this.dispatch(body, req, res);
  }

  /** Records the signature (hashed) until it could no longer pass the window; true when already there. */
  private async seenBefore(signature: string, timestampSec: number): Promise<boolean> {
    const key = `${this.seenKeyPrefix}${createHash("sha256").update(signature).digest("hex")}`;
    // Valid until timestamp + window by our clock; a minute more for clocks between replicas.
    const ttlMs = Math.max(1_000, (timestampSec + SIGNATURE_WINDOW_SEC + 60) * 1000 - Date.now());
    let timer: NodeJS.Timeout | undefined;
    try {
      const set = await Promise.race([
        this.opts.redis.set(key, "1", "PX", ttlMs, "NX"),
        new Promise<"timeout">((r) => {
          timer = setTimeout(() => r("timeout"), REPLAY_CHECK_MS);
        }),
      ]);
      if (set === "timeout") throw new Error(`no answer from Redis within ${REPLAY_CHECK_MS} ms`);
      return set === null;
    } catch (err) {
      // Without Redis the listeners cannot act either; the request goes on so they say so.
      this.opts.log.warn({ err }, "could not check a Slack request for replay; letting it through");
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async dispatch(body: Record<string, unknown>, req: IncomingMessage, res: ServerResponse) {
    const { log } = this.opts;
    let answered = false;
    const answer = (response: unknown) => {
      answered = true;
      clearTimeout(deadline);
      sendAck(res, response);
    };
    const deadline = setTimeout(() => {
      if (answered) return;
      log.warn(describe(body), "no listener answered a Slack request within 2.5 s: answered 200 for it");
      answer(undefined);
    }, ACK_DEADLINE_MS);
    const retryNum = Number(header(req, "x-slack-retry-num"));
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (answered) throw new SlackAlreadyAnsweredError();
        answer(response);
      },
      ...(Number.isInteger(retryNum) ? { retryNum } : {}),
      ...(header(req, "x-slack-retry-reason") ? { retryReason: header(req, "x-slack-retry-reason") } : {}),
      customProperties: {},
    };
    try {
      if (!this.app) throw new Error("the Slack receiver has no Bolt App (init was not called)");
      // Resolves once every listener has finished: listeners' errors go to the App's error handler.
      await this.app.processEvent(event);
      if (!answered) {
        log.info(describe(body), "no listener for this Slack request: acknowledged and ignored");
        answer(undefined);
      }
    } catch (err) {
      // What reaches here is Bolt failing on the payload's shape (a field of an unexpected type).
      log.warn({ err, ...describe(body) }, "Bolt could not process a signed Slack request");
      if (!answered) {
        answered = true;
        clearTimeout(deadline);
        sendJson(res, 400, { error: "this payload does not have the shape Slack gives it" });
      }
    }
  }
}
