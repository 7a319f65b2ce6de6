// Redis that survives a machine: a real primary and replica (redis-server processes of the test's
// own). A webhook answered 2xx has its writes on a replica (WAIT); without one it answers 503.

import { afterEach, describe, expect, it } from "vitest";
import { eventually, type Harness, startHarness } from "../support/harness";
import { type ReplicatedPair, replicaInSync, startReplicatedPair } from "../support/redis-ha";

let h: Harness | undefined;
let redis: ReplicatedPair | undefined;
afterEach(async () => {
  await h?.close();
  await redis?.stop();
  h = undefined;
  redis = undefined;
});

// Long enough that a replica in sync acknowledges in time on a loaded CI machine (a killed one
// makes the webhook wait all of it before its 503), and, as the settings require, at most half the
// command timeout: commands queued behind a WAIT on its connection must not time out.
const WAIT = { replicas: "auto", timeoutMs: 1_000 } as const;

function alert(i: number) {
  return { name: "HighErrorRate", status: "firing", labels: { job: "stream-api", instance: `storm-${i}` } };
}

/** Top-level posts per channel and alert id (the page's buttons carry the id). */
function postsPerChannelAndAlert(hh: Harness, ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of hh.slack.callsTo("chat.postMessage")) {
    if (c.args.thread_ts || !c.response.ok) continue;
    const blocks = JSON.stringify(c.args.blocks ?? "");
    for (const id of ids) {
      if (!blocks.includes(`"value":"${id}"`)) continue;
      const key = `${c.args.channel} ${id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

describe("webhooks wait for a replica", () => {
  it("answers 503 while no replica acknowledges the write, and 200 again once one does", async () => {
    const pair = await startReplicatedPair();
    redis = pair;
    h = await startHarness({
      redisUrl: `redis://127.0.0.1:${pair.primary.port}`,
      settings: { redisWait: WAIT },
    });
    expect((await h.webhook("/webhooks/generic", alert(1))).status).toBe(200);

    await pair.replica.kill();
    const refused = await h.webhook("/webhooks/generic", alert(2));
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");

    await pair.replica.restart();
    await replicaInSync(pair.replica.port);
    // Alertmanager's retry of the refused notification: taken now, and paged once.
    const retried = await h.webhook("/webhooks/generic", alert(2));
    expect(retried.status).toBe(200);
    const body = (await retried.json()) as { status: string; alert: { id: string } };
    // The refused attempt had stored the alert: the 503 came from the missing acknowledgement.
    expect(body.status).not.toBe("opened");
    const id = body.alert.id;
    await eventually(async () => (await h!.app.delivery.get(id)).ts, 8_000, "the page");
    expect([...postsPerChannelAndAlert(h, [id]).values()].every((n) => n === 1)).toBe(true);
  }, 30_000);
});
