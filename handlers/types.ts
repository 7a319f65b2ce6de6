import type { z } from "zod";

/** What a handler sees of the alert it remediates: labels are data, never code. */
export interface RemediationAlert {
  readonly id: string;
  readonly name: string;
  readonly occurrence: number;
  /** Common labels, or the instance's own labels for per-instance runs. */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly fingerprint: string | null;
  /**
   * Names this remediation run (the queue's job id): every attempt and re-delivery of the run
   * shares it, a new run (another occurrence, another press of the button) gets a new one. The
   * key for deduplicating side effects.
   */
  readonly runId?: string;
}

export interface HandlerLog {
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
}

export interface HandlerContext<P> {
  readonly alert: RemediationAlert;
  readonly params: P;
  /** Aborted when the handler's timeout passes or the worker shuts down. */
  readonly signal: AbortSignal;
  readonly log: HandlerLog;
  /** Whether the alert (or, per instance, that instance) has resolved by now. */
  readonly isResolved: () => Promise<boolean>;
  /**
   * How long this run has waited so far (see RemediationWait): 0 or absent on the first call,
   * the sum of the waits asked for since on the calls after them.
   */
  readonly waitedMs?: number;
}

/**
 * Instead of an outcome: call the handler again in `waitMs`. The queue makes the run a delayed job
 * meanwhile, so no worker slot is held while nothing happens (a handler never sleeps for long).
 */
export interface RemediationWait {
  readonly waitMs: number;
  /** One line for the alert's thread, e.g. "waiting 2m, then checking again". */
  readonly summary: string;
}

export interface RemediationOutcome {
  readonly ok: boolean;
  /** One line for the alert's thread. */
  readonly summary: string;
  readonly details?: string;
}

export function isWait(r: RemediationOutcome | RemediationWait): r is RemediationWait {
  return "waitMs" in r;
}

/** `R`: what `run` answers; only a handler that waits answers RemediationWait too. */
export interface RemediationHandler<
  S extends z.ZodType = z.ZodType,
  R extends RemediationOutcome | RemediationWait = RemediationOutcome | RemediationWait,
> {
  readonly name: string;
  readonly description: string;
  readonly params: S;
  readonly timeoutMs: number;
  run(ctx: HandlerContext<z.infer<S>>): Promise<R>;
}
