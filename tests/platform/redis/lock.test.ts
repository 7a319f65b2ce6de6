// The cross-replica lock against real Redis: held as long as its holder works, lost when it dies.

import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tryLock } from "../../../src/platform/redis/lock";
import { deleteKeys, REDIS_URL } from "../../support/harness";

let prefix: string;
let conns: Redis[];
beforeEach(() => {
  prefix = `test-lock-${randomBytes(5).toString("hex")}:`;
  conns = [];
});
afterEach(async () => {
  await Promise.all(conns.filter((c) => c.status === "ready").map((c) => c.quit()));
  for (const c of conns) c.disconnect();
  await deleteKeys(prefix);
});

function replica(): Redis {
  const c = new Redis(REDIS_URL);
  conns.push(c);
  return c;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("tryLock", () => {
  it("stays with a holder that works longer than the TTL, and frees on release", async () => {
    const [a, b] = [replica(), replica()];
    const key = `${prefix}lock:slow`;
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
    const key = `${prefix}lock:dead`;
    expect(await tryLock(a, key, 300)).not.toBeNull();
    a.disconnect();
    expect(await tryLock(b, key, 300)).toBeNull();
    await sleep(500);
    const taken = await tryLock(b, key, 300);
    expect(taken).not.toBeNull();
    await taken!();
  });
});
