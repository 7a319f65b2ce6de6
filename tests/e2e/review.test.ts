// The weekly review through the running app: the job scheduler on the schedule queue, the post
// with the clock injected, one post per week with several replicas and retries, and recovery from
// a run that died after posting. The org's review is Monday 11:00 Europe/Berlin in C0REVIEW;
// 2026-11-30 is a Monday (11:00 Berlin = 10:00 UTC).

import { describe, expect, it } from "vitest";
import { declareIncident, type Severity } from "../../src/features/incidents/incident";
import { parsePostmortemForm, writePostmortem } from "../../src/features/incidents/postmortem";
import { postWeeklyReview, REVIEW_EVENT, REVIEW_JOB } from "../../src/features/incidents/review";
import { incidentStore } from "../../src/features/incidents/store";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness } from "../support/harness";
import { POSTMORTEM_TEXT } from "../support/incidents";

const bot = harnessPerTest();

const REVIEW_CHANNEL = "C0REVIEW";
const MONDAY_1100 = "2026-11-30T10:00:00Z";

const reviewPosts = (hh: Harness) =>
  hh.slack
    .callsTo("chat.postMessage")
    .filter((c) => c.args.channel === REVIEW_CHANNEL && c.response.ok)
    .map((c) => ({ text: String(c.args.text), blocks: JSON.stringify(c.args.blocks ?? []) }));

interface Seed {
  readonly title: string;
  readonly severity: Severity;
  readonly at: string;
  readonly resolvedAt?: string;
  readonly usersAffected?: number;
  readonly postmortem?: { readonly nearMiss: boolean };
}

/** Stores incidents (and postmortems) as the commands and modals would have. */
async function seed(hh: Harness, seeds: readonly Seed[]): Promise<void> {
  const store = incidentStore(hh.app.runtime.redis, hh.prefix);
  for (const s of seeds) {
    const { incident } = await store.declare((number) =>
      declareIncident({
        number,
        title: s.title,
        severity: s.severity,
        declaredBy: "U01AAA",
        alerts: [],
        now: new Date(s.at),
      }),
    );
    if (s.resolvedAt || s.usersAffected !== undefined) {
      await store.update(incident.id, (i) => ({
        ok: true,
        incident: {
          ...i,
          ...(s.resolvedAt
            ? { status: "resolved" as const, resolvedAt: s.resolvedAt, resolvedBy: "U01AAA" }
            : {}),
          usersAffected: s.usersAffected ?? null,
        },
      }));
    }
    if (s.postmortem) {
      const form = parsePostmortemForm({
        text: POSTMORTEM_TEXT,
        actionItems: "alice: one\nbob: two",
        nearMiss: s.postmortem.nearMiss,
        usersAffected: "",
      });
      if (!form.ok) throw new Error("bad seed form");
      await store.savePostmortem(incident.id, (i, prev) => ({
        ok: true,
        postmortem: writePostmortem(prev, i.id, form, "U01AAA", new Date(s.at)),
        incident: { ok: true, incident: i },
      }));
    }
  }
}

