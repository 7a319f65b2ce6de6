// Checks made before zod sees the payload, so a huge or mistyped body fails fast and with a clear word.

import { isPlainObject } from "./fields";
import { describeValue } from "./issues";
import { IntakeError } from "./types";

/** Prometheus batches 50 alerts per request; 1000 leaves room for big groups yet bounds the work per request. */
export const MAX_ALERTS_PER_PAYLOAD = 1000;

export function requireObject(body: unknown): Record<string, unknown> {
  if (!isPlainObject(body)) throw new IntakeError("", `expected a JSON object, got ${describeValue(body)}`);
  return body;
}

export function requireAlertCount(alerts: unknown): void {
  if (Array.isArray(alerts) && alerts.length > MAX_ALERTS_PER_PAYLOAD) {
    throw new IntakeError(
      "alerts",
      `at most ${MAX_ALERTS_PER_PAYLOAD} alerts per payload, got ${alerts.length}; lower the receiver's max_alerts or split the batch`,
    );
  }
}
