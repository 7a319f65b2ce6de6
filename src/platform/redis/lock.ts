import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { releaseLock, renewLock } from "./scripts";

/**
 * A short Redis lock (SET NX PX) for work that must not run twice at once across replicas.
 * Returns null when someone else holds it. While held it is renewed every third of `ttlMs`, so
 * work that outlasts the TTL (slow Slack answers) keeps it; a holder that dies loses it after `ttlMs`.
 */
export async function tryLock(
  redis: Redis,
  key: string,
  ttlMs: number,
): Promise<(() => Promise<void>) | null> {
  const token = randomUUID();
  const ok = await redis.set(key, token, "PX", ttlMs, "NX");
  if (ok !== "OK") return null;
  const renewal = setInterval(
    () => {
      // A failed renewal leaves the lock to expire; the holder's release copes with that.
      renewLock(redis, key, token, ttlMs).catch(() => undefined);
    },
    Math.max(1, Math.floor(ttlMs / 3)),
  );
  renewal.unref();
  return async () => {
    clearInterval(renewal);
    await releaseLock(redis, key, token);
  };
}
