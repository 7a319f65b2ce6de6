// Per heartbeat, in one hash: its last ping and the outage a checker claimed (see
// platform/redis/scripts/claim-heartbeat-miss-1.lua). Plus when the bot last started watching, so
// a bot that was down itself allows senders one interval to reach it again.

import type { Redis } from "ioredis";
import {
  claimHeartbeatMiss,
  type HeartbeatClaim,
  markHeartbeatPaged,
  raiseField,
} from "../../platform/redis/scripts";

export interface HeartbeatRecord {
  readonly lastPingAt: number | null;
  /** The outage claimed and not yet ended by a ping; null when none. */
  readonly outage: string | null;
}

function number(text: string | null | undefined): number | null {
  return text === null || text === undefined || text === "" ? null : Number(text);
}

export class HeartbeatStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  key(name: string): string {
    return `${this.prefix}heartbeat:${name}`;
  }

  private startedKey(): string {
    return `${this.prefix}heartbeats:watch`;
  }

  /** Records a ping at `at`; an older one arriving late never moves the last ping back. */
  async ping(name: string, at: number): Promise<void> {
    await raiseField(this.redis, this.key(name), "last", at);
  }

  async get(name: string): Promise<HeartbeatRecord> {
    const [last, outage] = await this.redis.hmget(this.key(name), "last", "outage");
    return { lastPingAt: number(last), outage: outage ?? null };
  }

  async getMany(names: readonly string[]): Promise<Map<string, HeartbeatRecord>> {
    const out = new Map<string, HeartbeatRecord>();
    for (const name of names) out.set(name, await this.get(name));
    return out;
  }

  /** A process started watching at `at`: the latest start of any replica counts. */
  async started(at: number): Promise<void> {
    await raiseField(this.redis, this.startedKey(), "at", at);
  }

  /** When the latest replica started watching; `fallback` when none recorded it (yet). */
  async startedAt(fallback: number): Promise<number> {
    return number(await this.redis.hget(this.startedKey(), "at")) ?? fallback;
  }

  claimMiss(name: string, lastPingAt: number | null): Promise<{ claim: HeartbeatClaim; outage: string }> {
    return claimHeartbeatMiss(this.redis, this.key(name), lastPingAt);
  }

  markPaged(name: string, outage: string): Promise<boolean> {
    return markHeartbeatPaged(this.redis, this.key(name), outage);
  }

  /** The outage is over (its page resolved). */
  async endOutage(name: string): Promise<void> {
    await this.redis.hdel(this.key(name), "outage", "paged");
  }
}
