// One base for the errors this bot raises, as bolt-js's errors.ts: each kind has a stable `code`
// (for `switch`, for log queries, for an operator told "look for oncall_slack_call_error"), and
// each class carries, as readonly fields, what someone needs to fix the problem (the file and line
// of a config issue, the Slack method and failure, the payload field). Pino's error serializer logs
// those fields with the stack.
//
// This module imports nothing, so every layer can use it. `src/core/` cannot (it imports nothing
// outside core): `WhenError` there stays a plain Error and is turned into a `UsageError` by callers.

export const ErrorCode = {
  /** The config dir (schedules/, runbooks/) has problems; `issues` lists each with file and line. */
  ConfigError: "oncall_config_error",
  /** Environment settings are missing or malformed; `problems` names each variable. */
  SettingsError: "oncall_settings_error",
  /** A duration, time, work-hours… string did not parse; `kind` and `input` say which. */
  ParseError: "oncall_parse_error",
  /** A webhook payload was refused (HTTP 400); `field` is the first offending JSON path. */
  IntakeError: "oncall_intake_error",
  /** A request body was over the size limit (HTTP 413); `limit` is that limit in bytes. */
  BodyTooLargeError: "oncall_body_too_large_error",
  /** Redis did not answer at start-up; `url` (password hidden) is where we looked. */
  RedisConnectionError: "oncall_redis_connection_error",
  /** Redis stored a write but no replica acknowledged it in time (`WAIT`); `wanted`, `acked`. */
  ReplicaAckError: "oncall_replica_ack_error",
  /** A Slack Web API call failed; `method` and `failure` (rate limited, transient, permanent). */
  SlackCallError: "oncall_slack_call_error",
  /** A slash command got input it cannot use; the message says what is wrong. */
  UsageError: "oncall_usage_error",
  /** A stored alert or incident kept changing under a compare-and-set; `subject` and `id` name it. */
  ConflictError: "oncall_conflict_error",
  /** A remediation handler failed in a way worth retrying. */
  RetryableHandlerError: "oncall_handler_retryable_error",
  /** A remediation handler was aborted (timeout or shutdown); `handler` names it. */
  HandlerAbortedError: "oncall_handler_aborted_error",
  /** A handler's HTTP endpoint answered a retryable status; `status`, `bodySnippet`. */
  HttpStatusError: "oncall_handler_http_status_error",
  /** A handler's HTTP request got no answer (refused, reset, DNS). */
  HttpNetworkError: "oncall_handler_http_network_error",
  /** A handler's command failed; `exitCode`, `exitSignal`, `stderrTail`. */
  CommandExitError: "oncall_handler_command_exit_error",
  /** A handler template could not be filled in safely; `reference` is the reference as written. */
  TemplateError: "oncall_handler_template_error",
  /** An Alertmanager API call failed; `url` (no credentials), `status` (null: no answer). */
  AlertmanagerError: "oncall_alertmanager_error",
  /** Anything else, wrapped by `asCodedError`; `original` is what was thrown. */
  UnknownError: "oncall_unknown_error",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export abstract class CodedError extends Error {
  abstract readonly code: ErrorCode;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What was thrown that is none of ours (a bug, a library's error), kept as `original`. */
export class UnknownError extends CodedError {
  readonly code = ErrorCode.UnknownError;

  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original), { cause: original });
  }
}

/** Ours, by class: Node's system errors and Slack's have a `code` too (ECONNREFUSED, slack_webapi_…). */
export function isCodedError(err: unknown): err is CodedError {
  return err instanceof CodedError;
}

/** `err` if it is one of ours, else an `UnknownError` wrapping it. */
export function asCodedError(err: unknown): CodedError {
  return err instanceof CodedError ? err : new UnknownError(err);
}
