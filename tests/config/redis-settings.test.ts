// Where Redis is (one server, Sentinel, Cluster) and how long a webhook waits for a replica: read
// from the environment, bad values refused naming the variable.

import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config/env";
import { MINIMAL_ENV as BASE } from "./helpers";

describe("Redis settings", () => {
  it("defaults to one server at 127.0.0.1:6379 under oncall:, waiting for replicas once any exist", () => {
    const s = readSettings(BASE);
    expect([s.redisUrl, s.redisTarget, s.redisPrefix]).toEqual([
      "redis://127.0.0.1:6379",
      undefined,
      "oncall:",
    ]);
    expect(s.redisWait).toEqual({ replicas: "auto", timeoutMs: 500 });
  });

  it("reads REDIS_SENTINELS with REDIS_SENTINEL_NAME and the passwords", () => {
    const s = readSettings({
      ...BASE,
      REDIS_SENTINELS: "10.0.0.1:26379, 10.0.0.2:26379,sentinel-3.internal:26380",
      REDIS_SENTINEL_NAME: "oncall",
      REDIS_PASSWORD: "pw",
      REDIS_SENTINEL_PASSWORD: "spw",
    });
    expect(s.redisTarget).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "10.0.0.1", port: 26379 },
        { host: "10.0.0.2", port: 26379 },
        { host: "sentinel-3.internal", port: 26380 },
      ],
      name: "oncall",
      password: "pw",
      sentinelPassword: "spw",
      db: 0,
    });
  });

  it("reads a redis+sentinel:// URL with its password and db", () => {
    const s = readSettings({ ...BASE, REDIS_URL: "redis+sentinel://:s3cret@h1:26379,h2:26379/oncall/2" });
    expect(s.redisTarget).toMatchObject({
      kind: "sentinel",
      sentinels: [
        { host: "h1", port: 26379 },
        { host: "h2", port: 26379 },
      ],
      name: "oncall",
      password: "s3cret",
      db: 2,
    });
  });

  it("selects the Cluster client with REDIS_CLUSTER_NODES and a hash-tagged prefix", () => {
    const s = readSettings({ ...BASE, REDIS_CLUSTER_NODES: "n1:7000,n2:7001,n3:7002" });
    expect(s.redisTarget).toEqual({
      kind: "cluster",
      nodes: [
        { host: "n1", port: 7000 },
        { host: "n2", port: 7001 },
        { host: "n3", port: 7002 },
      ],
      password: null,
    });
    expect(s.redisPrefix).toBe("{oncall}:");
    expect(
      readSettings({ ...BASE, REDIS_CLUSTER_NODES: "n1:7000", REDIS_PREFIX: "{bot-eu}:" }).redisPrefix,
    ).toBe("{bot-eu}:");
  });

  it("reads REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT_MS", () => {
    const s = readSettings({ ...BASE, REDIS_WAIT_REPLICAS: "2", REDIS_WAIT_TIMEOUT_MS: "250" });
    expect(s.redisWait).toEqual({ replicas: 2, timeoutMs: 250 });
    expect(readSettings({ ...BASE, REDIS_WAIT_REPLICAS: "0" }).redisWait?.replicas).toBe(0);
  });

  it.each([
    [{ REDIS_SENTINELS: "10.0.0.1" }, /REDIS_SENTINELS must list sentinels as host:port/],
    [{ REDIS_SENTINELS: "10.0.0.1:26379" }, /REDIS_SENTINEL_NAME is required with REDIS_SENTINELS/],
    [{ REDIS_SENTINEL_NAME: "oncall" }, /REDIS_SENTINEL_NAME is set without REDIS_SENTINELS/],
    [{ REDIS_URL: "redis+sentinel://h1:26379" }, /REDIS_URL must look like redis\+sentinel:\/\//],
    [{ REDIS_URL: "http://h1" }, /REDIS_URL must be a redis:\/\/, rediss:\/\/ or redis\+sentinel:\/\/ URL/],
    [{ REDIS_CLUSTER_NODES: "n1:99999" }, /REDIS_CLUSTER_NODES must list nodes as host:port/],
    [
      { REDIS_CLUSTER_NODES: "n1:7000", REDIS_PREFIX: "bot:" },
      /REDIS_PREFIX must hold a hash tag on a Cluster/,
    ],
    [{ REDIS_CLUSTER_NODES: "n1:7000", REDIS_WAIT_REPLICAS: "1" }, /REDIS_WAIT_REPLICAS cannot be used with/],
    [
      { REDIS_CLUSTER_NODES: "n1:7000", REDIS_URL: "redis://h:6379" },
      /REDIS_URL and REDIS_CLUSTER_NODES are both set/,
    ],
    [{ REDIS_WAIT_REPLICAS: "some" }, /REDIS_WAIT_REPLICAS must be "auto" or a whole number from 0 to 10/],
    [
      { REDIS_WAIT_TIMEOUT_MS: "2000" },
      /REDIS_WAIT_TIMEOUT_MS must be a whole number of milliseconds from 10 to below REDIS_COMMAND_TIMEOUT_MS \(2000\)/,
    ],
  ])("refuses %o, naming the variable", (env, message) => {
    expect(() => readSettings({ ...BASE, ...env })).toThrow(message);
  });
});
