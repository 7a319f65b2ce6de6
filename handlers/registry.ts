// The remediation handlers a runbook can name in `remediation.handler`.
//
// Adding a handler: write handlers/<name>.ts exporting `defineHandler({...})`, add it to HANDLERS.
//
// Contract every handler follows (the queue relies on it):
//
// * Params. `handler.params` is a zod schema (strict objects, so a typo in a runbook is an error).
//   The config loader validates `remediation.params` with it at start-up; the worker passes the
//   *parsed* value as `ctx.params`, so defaults are applied and run() never re-validates.
//
// * Outcome vs. throw — the retry convention.
//   - Return `{ ok: true }` when the remediation worked.
//   - Return `{ ok: false }` for a definite answer that retrying will not change: a 4xx, an
//     executable that does not exist, alert data that cannot be used safely (unknown template
//     reference, a line break bound for a header), "still firing" after waiting. The queue records
//     it in the alert's thread and does not retry.
//   - Throw for anything that may succeed later: 5xx/408/429, network errors, a non-zero exit, a
//     timeout. BullMQ then retries with backoff, up to the runbook's `retries`. Thrown errors extend
//     RetryableHandlerError (errors.ts) so they carry a readable message and typed fields.
//
// * Time. The worker aborts `ctx.signal` after min(handler.timeoutMs, runbook timeout) or on
//   shutdown; handlers pass it to whatever they wait on and throw HandlerAbortedError when it fires,
//   having stopped what they started (requests cancelled, process groups killed).
//
// * Retries repeat side effects, and BullMQ delivers at least once (a run whose worker died is run
//   again), so remediations must be idempotent. `ctx.alert.runId` names the run, shared by all its
//   attempts; http-request sends it as Idempotency-Key, command as ALERT_RUN_ID.
//
// * Alert data is data: labels and annotations reach a handler's output only through template.ts
//   encoders (URL component, header value, JSON string, whole argv string), never a shell or eval.

import { commandHandler } from "./command";
import { httpRequestHandler } from "./http-request";
import type { RemediationHandler } from "./types";
import { waitAndRecheckHandler } from "./wait-and-recheck";

export { defineHandler } from "./define";
export {
  CommandExitError,
  HandlerAbortedError,
  HttpNetworkError,
  HttpStatusError,
  RetryableHandlerError,
  TemplateError,
} from "./errors";

const HANDLERS: readonly RemediationHandler[] = [httpRequestHandler, commandHandler, waitAndRecheckHandler];

function buildRegistry(handlers: readonly RemediationHandler[]): ReadonlyMap<string, RemediationHandler> {
  const registry = new Map<string, RemediationHandler>();
  for (const handler of handlers) {
    if (registry.has(handler.name)) throw new Error(`two remediation handlers are named "${handler.name}"`);
    registry.set(handler.name, handler);
  }
  return registry;
}

export const handlerRegistry: ReadonlyMap<string, RemediationHandler> = buildRegistry(HANDLERS);
