// Gives a flapping alert time to clear on its own before anyone acts: wait, then ask whether the
// alert (or, per instance, the instance) has resolved. The first call only asks the queue to call
// again after the wait, so the wait holds no worker slot. "Still firing" is a definite answer, not a
// failure worth retrying, so it is returned as `ok: false`.

import { z } from "zod";
import { defineHandler } from "./define";

const NAME = "wait-and-recheck";
const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const MAX_WAIT_MS = UNIT_MS.h;

/** "30s" -> 30000; null when it is not `<digits><ms|s|m|h>`. */
export function parseWait(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

const paramsSchema = z.strictObject({
  wait: z
    .string({ error: 'wait must be a duration such as "30s", "2m" or "1h"' })
    .superRefine((text, ctx) => {
      const ms = parseWait(text);
      if (ms === null) {
        ctx.addIssue({
          code: "custom",
          message: `"${text}" is not a duration such as "30s", "2m" or "1h" (units: ms, s, m, h)`,
        });
      } else if (ms === 0) {
        ctx.addIssue({ code: "custom", message: "wait must be longer than 0" });
      } else if (ms > MAX_WAIT_MS) {
        ctx.addIssue({ code: "custom", message: `wait is at most 1h (got ${text}); page a human instead` });
      }
    }),
});

export const waitAndRecheckHandler = defineHandler({
  name: NAME,
  description:
    "Waits (at most 1h), then checks whether the alert resolved by itself; ok when it did, not ok " +
    "when it is still firing.",
  params: paramsSchema,
  // Only the check: the wait itself is a delayed job (see RemediationWait), not time in a call.
  timeoutMs: 60_000,

  async run(ctx) {
    const { wait } = ctx.params;
    const ms = parseWait(wait);
    if (ms === null) return { ok: false, summary: `not waiting: "${wait}" is not a duration` };
    if ((ctx.waitedMs ?? 0) < ms) {
      return { waitMs: ms - (ctx.waitedMs ?? 0), summary: `waiting ${wait}, then checking again` };
    }
    return (await ctx.isResolved())
      ? { ok: true, summary: `resolved by itself after ${wait}` }
      : { ok: false, summary: `still firing after ${wait}` };
  },
});
