// The worker wrapper with real BullMQ on real Redis, calling the fake Slack Web API: what each kind
// of Slack failure does to a job, delays, and the cross-replica job lock.

import { randomBytes } from "node:crypto";
import { type Job, type JobsOptions, Queue, QueueEvents, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../../src/platform/log";
import { createMetrics } from "../../../src/platform/metrics";
import { SCHEDULE_QUEUE, ScheduledJobs } from "../../../src/platform/queue/schedule";
import { createWorker, type JobRun, rateLimitedDelay } from "../../../src/platform/queue/worker";
import { tryLock } from "../../../src/platform/redis/lock";
import { createSlackClient, SlackApi, type SlackCallError } from "../../../src/platform/slack/api";
import { SlackPacer } from "../../../src/platform/slack/pace";
import { FakeSlack } from "../../support/fake-slack";
import { deleteKeys, REDIS_URL } from "../../support/harness";

const log = createLogger("silent");
let fake: FakeSlack;
let slack: SlackApi;
let prefix: string;
const closers: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  fake = await FakeSlack.start();
  slack = new SlackApi(createSlackClient("xoxb-test", fake.url), createMetrics());
  prefix = `test-worker-${randomBytes(5).toString("hex")}:`;
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await fake.close();
  await deleteKeys(prefix);
});

function conn(): Redis {
  const c = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  closers.push(() => c.quit());
  return c;
}

async function queue(name: string): Promise<{ queue: Queue; events: QueueEvents }> {
  const q = new Queue(name, { connection: conn(), prefix: `${prefix}bull` });
  const events = new QueueEvents(name, { connection: conn(), prefix: `${prefix}bull` });
  await events.waitUntilReady();
  closers.push(
    () => q.close(),
    () => events.close(),
  );
  return { queue: q, events };
}

function worker<D, R>(
  name: string,
  process: (job: Job<D>, run: JobRun) => Promise<R>,
  extra: { onRefused?: (job: Job<D>, err: SlackCallError) => Promise<void>; redis?: Redis } = {},
): Worker<D, R> {
  const w = createWorker<D, R>({
    queue: name,
    connection: conn(),
    prefix: `${prefix}bull`,
    log,
    concurrency: 2,
    process,
    ...extra,
  });
  closers.push(() => w.close());
  return w;
}

const post = () => slack.call("chat.postMessage", { channel: "C1", text: "hi" });

/**
 * Runs one posting job whose first call meets `failure`, to the end: the calls' statuses, the time
 * between the first two, and the attempts the job spent.
 */
async function afterFailure(name: string, failure: Parameters<typeof fake.failNext>[1], opts: JobsOptions) {
  const { queue: q, events } = await queue(name);
  fake.failNext("chat.postMessage", failure);
  worker(name, post);
  const job = await q.add("j", {}, opts);
  await job.waitUntilFinished(events, 10_000);
  const calls = fake.callsTo("chat.postMessage");
  return {
    statuses: calls.map((c) => c.status),
    gapMs: calls[1]!.at.getTime() - calls[0]!.at.getTime(),
    attemptsMade: (await q.getJob(job.id!))?.attemptsMade,
  };
}

