// The cross-replica lock against real Redis: held as long as its holder works, lost when it dies.

import { describe, expect, it } from "vitest";
import { tryLock } from "../../../src/platform/redis/lock";
import { redisPerTest } from "../../support/redis";

const redis = redisPerTest("lock");
const replica = () => redis.replica();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("tryLock", () => {
  it("stays with a holder that works longer than the TTL, and frees on release", async () => {
    const [a, b] = [replica(), replica()];
    const key = `${redis.prefix}lock:slow`;
    const release = await tryLock(a, key, 300);
    expect(release).not.toBeNull();
    await sleep(900);
    expect(await tryLock(b, key, 300)).toBeNull();
    await release!();
    const next = await tryLock(b, key, 300);
    expect(next).not.toBeNull();
    await next!();
  });

  it("passes to another replica once the holder's connection is gone", async () => {
    const [a, b] = [replica(), replica()];
    const key = `${redis.prefix}lock:dead`;
    expect(await tryLock(a, key, 300)).not.toBeNull();
    a.disconnect();
    expect(await tryLock(b, key, 300)).toBeNull();
    await sleep(500);
    const taken = await tryLock(b, key, 300);
    expect(taken).not.toBeNull();
    await taken!();
  });
});
