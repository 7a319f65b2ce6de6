// Per-test Redis for store-level tests: a fresh key prefix, and as many connections ("replicas")
// as a test wants, all closed and the keys deleted after it.

import { type ChildProcess, spawn } from "node:child_process";
import type { Redis } from "ioredis";
import { afterEach, beforeEach } from "vitest";
import { answersPing } from "../../sandbox/redis-launch";
import { deleteKeys, eventually, testPrefix, testRedis } from "./harness";
import { freePort } from "./ports";

export interface RedisPerTest {
  /** This test's key prefix, e.g. "test-lock-3f2a9c01de42:" ("{test-lock-3f2a9c01de42}:" on a Cluster). */
  readonly prefix: string;
  /** A new connection, as another bot replica would have. */
  replica(): Redis;
}

/** Registers the hooks in the calling file; read `prefix` and call `replica()` inside tests only. */
export function redisPerTest(name: string): RedisPerTest {
  let prefix = "";
  let conns: Redis[] = [];
  beforeEach(() => {
    prefix = testPrefix(`test-${name}`);
    conns = [];
  });
  afterEach(async () => {
    // A test may have cut a connection on purpose (a replica that dies): quit only live ones.
    await Promise.all(conns.filter((c) => c.status === "ready").map((c) => c.quit()));
    for (const c of conns) c.disconnect();
    await deleteKeys(prefix);
  });
  return {
    get prefix() {
      return prefix;
    },
    replica() {
      const c = testRedis();
      conns.push(c);
      return c;
    },
  };
}

/**
 * A redis-server of the test's own, on a free loopback port and without persistence, answering PING:
 * for tests that kill or stop Redis under the bot. The caller kills `proc`.
 */
export async function spawnRedis(): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  await eventually(() => answersPing("127.0.0.1", port), 5_000, "redis-server to answer");
  return { port, proc };
}
