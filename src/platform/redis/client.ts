import { Redis, type RedisOptions } from "ioredis";
import { CodedError, ErrorCode } from "../errors";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * How long one Redis command may take before it fails (REDIS_COMMAND_TIMEOUT). A Redis that holds
 * the connection open but never answers (a partition, a stopped server) would otherwise hang every
 * webhook and `/readyz` until the sender gives up; with the bound they answer 503 in time.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

/**
 * A connection for the store. No offline queue: when Redis is away, commands fail at once; when it
 * hangs, after the command timeout. Either way a webhook answers 503 (Alertmanager retries)
 * instead of hanging until its own timeout.
 */
export function connectStore(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
    lazyConnect: true,
    ...extra,
  });
}

/**
 * The queues' connection (adding jobs from a webhook's hooks), bounded like the store. BullMQ
 * requires `maxRetriesPerRequest: null` on the connections it blocks on, which are duplicated from
 * this one (`blockingConnection`).
 */
export function connectQueue(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
    lazyConnect: true,
    ...extra,
  });
}

/**
 * A worker's connection, which BullMQ blocks on (BZPOPMIN for seconds at a time): without the
 * command timeout, which would cut those waits short. BullMQ's own watchdog bounds them.
 */
export function blockingConnection(from: Redis): Redis {
  return from.duplicate({ commandTimeout: undefined });
}

/** Redis could not be reached at start-up; `url` is where we looked, its password hidden. */
export class RedisConnectionError extends CodedError {
  readonly code = ErrorCode.RedisConnectionError;

  constructor(
    readonly url: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`cannot connect to Redis at ${url}: ${detail}`, options);
  }
}

/** Resolves once the connection is ready; rejects with a `RedisConnectionError`. */
export async function waitReady(redis: Redis, url: string, timeoutMs = 10_000): Promise<void> {
  if (redis.status === "ready") return;
  const where = redactUrl(url);
  const connecting =
    redis.status === "wait"
      ? redis.connect()
      : new Promise<void>((resolve, reject) => {
          redis.once("ready", () => resolve());
          redis.once("error", reject);
        });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis at ${where} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([connecting, timeout]);
  } catch (err) {
    throw new RedisConnectionError(where, (err as Error).message, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

/** Deletes every key under `prefix` (tests, benches and the sandbox start and end clean). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}
