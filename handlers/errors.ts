// Typed errors shared by the built-in handlers. See the retry convention in registry.ts: a handler
// *throws* only for failures that are worth retrying, so every class here that a handler lets escape
// extends RetryableHandlerError. Definite, non-retryable failures are returned as `{ ok: false }`.

import { CodedError, ErrorCode } from "../src/platform/errors";

/** A transient failure: the queue retries the run with backoff. */
export class RetryableHandlerError extends CodedError {
  readonly code: ErrorCode = ErrorCode.RetryableHandlerError;
  override readonly name: string = "RetryableHandlerError";
  readonly retryable = true as const;
}

/** The context's signal fired: the run timed out or the worker is shutting down. */
export class HandlerAbortedError extends RetryableHandlerError {
  override readonly code = ErrorCode.HandlerAbortedError;
  override readonly name = "HandlerAbortedError";

  constructor(
    readonly handler: string,
    signal: AbortSignal,
  ) {
    super(`${handler} aborted: ${describeAbortReason(signal.reason)}`, { cause: signal.reason });
  }
}

/** The endpoint answered with a status that may succeed later (5xx, 408, 429). */
export class HttpStatusError extends RetryableHandlerError {
  override readonly code = ErrorCode.HttpStatusError;
  override readonly name = "HttpStatusError";

  constructor(
    message: string,
    readonly status: number,
    readonly bodySnippet: string,
  ) {
    super(message);
  }
}

/** The request never got an answer: connection refused, reset, DNS failure. */
export class HttpNetworkError extends RetryableHandlerError {
  override readonly code = ErrorCode.HttpNetworkError;
  override readonly name = "HttpNetworkError";
}

/** The command ran and failed (non-zero exit or killed by a signal it did not get from us). */
export class CommandExitError extends RetryableHandlerError {
  override readonly code = ErrorCode.CommandExitError;
  override readonly name = "CommandExitError";

  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly exitSignal: string | null,
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

/**
 * A template could not be filled in safely (unknown reference, line break bound for a header…).
 * Handlers catch it and return `{ ok: false }`: retrying would meet the same alert data.
 */
export class TemplateError extends CodedError {
  readonly code = ErrorCode.TemplateError;
  override readonly name = "TemplateError";

  constructor(
    message: string,
    /** The reference as written, e.g. "labels.instance". */
    readonly reference: string,
  ) {
    super(message);
  }
}

function describeAbortReason(reason: unknown): string {
  if (reason instanceof Error) {
    return reason.name === "TimeoutError" ? "timed out" : reason.message || reason.name;
  }
  return reason === undefined ? "aborted" : String(reason);
}
