// Shift changes: at the hand-off (Monday 10:00 Berlin = 09:00 UTC in November) the rotation
// channel hears who is on call now and the incoming engineer gets a DM with the open alerts.
// On Monday 2026-11-30 U03AAA (Payments) takes over from U02AAA (Search).

import { describe, expect, it } from "vitest";
import type { RecordedCall } from "../../sandbox/slack-api";
import { HANDOFF_EVENT, processShiftChange } from "../../src/features/rotation/shift-change";
import { addOverride, fireGeneric, harnessPerTest } from "../support/e2e";
import { eventually, type Harness, isDmPost } from "../support/harness";
import { settled } from "../support/settled";

const bot = harnessPerTest();

const HANDOFF_MS = Date.parse("2026-11-30T09:00:00Z");

const announcements = (hh: Harness) =>
  hh.slack
    .callsTo("chat.postMessage")
    .filter((c) => c.args.channel === "C0ONCALL" && String(c.args.text).startsWith("🔁") && c.response.ok);

const dms = (hh: Harness) =>
  hh.slack
    .callsTo("chat.postMessage")
    .filter((c: RecordedCall) => isDmPost(c) && String(c.args.text).startsWith("🔁"));

/** Waits until the scheduler's start-up ticks have run, so a later clock change is not seen by them. */
async function ticksDone(hh: Harness): Promise<void> {
  const q = hh.app.queues.schedule;
  await eventually(
    async () =>
      (await q.getCompletedCount()) >= 1 &&
      (await q.getWaitingCount()) === 0 &&
      (await q.getActiveCount()) === 0,
    10_000,
    "the start-up ticks",
  );
}

const fire = (hh: Harness, name: string, job: string) => fireGeneric(hh, name, { job });

describe("shift change through the real job scheduler", () => {
  it("posts once in the rotation channel and DMs the incoming engineer, even with two worker replicas", async () => {
    // A web-only bot takes an alert before the hand-off; nothing runs workers or schedulers yet.
    const h = await bot.start({ now: "2026-11-30T08:50:00Z", role: "web" });
    await fire(h, "HighErrorRate", "stream-api");
    h.clock.set("2026-11-30T09:00:20Z");
    // Two worker replicas start just after the hand-off: each upserts the job scheduler, whose
    // first tick runs at once; whichever worker takes it (or both ticks) posts, and only once.
    const [a, b] = await Promise.all([h.replica("worker"), h.replica("worker")]);
    const post = await h.slack.waitFor(
      (c) =>
        c.method === "chat.postMessage" &&
        c.args.channel === "C0ONCALL" &&
        String(c.args.text).startsWith("🔁"),
      { timeoutMs: 10_000 },
    );
    expect(post.args.text).toBe(
      "🔁 On call now: <@U03AAA> (Payments) until <!date^1796634000^{date_short_pretty} {time}|2026-12-07 09:00 UTC>, taking over from <@U02AAA>.",
    );
    expect(post.args.metadata).toEqual({
      event_type: HANDOFF_EVENT,
      event_payload: { rotation: "merged", at: HANDOFF_MS },
    });
    const dm = await eventually(() => dms(h)[0], 10_000, "the DM to the incoming engineer");
    expect(dm.response.channel).toBe(h.slack.dmChannel("U03AAA"));
    expect(dm.args.text).toContain("You are on call for Merged on-call now, until");
    expect(dm.args.text).toContain("Open alerts (1):");
    expect(dm.args.text).toContain("HighErrorRate");
    expect(dm.args.text).toContain("· stream-api (Playback) · firing since");

    const schedulers = await a.queues.schedule.getJobSchedulers(0, -1);
    expect(schedulers.find((s) => s.key === "shift-change-merged")).toMatchObject({ every: 60_000 });
    await eventually(
      async () =>
        (await b.queues.schedule.getCompletedCount()) >= 1 &&
        (await b.queues.schedule.getActiveCount()) === 0,
      10_000,
      "the ticks to finish",
    );
    await settled(h);
    expect(announcements(h)).toHaveLength(1);
    expect(dms(h)).toHaveLength(1);
  });

  it("waits out Slack's Retry-After before posting the announcement again, on every replica", async () => {
    const h = await bot.start({ now: "2026-11-30T09:00:20Z", role: "web" });
    h.slack.failNext("chat.postMessage", { status: 429, retryAfterSec: 2 });
    await Promise.all([h.replica("worker"), h.replica("worker")]);
    const posted = await eventually(() => announcements(h)[0], 10_000, "the announcement");
    const limited = h.slack.callsTo("chat.postMessage").find((c) => c.status === 429);
    expect(limited).toBeDefined();
    expect(posted.at.getTime() - limited!.at.getTime()).toBeGreaterThanOrEqual(1_800);
    expect(announcements(h)).toHaveLength(1);
  });
});

