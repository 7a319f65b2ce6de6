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
}

export interface RemediationOutcome {
  readonly ok: boolean;
  /** One line for the alert's thread. */
  readonly summary: string;
  readonly details?: string;
}

export interface RemediationHandler<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly params: S;
  readonly timeoutMs: number;
  run(ctx: HandlerContext<z.infer<S>>): Promise<RemediationOutcome>;
}