describe("createWorker: Slack failures", () => {
  it("on a 429 delays the job for Retry-After and runs it again without spending an attempt", async () => {
    const run = await afterFailure("q429", { status: 429, retryAfterSec: 1 }, { attempts: 1 });
    expect(run.statuses).toEqual([429, 200]);
    expect(run.gapMs).toBeGreaterThanOrEqual(900);
    expect(run.attemptsMade).toBe(1);
  });

  it("holds only the 429's bucket during Retry-After: another channel's post goes straight out", async () => {
    const { queue: q, events } = await queue("qhold");
    // The pacer learns the 429: the same channel waits for Retry-After, the others do not.
    slack = new SlackApi(
      createSlackClient("xoxb-test", fake.url),
      createMetrics(),
      new SlackPacer(conn(), prefix),
    );
    fake.failNext("chat.postMessage", { status: 429, retryAfterSec: 1 });
    worker<{ channel: string }, unknown>("qhold", (job) =>
      slack.call("chat.postMessage", { channel: job.data.channel, text: "hi" }),
    );
    const first = await q.add("a", { channel: "C1" });
    const limited = await fake.waitFor((c) => c.status === 429);
    const other = await q.add("b", { channel: "C2" });
    const same = await q.add("c", { channel: "C1" });
    await Promise.all([first, other, same].map((j) => j.waitUntilFinished(events, 10_000)));
    const ok = fake.callsTo("chat.postMessage").filter((c) => c.status === 200);
    const gapsIn = (channel: string) =>
      ok.filter((c) => c.args.channel === channel).map((c) => c.at.getTime() - limited.at.getTime());
    expect(gapsIn("C2")).toHaveLength(1);
    expect(gapsIn("C2")[0]).toBeLessThan(700);
    expect(gapsIn("C1")).toHaveLength(2);
    for (const gap of gapsIn("C1")) expect(gap).toBeGreaterThanOrEqual(900);
  });

  it("retries a 5xx after the job's backoff and succeeds", async () => {
    const run = await afterFailure(
      "q5xx",
      { status: 503 },
      { attempts: 3, backoff: { type: "fixed", delay: 300 } },
    );
    expect(run.statuses).toEqual([503, 200]);
    expect(run.gapMs).toBeGreaterThanOrEqual(250);
    expect(run.attemptsMade).toBe(2);
  });

  it("fails a permanent refusal at once, after onRefused recorded it", async () => {
    const { queue: q, events } = await queue("qperm");
    fake.failNext("chat.postMessage", { error: "channel_not_found" });
    const refused: string[] = [];
    worker("qperm", post, {
      onRefused: async (_job, err) => {
        refused.push(`${err.method}: ${err.failure.kind === "permanent" ? err.failure.error : "?"}`);
      },
    });
    const job = await q.add("j", {}, { attempts: 5, backoff: { type: "fixed", delay: 50 } });
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/channel_not_found/);
    expect(refused).toEqual(["chat.postMessage: channel_not_found"]);
    expect(fake.callsTo("chat.postMessage")).toHaveLength(1);
    expect(await q.getJobState(job.id!)).toBe("failed");
  });

  it("spreads the jobs waiting on one bucket over a fifth of the wait (at most 200 ms more)", () => {
    expect(rateLimitedDelay(1_000, () => 0)).toBe(1_000);
    expect(rateLimitedDelay(1_000, () => 0.999)).toBe(1_200);
    expect(rateLimitedDelay(10_000, () => 0.999)).toBe(10_200);
    expect(rateLimitedDelay(100, () => 0.5)).toBe(110);
  });
});

describe("createWorker: waiting", () => {
  it("later() runs the job again after the delay without spending an attempt", async () => {
    const { queue: q, events } = await queue("qlater");
    const runs: number[] = [];
    worker<Record<string, never>, string>("qlater", async (_job, run) => {
      runs.push(Date.now());
      if (runs.length === 1) return run.later(300);
      return "done";
    });
    const job = await q.add("j", {}, { attempts: 1 });
    expect(await job.waitUntilFinished(events, 10_000)).toBe("done");
    expect(runs).toHaveLength(2);
    expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(250);
  });

  it("exclusive() waits for a lock another replica holds instead of racing it", async () => {
    const { queue: q, events } = await queue("qlock");
    const redis = conn();
    const key = `${prefix}lock:alert-1`;
    const release = await tryLock(redis, key, 10_000);
    let ranAt = 0;
    worker(
      "qlock",
      (_job, run) =>
        run.exclusive(key, async () => {
          ranAt = Date.now();
          return "ran";
        }),
      { redis },
    );
    const job = await q.add("j", {}, { attempts: 1 });
    await new Promise((r) => setTimeout(r, 600));
    expect(ranAt).toBe(0);
    expect(await q.getJobState(job.id!)).toBe("delayed");
    const freedAt = Date.now();
    await release!();
    expect(await job.waitUntilFinished(events, 10_000)).toBe("ran");
    expect(ranAt).toBeGreaterThanOrEqual(freedAt);
  });
});

describe("ScheduledJobs", () => {
  it("dispatches the schedule queue's jobs by name to one worker, and fails unknown names for good", async () => {
    const { queue: q, events } = await queue(SCHEDULE_QUEUE);
    const jobs = new ScheduledJobs();
    jobs.on("shift-change", async (job) => `shift ${job.data.rotation}`);
    jobs.on("weekly-review", async () => "review");
    expect(() => jobs.on("weekly-review", async () => "again")).toThrow(/two handlers/);
    const w = jobs.worker({ connection: conn(), prefix: `${prefix}bull`, redis: conn(), log });
    closers.push(() => w.close());
    const a = await q.add("shift-change", { rotation: "merged" });
    const b = await q.add("weekly-review", {});
    const c = await q.add("nobody", {}, { attempts: 5 });
    expect(await a.waitUntilFinished(events, 10_000)).toBe("shift merged");
    expect(await b.waitUntilFinished(events, 10_000)).toBe("review");
    await expect(c.waitUntilFinished(events, 10_000)).rejects.toThrow(/no handler for schedule job "nobody"/);
    expect((await q.getJob(c.id!))?.attemptsMade).toBe(1);
  });
});
