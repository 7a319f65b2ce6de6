// Slack bookkeeping of each alert (where its page is, what has been rendered and posted to its
// thread), kept apart from the alert itself so delivery never races with state transitions.

import { raiseField, settlePending } from "../../platform/redis/scripts";
import { RedisStore } from "../../platform/redis/store";

export interface DeliveryState {
  readonly channel: string | null;
  readonly ts: string | null;
  readonly dmChannel: string | null;
  readonly dmTs: string | null;
  /** Why Slack refused the on-call DM for good; null unless it did. */
  readonly dmFailed: string | null;
  /** The alert version the page shows. */
  readonly renderedVersion: number;
  /** How many timeline events have been considered for the thread. */
  readonly threadCursor: number;
  /** Set just before a thread reply is posted: a crash after posting leaves it to look up. */
  readonly claim: number | null;
}

/** A message sent besides the page (a team post, a broadcast DM, a re-page), by name. */
export interface SentMessage {
  readonly channel: string;
  readonly ts: string;
  /** The alert version the message shows. */
  readonly version: number;
}

export interface SentMessages {
  readonly messages: ReadonlyMap<string, SentMessage>;
  /** Names claimed just before posting: a crash after posting leaves them to look up. */
  readonly claims: ReadonlySet<string>;
  /** Names Slack refused for good (e.g. a deactivated user), with the error. */
  readonly failed: ReadonlyMap<string, string>;
}

export class DeliveryStore extends RedisStore {
  async get(alertId: string): Promise<DeliveryState> {
    const h = await this.redis.hgetall(this.keys.delivery(alertId));
    return {
      channel: h.channel ?? null,
      ts: h.ts ?? null,
      dmChannel: h.dmChannel ?? null,
      dmTs: h.dmTs ?? null,
      dmFailed: h.dmFailed ?? null,
      renderedVersion: Number(h.renderedVersion ?? 0),
      threadCursor: Number(h.threadCursor ?? 0),
      claim: h.claim === undefined ? null : Number(h.claim),
    };
  }

  async setPage(alertId: string, channel: string, ts: string): Promise<void> {
    await this.redis.hset(this.keys.delivery(alertId), { channel, ts });
  }

  async setDm(alertId: string, dmChannel: string, dmTs: string): Promise<void> {
    await this.redis.hset(this.keys.delivery(alertId), { dmChannel, dmTs });
  }

  async setDmFailed(alertId: string, error: string): Promise<void> {
    await this.redis.hset(this.keys.delivery(alertId), "dmFailed", error);
  }

  /** Raises a counter field; never lowers it, so a slow job cannot undo a faster one. */
  async raise(alertId: string, field: "renderedVersion" | "threadCursor", value: number): Promise<void> {
    await raiseField(this.redis, this.keys.delivery(alertId), field, value);
  }

  /** Notes that Slack must catch up with `version` of the alert (for the reconciler). */
  async markPending(alertId: string, version: number): Promise<void> {
    await this.redis.zadd(this.keys.slackPending(), "GT", version, alertId);
  }

  /** The alerts noted by `markPending` and not settled yet. */
  async pendingIds(): Promise<string[]> {
    return this.redis.zrange(this.keys.slackPending(), 0, -1);
  }

  /** Slack shows `version` of the alert: settled, unless a newer version was noted meanwhile. */
  async settlePending(alertId: string, version: number): Promise<void> {
    await settlePending(this.redis, this.keys.slackPending(), alertId, version);
  }

  async setClaim(alertId: string, eventIndex: number | null): Promise<void> {
    const key = this.keys.delivery(alertId);
    if (eventIndex === null) await this.redis.hdel(key, "claim");
    else await this.redis.hset(key, "claim", String(eventIndex));
  }

  async sent(alertId: string): Promise<SentMessages> {
    const h = await this.redis.hgetall(this.keys.sentMessages(alertId));
    const messages = new Map<string, SentMessage>();
    const claims = new Set<string>();
    const failed = new Map<string, string>();
    for (const [field, value] of Object.entries(h)) {
      const [kind, ...rest] = field.split(":");
      const name = rest.join(":");
      if (kind === "msg") messages.set(name, JSON.parse(value) as SentMessage);
      else if (kind === "claim") claims.add(name);
      else if (kind === "failed") failed.set(name, value);
    }
    return { messages, claims, failed };
  }

  async claimSent(alertId: string, name: string): Promise<void> {
    await this.redis.hset(this.keys.sentMessages(alertId), `claim:${name}`, "1");
  }

  async recordSent(alertId: string, name: string, message: SentMessage): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.sentMessages(alertId), `msg:${name}`, JSON.stringify(message))
      .hdel(this.keys.sentMessages(alertId), `claim:${name}`)
      .exec();
  }

  async recordSendFailed(alertId: string, name: string, error: string): Promise<void> {
    await this.redis
      .multi()
      .hset(this.keys.sentMessages(alertId), `failed:${name}`, error)
      .hdel(this.keys.sentMessages(alertId), `claim:${name}`)
      .exec();
  }
}
