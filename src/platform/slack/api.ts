// The Slack Web API as the bot uses it: one client without its own retry loop (the queue owns
// retries, so failures are seen, counted and backed off), every call timed, every failure classified.

import { ErrorCode, WebClient } from "@slack/web-api";
import { CodedError, ErrorCode as OncallErrorCode } from "../errors";
import type { Metrics } from "../metrics";

export type SlackFailure =
  | { readonly kind: "rate_limited"; readonly retryAfterMs: number }
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
      return `rate limited, retry after ${f.retryAfterMs} ms`;
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

export function createSlackClient(token: string, apiUrl: string | null): WebClient {
  return new WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}

export type SlackArgs = Record<string, unknown>;
export type SlackResult = Record<string, unknown> & { ok?: boolean };

export class SlackApi {
  constructor(
    readonly client: WebClient,
    private readonly metrics: Metrics,
  ) {}

  /** Calls a method; throws SlackCallError with the failure classified. */
  async call<T extends SlackResult = SlackResult>(method: string, args: SlackArgs): Promise<T> {
    const end = this.metrics.slackLatency.startTimer({ method });
    try {
      const res = (await this.client.apiCall(method, args)) as T;
      end({ outcome: "ok" });
      return res;
    } catch (err) {
      const failure = classifySlackError(err);
      end({ outcome: failure.kind });
      throw new SlackCallError(method, failure, { cause: err });
    }
  }
}
