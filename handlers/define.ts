import type { z } from "zod";
import type { RemediationHandler, RemediationOutcome, RemediationWait } from "./types";

/**
 * Identity at run time; at compile time it infers the params type from the zod schema, so `run`
 * sees `ctx.params` exactly as the schema parses it (defaults applied).
 */
export function defineHandler<S extends z.ZodType>(
  handler: RemediationHandler<S, RemediationOutcome>,
): RemediationHandler<S, RemediationOutcome>;
/** A handler that may also ask to wait (RemediationWait), as wait-and-recheck does. */
export function defineHandler<S extends z.ZodType>(
  handler: RemediationHandler<S, RemediationOutcome | RemediationWait>,
): RemediationHandler<S, RemediationOutcome | RemediationWait>;
export function defineHandler<S extends z.ZodType>(handler: RemediationHandler<S>): RemediationHandler<S> {
  return Object.freeze(handler);
}
