import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { releaseLock, renewLock } from "./scripts";

/**
 * A lock's time to live when the caller names none: short, because it is how long a holder that
 * died (kill -9, a lost machine) keeps everyone else out; a live holder renews it.
 */
export const DEFAULT_LOCK_TTL_MS = 10_000;

/** How often a release that failed (Redis away, e.g. mid-failover) is tried again. */
const RELEASE_RETRY_MS = 250;

/** Releases the lock. Never rejects: a release Redis does not take is retried in the background. */
export type ReleaseLock = () => Promise<void>;

/**
 * A short Redis lock (SET NX PX) for work that must not run twice at once across replicas.
 * Returns null when someone else holds it. While held it is renewed every third of `ttlMs`, so
 * work that outlasts the TTL (slow Slack answers) keeps it; a holder that dies loses it after `ttlMs`.
 *
 * The release cannot fail the work it guarded: when Redis does not answer it (a failover in
 * progress), `onReleaseError` hears of it and the release is tried again every 250 ms until it
 * goes through or the lock has expired anyway. Otherwise the next run of the same work would find
 * the lock held for its whole TTL (on the promoted replica too, which had it replicated).
 */
export async function tryLock(
  redis: Redis,
  key: string,
  ttlMs: number = DEFAULT_LOCK_TTL_MS,
  onReleaseError: (err: unknown) => void = () => undefined,
): Promise<ReleaseLock | null> {
  const token = randomUUID();
  const ok = await redis.set(key, token, "PX", ttlMs, "NX");
  if (ok !== "OK") return null;
  // Only the last renewal that Redis took tells when the lock would expire by itself.
  let expiresAt = Date.now() + ttlMs;
  const renewal = setInterval(
    () => {
      const at = Date.now();
      // A failed renewal leaves the lock to expire; the holder's release copes with that.
      renewLock(redis, key, token, ttlMs).then(
        (held) => {
          if (held) expiresAt = at + ttlMs;
        },
        () => undefined,
      );
    },
    Math.max(1, Math.floor(ttlMs / 3)),
  );
  renewal.unref();
  let released: Promise<void> | null = null;
  return () => {
    if (released) return released;
    clearInterval(renewal);
    released = (async () => {
      try {
        await releaseLock(redis, key, token);
      } catch (err) {
        onReleaseError(err);
        void retryRelease(redis, key, token, expiresAt);
      }
    })();
    return released;
  };
}

/** Keeps trying to release, one attempt at a time, until Redis takes it or the lock has expired. */
async function retryRelease(redis: Redis, key: string, token: string, expiresAt: number): Promise<void> {
  while (Date.now() < expiresAt) {
    await new Promise((resolve) => setTimeout(resolve, RELEASE_RETRY_MS).unref());
    try {
      await releaseLock(redis, key, token);
      return;
    } catch {
      // Still away; the first failure was reported, the lock's TTL bounds the attempts.
    }
  }
}
