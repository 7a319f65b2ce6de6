// What every store shares: a connection, its key names, and documents kept as JSON in the `doc`
// field of a versioned hash (fields `v` and `doc`; the scripts compare-and-set on `v`).

import type { Redis } from "ioredis";
import { CodedError, ErrorCode } from "../errors";
import { Keys } from "./keys";

/** Compare-and-set attempts before giving up: each lost race means another replica got through. */
const MAX_ATTEMPTS = 8;

/** What an attempt returns when its compare-and-set lost a race: re-read and try again. */
export const LOST_RACE: unique symbol = Symbol("lost race");

export class ConflictError extends CodedError {
  readonly code = ErrorCode.ConflictError;

  constructor(
    /** What kept changing: "alert", "incident". */
    readonly subject: string,
    /** Its id (for an alert being opened, the id of its group). */
    readonly id: string,
    readonly attempts: number,
  ) {
    super(`${subject} ${id} kept changing under us; gave up after ${attempts} attempts`);
  }
}

/**
 * Runs `attempt` (read, apply a pure change, compare-and-set) again each time it loses a race, so
 * the change is re-applied to what the winner stored; throws a `ConflictError` after a few losses.
 */
export async function retryOnConflict<T>(
  subject: string,
  id: string,
  attempt: () => Promise<T | typeof LOST_RACE>,
): Promise<T> {
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    const result = await attempt();
    if (result !== LOST_RACE) return result;
  }
  throw new ConflictError(subject, id, MAX_ATTEMPTS);
}

export abstract class RedisStore {
  readonly keys: Keys;

  constructor(
    readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
  }

  /** The document at `key`, or null when there is none. */
  protected async readDoc<T>(key: string): Promise<T | null> {
    const doc = await this.redis.hget(key, "doc");
    return doc ? (JSON.parse(doc) as T) : null;
  }

  /** The documents at `keys` in one round trip, in order; null where there is none. */
  protected async readDocs<T>(keys: readonly string[]): Promise<(T | null)[]> {
    if (!keys.length) return [];
    const pipe = this.redis.pipeline();
    for (const key of keys) pipe.hget(key, "doc");
    const res = (await pipe.exec()) ?? [];
    return res.map(([, doc]) => (typeof doc === "string" ? (JSON.parse(doc) as T) : null));
  }
}

/** A store of documents by id (alerts, incidents), each in its own versioned hash. */
export abstract class DocumentStore<T> extends RedisStore {
  protected abstract documentKey(id: string): string;

  async get(id: string): Promise<T | null> {
    return this.readDoc<T>(this.documentKey(id));
  }

  /** Those of `ids` that exist, in order. */
  async getMany(ids: readonly string[]): Promise<T[]> {
    const docs = await this.readDocs<T>(ids.map((id) => this.documentKey(id)));
    return docs.filter((d): d is T => d !== null);
  }
}
