// A write answered 2xx must survive the loss of the primary: after a webhook's writes, `WAIT` for a
// replica's acknowledgement, and fail (the webhook answers 503, the sender retries) when none comes
// in time. Redis replication is asynchronous; WAIT is what makes one write synchronous.

import type { Redis } from "ioredis";
import { CodedError, ErrorCode } from "../errors";
import { isCluster } from "./client";

/** How long a write waits for replicas (REDIS_WAIT_TIMEOUT_MS) when not configured. */
export const DEFAULT_WAIT_TIMEOUT_MS = 500;

/** How often the primary is asked whether it has replicas (a replica added later switches WAIT on). */
const CHECK_EVERY_MS = 10_000;

export interface ReplicaWaitSettings {
  /**
   * Replicas that must acknowledge (REDIS_WAIT_REPLICAS): a number (0: never wait), or "auto": one,
   * from the moment the primary is seen with a replica, and from then on for the process's life —
   * a primary that lost its replicas must not take writes as durable.
   */
  readonly replicas: number | "auto";
  readonly timeoutMs: number;
}

export class ReplicaAckError extends CodedError {
  readonly code = ErrorCode.ReplicaAckError;

  constructor(
    readonly wanted: number,
    readonly acked: number,
    readonly timeoutMs: number,
  ) {
    super(`Redis stored the write but ${acked} of ${wanted} replicas acknowledged it within ${timeoutMs} ms`);
  }
}

/** Replicas the primary behind `redis` has now (`connected_slaves` of INFO replication). */
export async function connectedReplicas(redis: Redis): Promise<number> {
  const info = await redis.info("replication");
  const m = /^connected_slaves:(\d+)/m.exec(info);
  return m ? Number(m[1]) : 0;
}

export class ReplicaWait {
  private wanted: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** Every connection that writes what a 2xx promises (WAIT covers one client's own writes). */
    private readonly connections: readonly Redis[],
    private readonly settings: ReplicaWaitSettings,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.wanted = settings.replicas === "auto" ? 0 : settings.replicas;
  }

  /** Replicas each write now waits for (0: none). */
  get replicas(): number {
    return this.wanted;
  }

  /**
   * With "auto": asks the primary for replicas now and every few seconds until it has one. On a
   * Cluster, WAIT cannot be routed to the node that took the writes: never waits there.
   */
  async start(): Promise<void> {
    if (this.settings.replicas !== "auto" || !this.connections.length) return;
    if (this.connections.some(isCluster)) return;
    await this.check();
    if (this.wanted) return;
    this.timer = setInterval(() => {
      this.check().catch(this.onError);
    }, CHECK_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async check(): Promise<void> {
    if ((await connectedReplicas(this.connections[0]!)) > 0) {
      this.wanted = 1;
      this.stop();
    }
  }

  /** Resolves once `replicas` have every write made so far on the connections; else a ReplicaAckError. */
  async wait(): Promise<void> {
    const wanted = this.wanted;
    if (!wanted) return;
    const acks = await Promise.all(
      this.connections.map((c) => c.wait(wanted, this.settings.timeoutMs) as Promise<number>),
    );
    const acked = Math.min(...acks);
    if (acked < wanted) throw new ReplicaAckError(wanted, acked, this.settings.timeoutMs);
  }
}
