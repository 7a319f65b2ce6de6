// A Redis that hangs (a network partition: the connection stays open, nothing answers). The test
// starts a redis-server of its own on a free loopback port and stops it with SIGSTOP: every
// command is bounded, so a webhook still answers 503 within 5 s and /readyz fails. SIGCONT brings
// it back, and the bot works again.

import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, type Harness, startHarness } from "../support/harness";
import { spawnRedis } from "../support/redis";
import { firingPayload } from "./alert-press";

let redis: ChildProcess | null = null;
let h: Harness | null = null;

afterEach(async () => {
  redis?.kill("SIGCONT");
  if (h) {
    await Promise.race([h.app.stop(), new Promise((r) => setTimeout(r, 5_000))]);
    await h.slack.close();
    h = null;
  }
  if (redis && redis.exitCode === null && redis.signalCode === null) {
    const exited = new Promise((r) => redis?.once("exit", r));
    redis.kill("SIGKILL");
    await exited;
  }
  redis = null;
});

async function startRedis(): Promise<number> {
  const started = await spawnRedis();
  redis = started.proc;
  return started.port;
}

/** A request's status and how long it took; a request still unanswered after 8 s counts as hung. */
async function timed(url: string, init?: RequestInit): Promise<{ status: number | "hung"; ms: number }> {
  const started = Date.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(8_000) });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  } catch {
    return { status: "hung", ms: Date.now() - started };
  }
}

describe("a Redis that hangs", () => {
  it("answers webhooks 503 within 5 s and fails /readyz, then works again once Redis answers", async () => {
    const port = await startRedis();
    h = await startHarness({ redisUrl: `redis://127.0.0.1:${port}` });
    const webhook = (job: string) =>
      timed(`${h!.app.url}/webhooks/alertmanager`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${h!.settings.alertWebhookToken}`,
        },
        body: JSON.stringify(firingPayload(job)),
      });
    expect((await timed(`${h.app.url}/readyz`)).status).toBe(200);

    redis!.kill("SIGSTOP");
    const [hook, ready] = await Promise.all([webhook("hang-1"), timed(`${h.app.url}/readyz`)]);
    expect(hook.status).toBe(503);
    expect(hook.ms).toBeLessThan(5_000);
    expect(ready.status).toBe(503);
    expect(ready.ms).toBeLessThan(5_000);

    redis!.kill("SIGCONT");
    await eventually(async () => (await timed(`${h!.app.url}/readyz`)).status === 200, 8_000, "ready again");
    expect((await webhook("hang-2")).status).toBe(200);
  }, 30_000);
});
