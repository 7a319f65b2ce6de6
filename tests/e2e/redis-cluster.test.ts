// The bot on a real three-primary Redis Cluster (Debian's redis-server, loopback ports, own
// folders): the Alertmanager page, a signed Acknowledge and the resolve; every key of the bot's
// prefix, BullMQ's included, in one slot; scripts without CROSSSLOT; deleteByPrefix on every primary.
// The wider suite runs on a cluster as the vitest project "redis-cluster" (see README, HA).

import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteByPrefix } from "../../src/platform/redis/client";
import { reserveIncidentNumber } from "../../src/platform/redis/scripts";
import { harnessPerTest } from "../support/e2e";
import { eventually } from "../support/harness";
import { type RedisClusterHandle, startRedisCluster } from "../support/redis-cluster";
import { settled } from "../support/settled";
import { firingPayload, pageAlert, press, resolvedPayload, stored } from "./alert-press";

let cluster: RedisClusterHandle;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(() => cluster?.stop());

/** The keys under `prefix` on each primary, read from the node itself (SCAN sees one node). */
async function keysPerNode(prefix: string): Promise<string[][]> {
  return Promise.all(
    cluster.nodes.map(async (n) => {
      const r = new Redis(n.port, n.host);
      try {
        const keys: string[] = [];
        let cursor = "0";
        do {
          const [next, batch] = await r.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`);
          cursor = next;
          keys.push(...batch);
        } while (cursor !== "0");
        return keys;
      } finally {
        r.disconnect();
      }
    }),
  );
}

describe("the bot on a three-primary Redis Cluster", () => {
  const bot = harnessPerTest();

  it("pages an Alertmanager alert, takes a signed Acknowledge and resolves it, every key in one slot", async () => {
    const h = await bot.start({ cluster: cluster.nodes });
    expect(h.settings.redisTarget?.kind).toBe("cluster");
    expect(h.prefix).toMatch(/^\{[^{}]+\}:$/);
    const page = await pageAlert(h);
    expect((await press(h, "alert.ack", page, "U02AAA")).status).toBe(200);
    await eventually(async () => (await stored(h, page.id)).state === "acked", 8_000, "the ack");
    const res = await h.webhook("/webhooks/alertmanager", resolvedPayload(firingPayload()));
    expect(res.status).toBe(200);
    await eventually(async () => (await stored(h, page.id)).state === "resolved", 8_000, "the resolve");
    await settled(h);
    expect((await h.app.alerts.events(page.id)).map((e) => e.type)).toEqual(
      expect.arrayContaining(["opened", "acked", "resolved"]),
    );

    const perNode = await keysPerNode(h.prefix);
    expect(perNode.filter((keys) => keys.length > 0)).toHaveLength(1);
    const keys = perNode.flat();
    expect(keys.some((k) => k.startsWith(`${h.prefix}bull:`))).toBe(true);
    expect(keys).toContain(`${h.prefix}alert:${page.id}`);
    const c = cluster.client();
    try {
      const slots = await Promise.all(keys.map((k) => c.cluster("KEYSLOT", k)));
      expect(new Set(slots).size).toBe(1);
    } finally {
      await c.quit();
    }
  });

  it("numbers incidents declared without a request id: no '' key of another slot", async () => {
    const c = cluster.client();
    const seq = `{test-seq-${randomBytes(4).toString("hex")}}:incidents:seq`;
    try {
      expect(await reserveIncidentNumber(c, { seq, declared: "" }, 60)).toEqual({ number: 1, fresh: true });
      expect(await reserveIncidentNumber(c, { seq, declared: "" }, 60)).toEqual({ number: 2, fresh: true });
      // The counter is not taken for the marker: it keeps no expiry.
      expect(await c.ttl(seq)).toBe(-1);
    } finally {
      await c.del(seq);
      await c.quit();
    }
  });

  it("deleteByPrefix removes a prefix's keys from every primary, wherever their slots are", async () => {
    const c = cluster.client();
    // No hash tag: the keys spread over the primaries.
    const prefix = `test-spread-${randomBytes(4).toString("hex")}:`;
    try {
      await Promise.all(Array.from({ length: 60 }, (_, i) => c.set(`${prefix}${i}`, "x")));
      expect((await keysPerNode(prefix)).filter((keys) => keys.length > 0)).toHaveLength(3);
      await deleteByPrefix(c, prefix);
      expect((await keysPerNode(prefix)).flat()).toEqual([]);
    } finally {
      await c.quit();
    }
  });
});
