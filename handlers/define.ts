import type { z } from "zod";
import type { RemediationHandler } from "./types";

/**
 * Identity at run time; at compile time it infers the params type from the zod schema, so `run`
 * sees `ctx.params` exactly as the schema parses it (defaults applied).
 */
export function defineHandler<S extends z.ZodType>(handler: RemediationHandler<S>): RemediationHandler<S> {
  return Object.freeze(handler);
}
