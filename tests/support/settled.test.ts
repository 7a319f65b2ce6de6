// settled() must wait for work that is coming and not for work far away, or "nothing more happens"
// tests would pass before the thing they watch for had a chance to happen.

import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { connectQueue, deleteByPrefix } from "../../src/platform/redis/client";
import type { Queues } from "../../src/runtime";
import { pendingJobs, settled } from "./settled";

const prefix = `test-${randomBytes(6).toString("hex")}:`;
// Not the harness: this needs no app, and the harness's import of the whole app would slow it down.
const redis = connectQueue(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
const queue = new Queue("notify", { connection: redis, prefix: `${prefix}bull` });
const queues = { notify: queue } as unknown as Queues;
const slack = { inFlight: 0, calls: [] as unknown[] };
const watched = { app: { queues, runtime: { queueConnection: redis } }, slack };

afterAll(async () => {
  await queue.close();
  await deleteByPrefix(redis, prefix);
  await redis.quit();
});

afterEach(async () => {
  await queue.obliterate({ force: true });
  slack.inFlight = 0;
});

describe("settled", () => {
  it("counts waiting and soon-due delayed jobs as pending, and not a timer an hour away", async () => {
    expect(await pendingJobs(queues, redis, 3_000)).toEqual({});
    await queue.add("timer", {}, { delay: 3_600_000 });
    expect(await pendingJobs(queues, redis, 3_000)).toEqual({});
    await queue.add("retry", {}, { delay: 500 });
    expect(await pendingJobs(queues, redis, 3_000)).toEqual({ notify: 1 });
    await queue.add("now", {});
    expect(await pendingJobs(queues, redis, 3_000)).toEqual({ notify: 2 });
  });

  it("does not return while a job waits or Slack has a request open, and says what is still busy", async () => {
    await queue.add("now", {});
    await expect(settled(watched, { timeoutMs: 300 })).rejects.toThrow(/did not settle.*"notify":1/);
    await queue.obliterate({ force: true });
    slack.inFlight = 1;
    await expect(settled(watched, { timeoutMs: 300 })).rejects.toThrow(/1 Slack request\(s\) open/);
    slack.inFlight = 0;
    await queue.add("timer", {}, { delay: 3_600_000 });
    await expect(settled(watched, { timeoutMs: 2_000 })).resolves.toBeUndefined();
  });
});
