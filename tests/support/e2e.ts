// What end-to-end suites repeat: a harness per test closed after it, an alert sent to the generic
// webhook, an override of the test org's rotation.

import { afterEach, expect } from "vitest";
import { type Harness, type HarnessOptions, startHarness } from "./harness";

/**
 * Starts at most one harness per test and closes it after the test, pass or fail:
 * `const bot = harnessPerTest();` at the top of a suite, `const h = await bot.start()` in a test.
 */
export function harnessPerTest(): { start(opts?: HarnessOptions): Promise<Harness> } {
  let current: Harness | undefined;
  afterEach(async () => {
    const h = current;
    current = undefined;
    await h?.close();
  });
  return {
    async start(opts) {
      if (current) throw new Error("this test already started a harness");
      current = await startHarness(opts);
      return current;
    },
  };
}

/** Sends one alert to /webhooks/generic, expects it taken, and returns the alert's id. */
export async function fireGeneric(
  h: Harness,
  name: string,
  labels: Record<string, string>,
  opts: { status?: "firing" | "resolved"; annotations?: Record<string, string> } = {},
): Promise<string> {
  const res = await h.webhook("/webhooks/generic", {
    name,
    status: opts.status ?? "firing",
    labels,
    annotations: opts.annotations ?? { summary: name },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { alert: { id: string } }).alert.id;
}

/** Puts `user` on call in the test org's merged rotation from `from` to `to` (ISO times). */
export function addOverride(
  h: Harness,
  user: string,
  from: string,
  to: string,
  createdBy = user,
): Promise<unknown> {
  return h.app.rotationState.addOverride({
    rotationId: "merged",
    user,
    from: new Date(from),
    to: new Date(to),
    createdBy,
  });
}
