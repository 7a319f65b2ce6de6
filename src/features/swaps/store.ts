// Swap requests, one hash each: the request as filed, its status (settled once, atomically, by
// platform/redis/scripts/settle-swap-1.lua), the override a Take created and the messages that show
// the request, which every replica rewrites in place when it settles.

import type { Redis } from "ioredis";
import { DAY_MS } from "../../core/tz";
import { type SwapSettlement, settleSwap } from "../../platform/redis/scripts";
import type { MessageRef } from "../../platform/slack/delivery";
import type { SwapRequest, SwapStatus } from "./rules";

/** Settled requests are kept a while after their window ends (a late press still hears why). */
const RETENTION_MS = 7 * DAY_MS;

interface StoredRequest extends Omit<SwapRequest, "from" | "to" | "expiresAt" | "createdAt"> {
  readonly from: string;
  readonly to: string;
  readonly expiresAt: string;
  readonly createdAt: string;
}

export interface StoredSwap {
  readonly request: SwapRequest;
  readonly status: SwapStatus;
  readonly messages: readonly MessageRef[];
}

function readRequest(raw: string): SwapRequest {
  const r = JSON.parse(raw) as StoredRequest;
  return {
    ...r,
    from: new Date(r.from),
    to: new Date(r.to),
    expiresAt: new Date(r.expiresAt),
    createdAt: new Date(r.createdAt),
  };
}

function readStatus(h: Record<string, string>): SwapStatus {
  const at = new Date(Number(h.at ?? 0));
  if (h.status === "taken") return { kind: "taken", by: h.by ?? "", at, overrideId: h.override ?? null };
  if (h.status === "expired") return { kind: "expired", at };
  return { kind: "open" };
}

export class SwapStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(id: string): string {
    return `${this.prefix}swap:${id}`;
  }

  private seqKey(): string {
    return `${this.prefix}swap:seq`;
  }

  /** Stores a new open request and returns it with its id. */
  async create(r: Omit<SwapRequest, "id">): Promise<SwapRequest> {
    const id = String(await this.redis.incr(this.seqKey()));
    const request: SwapRequest = { ...r, id };
    const stored: StoredRequest = {
      ...request,
      from: r.from.toISOString(),
      to: r.to.toISOString(),
      expiresAt: r.expiresAt.toISOString(),
      createdAt: r.createdAt.toISOString(),
    };
    const key = this.key(id);
    await this.redis
      .multi()
      .hset(key, {
        doc: JSON.stringify(stored),
        status: "open",
        expires: String(r.expiresAt.getTime()),
        messages: "[]",
      })
      // Relative to the request's own clock: Redis counts TTLs in its own time.
      .pexpire(key, Math.max(0, r.to.getTime() - r.createdAt.getTime()) + RETENTION_MS)
      .exec();
    return request;
  }

  async get(id: string): Promise<StoredSwap | null> {
    const h = await this.redis.hgetall(this.key(id));
    if (!h.doc) return null;
    return {
      request: readRequest(h.doc),
      status: readStatus(h),
      messages: JSON.parse(h.messages ?? "[]") as MessageRef[],
    };
  }

  /** Records the messages that show the request (posted once, when it was filed). */
  async setMessages(id: string, messages: readonly MessageRef[]): Promise<void> {
    await this.redis.hset(this.key(id), "messages", JSON.stringify(messages));
  }

  /** The first Take wins (atomic across replicas); a Take at or after the expiry expires it instead. */
  take(id: string, taker: string, now: Date): Promise<SwapSettlement> {
    return settleSwap(this.redis, this.key(id), { action: "take", taker, nowMs: now.getTime() });
  }

  /** Expires the request unless it was taken (or is not due yet: then "open"). */
  expire(id: string, now: Date): Promise<SwapSettlement> {
    return settleSwap(this.redis, this.key(id), { action: "expire", nowMs: now.getTime() });
  }

  /** The override a won Take created. */
  async setOverride(id: string, overrideId: string): Promise<void> {
    await this.redis.hset(this.key(id), "override", overrideId);
  }
}
