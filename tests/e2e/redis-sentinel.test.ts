// Redis that survives a machine, for real: a primary, a replica and three sentinels (Debian's
// redis-server and redis-sentinel, processes of the test's own), the bot following the sentinels.
// A storm of alerts, kill -9 of the primary in the middle of it, senders that retry on 503 as
// Alertmanager does: every alert answered 2xx is in Redis afterwards and paged exactly once.

import { afterEach, describe, expect, it } from "vitest";
import { PAGE_EVENT } from "../../src/features/paging/notify";
import type { RedisTarget } from "../../src/platform/redis/client";
import { eventually, type Harness, startHarness } from "../support/harness";
import { replicaInSync, type SentinelSetup, startSentinels } from "../support/redis-ha";

let h: Harness | undefined;
let redis: SentinelSetup | undefined;
afterEach(async () => {
  await h?.close();
  await redis?.stop();
  h = undefined;
  redis = undefined;
});

const ALERTS = 60;
/** Webhooks in flight at once, like a few Alertmanager groups flushing together. */
const SENDERS = 4;
/** The primary dies once this many alerts are answered 2xx. */
const KILL_AFTER = 20;
/** Alertmanager waits longer between retries; shorter here to keep the test quick. */
const RETRY_MS = 200;

function alert(i: number) {
  return {
    name: "HighErrorRate",
    status: "firing",
    labels: { job: "stream-api", instance: `storm-${i}` },
    annotations: { summary: `storm ${i}` },
  };
}

interface Sent {
  readonly i: number;
  readonly id: string;
  readonly refusals: number;
}

/** Top-level pages in the fake Slack per alert id (the page's metadata names the alert). */
function pagesPerAlert(hh: Harness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of hh.slack.callsTo("chat.postMessage")) {
    if (c.args.thread_ts || !c.response.ok) continue;
    const meta = c.args.metadata as
      | { event_type?: string; event_payload?: { alert_id?: string } }
      | undefined;
    const id = meta?.event_type === PAGE_EVENT ? meta.event_payload?.alert_id : undefined;
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

describe("a Sentinel failover in the middle of an alert storm", () => {
  it("loses no alert answered 2xx and pages none twice", async () => {
    const ha = await startSentinels({ downAfterMs: 1_000, failoverTimeoutMs: 5_000 });
    redis = ha;
    const target: RedisTarget = {
      kind: "sentinel",
      sentinels: ha.sentinels.map((s) => ({ host: "127.0.0.1", port: s.port })),
      name: ha.name,
      password: null,
      sentinelPassword: null,
      db: 0,
    };
    // Every alert a page of its own, posted at once: storm digests and Slack's per-channel pace
    // (tested on their own) would fold or spread the pages this test counts.
    const pagesAtOnce = { storm: { threshold: 1_000 }, slackLimits: null };
    h = await startHarness({
      settings: {
        redisTarget: target,
        redisWait: { replicas: "auto", timeoutMs: 300 },
        slackReconcileEveryMs: 2_000,
        ...pagesAtOnce,
      },
    });
    const bot = h;
    const oldPrimary = ha.primary.port;

    const sent: Sent[] = [];
    const refusedAt: number[] = [];
    let killedAt = 0;
    let killing: Promise<void> | null = null;
    let next = 0;
    const deadline = Date.now() + 60_000;
    const sender = async () => {
      for (let i = next++; i < ALERTS; i = next++) {
        let refusals = 0;
        for (;;) {
          if (Date.now() > deadline) throw new Error(`alert ${i} still refused after a minute`);
          const status = await bot
            .webhook("/webhooks/generic", alert(i))
            .then(async (r) => {
              if (r.ok)
                sent.push({ i, id: ((await r.json()) as { alert: { id: string } }).alert.id, refusals });
              return r.status;
            })
            .catch(() => 0);

          if (status >= 200 && status < 300) break;
          // Alertmanager retries what is not 2xx; a 4xx here would be a bug, not an outage.
          expect([0, 500, 502, 503]).toContain(status);
          refusals++;
          refusedAt.push(Date.now());
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
        if (sent.length >= KILL_AFTER && !killing) {
          killedAt = Date.now();
          killing = ha.primary.kill();
        }
      }
    };
    // The machine comes back once the sentinels have promoted the replica, and rejoins as a replica.
    const reboot = (async () => {
      await eventually(() => killedAt > 0, 60_000, "the kill");
      await killing;
      await eventually(async () => (await ha.primaryPort()) === ha.replica.port, 30_000, "the promotion");
      const promotedAt = Date.now();
      await ha.primary.restart();
      // Sentinel leaves a returning primary alone for 8 s before turning it into a replica.
      await replicaInSync(oldPrimary, 30_000);
      return { promotedAt, rejoinedAt: Date.now() };
    })();
    await Promise.all(Array.from({ length: SENDERS }, sender));
    const { promotedAt, rejoinedAt } = await reboot;

    expect(sent).toHaveLength(ALERTS);
    const ids = sent.map((s) => s.id);
    expect(new Set(ids).size).toBe(ALERTS);
    // The outage was seen: some webhooks were refused, and every refusal came after the kill.
    expect(refusedAt.length).toBeGreaterThan(0);
    expect(Math.min(...refusedAt)).toBeGreaterThanOrEqual(killedAt);

    // Every alert answered 2xx is in Redis (the promoted replica) and paged.
    await eventually(
      async () => {
        const missing: string[] = [];
        for (const id of ids) if (!(await bot.app.delivery.get(id)).ts) missing.push(id);
        return missing.length === 0;
      },
      45_000,
      "every alert paged",
    );
    const pagedAt = Date.now();
    for (const id of ids) expect(await bot.app.alerts.get(id), id).not.toBeNull();
    // No sync left to run that could still post a second page.
    await eventually(
      async () => {
        const c = await bot.app.queues.notify.getJobCounts("active", "waiting", "delayed", "prioritized");
        return Object.values(c).every((n) => n === 0);
      },
      45_000,
      "the notify queue drained",
    );
    const pages = pagesPerAlert(bot);
    const twice = [...pages].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    for (const id of ids) expect(pages.get(id), id).toBe(1);

    const refusedForMs = Math.max(...refusedAt) - killedAt;
    console.log(
      `sentinel failover: ${ALERTS} alerts, ${refusedAt.length} refused attempts; webhooks refused for ${refusedForMs} ms after the kill ` +
        `(promotion after ${promotedAt - killedAt} ms, old primary back in sync after ${rejoinedAt - killedAt} ms, all paged after ${pagedAt - killedAt} ms); ` +
        `lost: ${ALERTS - [...pages.keys()].filter((id) => ids.includes(id)).length}, paged twice: ${twice.length}`,
    );
  }, 150_000);
});