describe("processShiftChange", () => {
  it("announces exactly once when two replicas process the same tick at once", async () => {
    // Started before the hand-off, so the scheduler's start-up tick finds nothing to announce.
    const h = await bot.start({ now: "2026-11-30T08:50:00Z" });
    const replica = await h.replica("worker");
    await ticksDone(h);
    h.clock.set("2026-11-30T09:00:05Z");
    const outcomes = await Promise.all([
      processShiftChange(h.app.runtime, "merged"),
      processShiftChange(replica.runtime, "merged"),
      processShiftChange(h.app.runtime, "merged"),
    ]);
    expect(outcomes.filter((o) => o.kind === "announced")).toEqual([
      { kind: "announced", handoff: new Date(HANDOFF_MS), user: "U03AAA" },
    ]);
    await eventually(() => dms(h).length === 1, 8_000, "the DM");
    expect(announcements(h)).toHaveLength(1);
    expect(dms(h)[0]?.args.text).toContain("No open alerts.");
    expect((await processShiftChange(replica.runtime, "merged")).kind).toBe("done-before");
    h.clock.set("2026-11-30T09:25:00Z");
    expect((await processShiftChange(h.app.runtime, "merged")).kind).toBe("done-before");
    expect(announcements(h)).toHaveLength(1);
  });

  it("after a crash between posting and recording, finds the posts by their metadata instead of posting again", async () => {
    const h = await bot.start({ now: "2026-11-30T09:00:05Z" });
    await eventually(() => dms(h).length === 1, 8_000, "the start-up tick's DM");
    const rt = h.app.runtime;
    const key = rt.alerts.keys.handoff("merged", HANDOFF_MS);
    await eventually(async () => (await rt.redis.hget(key, "done")) === "1", 8_000, "the tick to finish");
    const ts = await rt.redis.hget(key, "channel");
    expect(ts).toBe(announcements(h)[0]?.response.ts);
    await rt.redis.hdel(key, "done");
    await rt.redis.hset(key, "channel", "claimed", "dm", "claimed");
    expect((await processShiftChange(rt, "merged")).kind).toBe("announced");
    expect(announcements(h)).toHaveLength(1);
    expect(dms(h)).toHaveLength(1);
    expect(await rt.redis.hget(key, "channel")).toBe(ts);
  });

  it("retries after Slack fails, and names an override that covers the hand-off", async () => {
    const h = await bot.start({ now: "2026-11-30T08:00:00Z" });
    await addOverride(h, "U03BBB", "2026-11-30T08:30:00Z", "2026-11-30T13:00:00Z", "U0ADMIN");
    await ticksDone(h);
    h.clock.set("2026-11-30T09:01:00Z");
    h.slack.failNext("chat.postMessage", { status: 503 });
    await expect(processShiftChange(h.app.runtime, "merged")).rejects.toThrow(/chat.postMessage/);
    const outcome = await processShiftChange(h.app.runtime, "merged");
    expect(outcome.kind === "announced" || outcome.kind === "done-before").toBe(true);
    await eventually(() => dms(h).length === 1, 8_000, "the DM");
    const [post] = announcements(h);
    expect(announcements(h)).toHaveLength(1);
    expect(post?.args.text).toContain(
      "On call now: <@U03BBB> (Payments) · override `1` for <@U03AAA> until <!date^1796043600^",
    );
    expect(dms(h)[0]?.response.channel).toBe(h.slack.dmChannel("U03BBB"));
  });

  it("does not announce a hand-off seen only long after it happened, nor anything between hand-offs", async () => {
    const h = await bot.start({ now: "2026-11-30T09:45:00Z" });
    expect(await processShiftChange(h.app.runtime, "merged")).toEqual({ kind: "none" });
    h.clock.set("2026-12-02T12:00:00Z");
    expect(await processShiftChange(h.app.runtime, "merged")).toEqual({ kind: "none" });
    expect(await processShiftChange(h.app.runtime, "no-such-rotation")).toEqual({ kind: "none" });
    await settled(h);
    expect(announcements(h)).toEqual([]);
  });
});