describe("the weekly review job", () => {
  it("registers a job scheduler for the configured day, time and zone", async () => {
    const h = await bot.start();
    const scheduler = await h.app.queues.schedule.getJobScheduler(REVIEW_JOB);
    expect(scheduler).toMatchObject({ pattern: "0 11 * * 1", tz: "Europe/Berlin", name: REVIEW_JOB });
  });

  it("posts the agenda by impact, near misses, missing postmortems and the ops report, once per week", async () => {
    const h = await bot.start({ now: MONDAY_1100 });
    await seed(h, [
      // Before the first review period (more than 7 days back): only its missing postmortem matters.
      {
        title: "Old outage",
        severity: "sev2",
        at: "2026-11-10T09:00:00Z",
        resolvedAt: "2026-11-10T10:00:00Z",
      },
      {
        title: "Login flaky",
        severity: "sev3",
        at: "2026-11-24T09:00:00Z",
        resolvedAt: "2026-11-24T09:20:00Z",
      },
      {
        title: "Checkout down",
        severity: "sev1",
        at: "2026-11-25T09:00:00Z",
        resolvedAt: "2026-11-25T10:30:00Z",
        usersAffected: 5000,
        postmortem: { nearMiss: false },
      },
      {
        title: "Search slow",
        severity: "sev2",
        at: "2026-11-26T09:00:00Z",
        resolvedAt: "2026-11-26T12:00:00Z",
        usersAffected: 10,
      },
      {
        title: "Disk almost full",
        severity: "sev2",
        at: "2026-11-27T09:00:00Z",
        resolvedAt: "2026-11-27T09:10:00Z",
        postmortem: { nearMiss: true },
      },
      { title: "Payments degraded", severity: "sev2", at: "2026-11-29T20:00:00Z" },
    ]);

    const outcome = await postWeeklyReview(h.app.runtime);
    expect(outcome).toMatchObject({ posted: true, week: "2026-W49", channel: REVIEW_CHANNEL });
    const [post] = reviewPosts(h);
    expect(post?.text).toContain(
      "Weekly incident review: 4 incidents (INC-3, INC-6, INC-4, INC-2), 1 near miss (INC-5), postmortems missing for INC-1, INC-2, INC-4.",
    );
    const blocks = post!.blocks;
    // Impact: SEV1 first; among SEV2, the one still open (since Sunday 20:00, 14h) before the 3h one.
    const order = [
      "*INC-3* Checkout down",
      "*INC-6* Payments degraded",
      "*INC-4* Search slow",
      "*INC-2* Login flaky",
    ];
    const positions = order.map((o) => blocks.indexOf(o));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(blocks).toContain(
      "1h 30m · 5,000 users affected · owner <@U01AAA> · ✅ postmortem written (2 action items)",
    );
    expect(blocks).toContain("14h 00m so far (still open)");
    expect(blocks).toContain("*Near misses* (1)");
    expect(blocks).toContain("*INC-5* Disk almost full");
    expect(blocks).toContain("*Missing postmortems* (3)");
    expect(blocks).toContain("`/incident postmortem INC-1`");
    expect(blocks).toContain("Ops review · last 7 days");
    const message = h.slack.messages(REVIEW_CHANNEL)[0]!;
    expect(message.metadata).toEqual({ event_type: REVIEW_EVENT, event_payload: { week: "2026-W49" } });

    // Later the same week (and a retry, or another replica): nothing more.
    h.clock.set("2026-12-02T15:00:00Z");
    expect(await postWeeklyReview(h.app.runtime)).toMatchObject({ posted: false, reason: "already posted" });
    // Monday 10:59 Berlin: next week's review is not due yet; this week's is done.
    h.clock.set("2026-12-07T09:59:00Z");
    expect(await postWeeklyReview(h.app.runtime)).toMatchObject({ posted: false, week: "2026-W49" });
    expect(reviewPosts(h)).toHaveLength(1);

    // The next week covers what came after the last review.
    await seed(h, [{ title: "Cache stampede", severity: "sev3", at: "2026-12-03T09:00:00Z" }]);
    h.clock.set("2026-12-07T10:00:00Z");
    expect(await postWeeklyReview(h.app.runtime)).toMatchObject({ posted: true, week: "2026-W50" });
    const next = reviewPosts(h)[1]!;
    expect(next.blocks).toContain("*INC-7* Cache stampede");
    // Still open, so still discussed; resolved last week and written up, so not again.
    expect(next.blocks).toContain("*INC-6* Payments degraded");
    expect(next.blocks).not.toContain("*INC-3* Checkout down");
    // A missing postmortem keeps being named.
    expect(next.text).toContain("postmortems missing for INC-1, INC-2, INC-4");
  });

  it("runs through the real queue and posts exactly once with two replicas and repeated jobs", async () => {
    const h = await bot.start({ now: MONDAY_1100 });
    const other = await h.replica("worker");
    await seed(h, [{ title: "Checkout down", severity: "sev1", at: "2026-11-28T09:00:00Z" }]);
    // Scheduled runs delivered twice (a retry) plus direct runs on both replicas at the same moment.
    await h.app.queues.schedule.add(REVIEW_JOB, {}, { jobId: "review-run-a" });
    await h.app.queues.schedule.add(REVIEW_JOB, {}, { jobId: "review-run-b" });
    const direct = await Promise.all([postWeeklyReview(h.app.runtime), postWeeklyReview(other.runtime)]);
    await eventually(async () => {
      const states = await Promise.all(
        ["review-run-a", "review-run-b"].map(async (id) =>
          (await h.app.queues.schedule.getJob(id))?.getState(),
        ),
      );
      return states.every((s) => s === "completed");
    });
    const jobs = await Promise.all(
      ["review-run-a", "review-run-b"].map(
        async (id) => (await h.app.queues.schedule.getJob(id))?.returnvalue,
      ),
    );
    const outcomes = [...direct, ...jobs] as { posted: boolean }[];
    expect(outcomes.filter((o) => o.posted)).toHaveLength(1);
    expect(reviewPosts(h)).toHaveLength(1);
    expect(reviewPosts(h)[0]?.blocks).toContain("*INC-1* Checkout down");
  });

  it("posts after a failed attempt, and finds its post instead of posting again after a crash", async () => {
    const h = await bot.start({ now: MONDAY_1100 });
    h.slack.failNext("chat.postMessage", { status: 500 });
    await expect(postWeeklyReview(h.app.runtime)).rejects.toThrow(/chat.postMessage/);
    expect(reviewPosts(h)).toHaveLength(0);
    expect(await postWeeklyReview(h.app.runtime)).toMatchObject({ posted: true, week: "2026-W49" });
    expect(reviewPosts(h)).toHaveLength(1);

    // A run that posted and died before recording it: the claim is there, the marker is not.
    const rt = h.app.runtime;
    const keys = incidentStore(rt.redis, h.prefix).keys;
    h.clock.set("2026-12-07T10:00:00Z");
    await rt.redis.set(keys.reviewClaim("2026-W50"), "2026-12-07T10:00:00.000Z");
    await rt.slack.call("chat.postMessage", {
      channel: REVIEW_CHANNEL,
      text: "the review a crashed run posted",
      metadata: { event_type: REVIEW_EVENT, event_payload: { week: "2026-W50" } },
    });
    expect(await postWeeklyReview(rt)).toMatchObject({
      posted: false,
      week: "2026-W50",
      reason: "already posted (found after an interrupted run)",
    });
    expect(await postWeeklyReview(rt)).toMatchObject({ posted: false, reason: "already posted" });
    expect(h.slack.messages(REVIEW_CHANNEL).map((m) => m.text.slice(0, 30))).toEqual([
      expect.stringContaining("Weekly incident review"),
      "the review a crashed run poste",
    ]);
  });
});
