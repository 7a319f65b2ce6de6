// The Slack Web API as the bot uses it: one client without its own retry loop (the queue owns
// retries, so failures are seen, counted and backed off), every call timed, every failure classified.

import { ErrorCode, LogLevel, type Logger as SlackLogger, WebClient } from "@slack/web-api";
import { CodedError, ErrorCode as OncallErrorCode } from "../errors";
import type { Logger } from "../log";
import type { Metrics } from "../metrics";
import type { PaceOptions, SlackPacer } from "./pace";

export type SlackFailure =
  | {
      readonly kind: "rate_limited";
      readonly retryAfterMs: number;
      /** Set when our own pacing held the call back (Slack was not called). */
      readonly paced?: boolean;
    }
  | { readonly kind: "transient"; readonly detail: string }
  | { readonly kind: "permanent"; readonly error: string };

/** Platform errors worth trying again; every other `ok: false` answer is final. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "ratelimited",
]);

export class SlackCallError extends CodedError {
  readonly code = OncallErrorCode.SlackCallError;

  constructor(
    readonly method: string,
    readonly failure: SlackFailure,
    options?: ErrorOptions,
  ) {
    super(`Slack ${method} failed: ${describe(failure)}`, options);
    this.name = "SlackCallError";
  }
}

function describe(f: SlackFailure): string {
  switch (f.kind) {
    case "rate_limited":
      return f.paced
        ? `paced: no token for ${f.retryAfterMs} ms`
        : `rate limited, retry after ${f.retryAfterMs} ms`;
    case "transient":
      return f.detail;
    case "permanent":
      return f.error;
  }
}

export function classifySlackError(err: unknown): SlackFailure {
  const e = err as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return { kind: "rate_limited", retryAfterMs: Math.max(1, e.retryAfter ?? 1) * 1000 };
    case ErrorCode.HTTPError:
      if (e.statusCode === 429) return { kind: "rate_limited", retryAfterMs: 1000 };
      return { kind: "transient", detail: `HTTP ${e.statusCode}` };
    case ErrorCode.RequestError:
      return { kind: "transient", detail: `request error: ${(err as Error).message}` };
    case ErrorCode.PlatformError: {
      const error = e.data?.error ?? "unknown_error";
      return TRANSIENT_PLATFORM_ERRORS.has(error)
        ? { kind: "transient", detail: error }
        : { kind: "permanent", error };
    }
    default:
      return { kind: "transient", detail: (err as Error)?.message ?? String(err) };
  }
}

const LEVEL_ORDER: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

function lineOf(parts: readonly unknown[]): string {
  return parts
    .map((p) => {
      if (typeof p === "string") return p;
      try {
        return JSON.stringify(p);
      } catch {
        return String(p);
      }
    })
    .join(" ");
}

/**
 * A logger for the Slack SDK (WebClient, Bolt, its receivers) that writes through pino. Without it
 * the SDK prints plain-text lines (`[WARN]  web-api:WebClient:0 …`) into the JSON log, where log
 * shippers cannot parse them and the redaction rules do not apply. An Error among the SDK's
 * arguments is logged as `err`, so pino keeps its stack.
 */
export function slackLogger(log: Logger, name = "slack", level: LogLevel = LogLevel.WARN): SlackLogger {
  let current = level;
  // The SDK names the loggers it makes itself (`web-api:WebClient:0`); one handed in keeps `name`.
  let source = name;
  const at =
    (lvl: LogLevel) =>
    (...parts: unknown[]): void => {
      if (LEVEL_ORDER[lvl] < LEVEL_ORDER[current]) return;
      const err = parts.find((p) => p instanceof Error);
      const rest = parts.filter((p) => p !== err);
      log[lvl](
        { slack: source, ...(err ? { err } : {}) },
        lineOf(rest) || (err as Error | undefined)?.message,
      );
    };
  return {
    debug: at(LogLevel.DEBUG),
    info: at(LogLevel.INFO),
    warn: at(LogLevel.WARN),
    error: at(LogLevel.ERROR),
    setLevel: (l) => {
      current = l;
    },
    getLevel: () => current,
    setName: (n) => {
      source = n;
    },
  };
}

/** The bot's Web API client; `log` takes the SDK's own log lines (see `slackLogger`). */
export function createSlackClient(token: string, apiUrl: string | null, log?: Logger): WebClient {
  return new WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    ...(log ? { logger: slackLogger(log, "web-api:WebClient") } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}

export type SlackArgs = Record<string, unknown>;

export interface CallOptions extends PaceOptions {
  /**
   * Runs once the call has its token, right before it goes to Slack. A post's claim is written
   * here: a post paced back to the queue then leaves no claim behind, so its next run posts
   * instead of first looking for a message that was never sent (a look-up that costs a Tier 3
   * token, and in a busy channel made every run slower than the last).
   */
  readonly beforeSend?: () => Promise<void>;
}
export type SlackResult = Record<string, unknown> & { ok?: boolean };

export class SlackApi {
  constructor(
    readonly client: WebClient,
    private readonly metrics: Metrics,
    /** Paces every call (see pace.ts); without one, calls go straight out (unit tests). */
    readonly pacer: SlackPacer | null = null,
  ) {}

  /**
   * Calls a method once its pacing bucket has a token; throws SlackCallError with the failure
   * classified. A wait longer than `opts.maxWaitMs` fails `rate_limited` with that wait, before
   * calling Slack; a 429 blocks the call's bucket for Slack's Retry-After.
   */
  async call<T extends SlackResult = SlackResult>(
    method: string,
    args: SlackArgs,
    opts: CallOptions = {},
  ): Promise<T> {
    if (this.pacer) {
      const paced = await this.pacer.take(method, args, opts);
      const priority = opts.priority ?? "normal";
      this.metrics.slackPacedWait.observe(
        { bucket: paced.bucket.kind, priority },
        (paced.waitedMs + (paced.deferred?.waitMs ?? 0)) / 1000,
      );
      if (paced.deferred) {
        throw new SlackCallError(method, {
          kind: "rate_limited",
          retryAfterMs: paced.deferred.waitMs,
          paced: true,
        });
      }
    }
    await opts.beforeSend?.();
    const end = this.metrics.slackLatency.startTimer({ method });
    try {
      const res = (await this.client.apiCall(method, args)) as T;
      end({ outcome: "ok" });
      return res;
    } catch (err) {
      const failure = classifySlackError(err);
      end({ outcome: failure.kind });
      if (failure.kind === "rate_limited") {
        this.metrics.slackRateLimited.inc({ method });
        // Without Redis the bucket stays open; the job still waits Retry-After (see queue/worker.ts).
        await this.pacer?.block(method, args, failure.retryAfterMs).catch(() => undefined);
      }
      throw new SlackCallError(method, failure, { cause: err });
    }
  }
}
