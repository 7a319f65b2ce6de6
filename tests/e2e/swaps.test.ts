// Shift swaps end to end: `/oncall swap` and "Ask for cover" through signed Slack requests on the
// real app (real Redis, BullMQ and Bolt; the fake Slack). The test org's merged rotation: on
// Wednesday 2026-11-25 U02AAA (Search) is on call until Mon 2026-11-30 09:00Z, then U03AAA
// (Payments, channel C0PAYMENTS) until 2026-12-07 09:00Z. U01BBB and U02BBB are team members who
// may cover; U0OUTSIDER is in no team; U0ADMIN is the rotation's admin.

import { describe, expect, it } from "vitest";
import { shiftAt } from "../../src/core/rotation";
import { publishHome } from "../../src/features/rotation/home";
import { processShiftChange } from "../../src/features/rotation/shift-change";
import { SWAP_ACTION, SWAP_EVENT } from "../../src/features/swaps/blocks";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness, SIGNING_SECRET, slashCommand } from "../support/harness";
import { settled } from "../support/settled";
import { blockActionsBody, postToSlackEndpoint } from "../support/slack-requests";
import { buttonIds, dmsTo, ephemeralTo } from "./alert-press";

const bot = harnessPerTest();
const MONDAY = "2026-11-30T09:00:00.000Z";
const TUESDAY = "2026-12-01T09:00:00.000Z";

const oncall = (h: Harness, user: string, text: string) => slashCommand(h, "/oncall", user, text);

/** The request's copies the bot posted, by channel. */
function requestPosts(h: Harness, channel: string) {
  return h.slack.messages(channel).filter((m) => m.metadata?.event_type === SWAP_EVENT);
}

function takeBody(h: Harness, user: string, channel: string, ts: string): string {
  const post = h.slack.message(channel, ts);
  return blockActionsBody({
    actionId: SWAP_ACTION.take,
    value: String(post?.metadata?.event_payload.request),
    blockId: "swap",
    userId: user,
    channelId: channel,
    messageTs: ts,
  });
}

function take(h: Harness, user: string, channel: string, ts: string) {
  return h.slackPost(takeBody(h, user, channel, ts));
}

function whole(m: { text: string; blocks: readonly unknown[] | null } | undefined): string {
  return `${m?.text}\n${JSON.stringify(m?.blocks ?? [])}`;
}

describe("/oncall swap", () => {
  it("posts a request to the rotation's and the team's channel; of two simultaneous Takes on two replicas one wins", async () => {
    const h = await bot.start();
    const replica = await h.replica("web");
    const reply = await oncall(h, "U03AAA", "swap mon 10:00 tue 10:00 dentist <!channel> <@U0ADMIN>");
    expect(reply.args.response_type).toBe("ephemeral");
    expect(reply.args.text).toContain("Asked for cover of your shift");
    expect(reply.args.text).toContain("<#C0ONCALL> and <#C0PAYMENTS>");

    const [post] = requestPosts(h, "C0ONCALL");
    const [teamPost] = requestPosts(h, "C0PAYMENTS");
    expect(post?.text).toContain("<@U03AAA> asks for cover in *Merged on-call* (Payments)");
    expect(buttonIds(post?.blocks)).toEqual([SWAP_ACTION.take]);
    expect(buttonIds(teamPost?.blocks)).toEqual([SWAP_ACTION.take]);
    // The note is shown, and no ping in it reaches anyone.
    expect(whole(post)).toContain("dentist &lt;!channel&gt; &lt;@U0ADMIN&gt;");
    expect(whole(post)).not.toContain("<!channel>");

    const [a, b] = await Promise.all([
      take(h, "U01BBB", "C0ONCALL", post!.ts),
      postToSlackEndpoint(replica.url, takeBody(h, "U02BBB", "C0PAYMENTS", teamPost!.ts), {
        secret: SIGNING_SECRET,
      }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [o] = await eventually(async () => {
      const all = await h.app.rotationState.overrides();
      return all.length ? all : undefined;
    });
    expect(o).toMatchObject({ rotationId: "merged", createdBy: o!.user });
    expect([o!.from.toISOString(), o!.to.toISOString()]).toEqual([MONDAY, TUESDAY]);
    const loser = o!.user === "U01BBB" ? "U02BBB" : "U01BBB";
    expect(["U01BBB", "U02BBB"]).toContain(o!.user);
    await ephemeralTo(h, loser, `This request was already taken by <@${o!.user}>.`);

    // Every copy now says who covers, for everyone, without the button.
    for (const m of [post!, teamPost!]) {
      const now = await eventually(() => {
        const cur = h.slack.message(m.channel, m.ts);
        return cur?.text.startsWith("✅") ? cur : undefined;
      });
      expect(now.text).toContain(`<@${o!.user}> covers <@U03AAA>`);
      expect(now.text).toContain(`override \`${o!.id}\``);
      expect(buttonIds(now.blocks)).toEqual([]);
    }
    await eventually(() =>
      dmsTo(h, "U03AAA").find((m) => m.text.includes(`<@${o!.user}> took your swap request`)),
    );
    await eventually(() => dmsTo(h, o!.user).find((m) => m.text.includes("You cover <@U03AAA>")));
    expect(dmsTo(h, loser)).toEqual([]);

    await settled(h);
    expect(await h.app.rotationState.overrides()).toHaveLength(1);
    // Routing follows the override: Monday's shift is the taker's.
    const state = await h.app.rotationState.routingState();
    expect(shiftAt(h.config.rotations[0]!, new Date(MONDAY), state)?.user).toBe(o!.user);
  });

  it("covers a shift already under way: the taker is on call from the moment they take it", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const reply = await oncall(h, "U02AAA", "swap now +3h");
    expect(reply.args.text).toContain("Asked for cover of your shift");
    const [post] = requestPosts(h, "C0ONCALL");
    expect(post?.text).toContain("<@U02AAA> needs someone to take over in *Merged on-call* (Search) now");

    h.clock.set("2026-11-25T10:30:00Z");
    await take(h, "U01BBB", "C0ONCALL", post!.ts);
    const [o] = await eventually(async () => {
      const all = await h.app.rotationState.overrides();
      return all.length ? all : undefined;
    });
    expect([o!.user, o!.from.toISOString(), o!.to.toISOString()]).toEqual([
      "U01BBB",
      "2026-11-25T10:30:00.000Z",
      "2026-11-25T13:00:00.000Z",
    ]);
    const state = await h.app.rotationState.routingState();
    expect(shiftAt(h.config.rotations[0]!, h.clock.now(), state)?.user).toBe("U01BBB");
  });

  it("lets an admin file for an absent colleague, and refuses anyone else filing for another", async () => {
    const h = await bot.start();
    const peer = await oncall(h, "U01AAA", "swap mon 10:00 tue 10:00 for <@U03AAA|carol>");
    expect(peer.args.text).toContain("You can ask for cover of your own shifts only");
    expect(requestPosts(h, "C0ONCALL")).toEqual([]);

    const admin = await oncall(
      h,
      "U0ADMIN",
      "swap mon 10:00 tue 10:00 merged for <@U03AAA|carol> sick today",
    );
    expect(admin.args.text).toContain("Asked for cover of <@U03AAA>'s shift");
    const [post] = requestPosts(h, "C0ONCALL");
    expect(post?.text).toContain("<@U03AAA> asks for cover");
    expect(post?.text).toContain("(filed by <@U0ADMIN>)");
    expect(whole(post)).toContain("sick today");

    await take(h, "U01BBB", "C0ONCALL", post!.ts);
    await eventually(() =>
      dmsTo(h, "U03AAA").find((m) => m.text.includes("<@U01BBB> took your swap request")),
    );
    await eventually(() =>
      dmsTo(h, "U0ADMIN").find((m) => m.text.includes("<@U01BBB> took your swap request")),
    );

    // Someone who is not on call then has nothing to swap.
    const notOnCall = await oncall(h, "U01AAA", "swap mon 10:00 tue 10:00");
    expect(notOnCall.args.text).toContain("You are not on call in Merged on-call");
  });

  it("refuses a Take from someone who may not be on call for the rotation, and from the requester", async () => {
    const h = await bot.start();
    await oncall(h, "U03AAA", "swap mon 10:00 tue 10:00");
    const [post] = requestPosts(h, "C0ONCALL");
    await take(h, "U0OUTSIDER", "C0ONCALL", post!.ts);
    await ephemeralTo(h, "U0OUTSIDER", "Only members of Merged on-call's teams (Playback, Search, Payments)");
    await take(h, "U03AAA", "C0ONCALL", post!.ts);
    await ephemeralTo(h, "U03AAA", "This is your own request");
    await settled(h);
    expect(await h.app.rotationState.overrides()).toEqual([]);
    expect(buttonIds(h.slack.message("C0ONCALL", post!.ts)?.blocks)).toEqual([SWAP_ACTION.take]);
  });

  it("expires when its shift starts: every copy says so, and a later Take is refused with the reason", async () => {
    // 3 s before Payments' shift starts (Monday 10:00 Berlin).
    const h = await bot.start({ now: "2026-11-30T08:59:57Z" });
    const reply = await oncall(h, "U03AAA", "swap 10:00 +1d");
    expect(reply.args.text).toContain("Asked for cover of your shift");
    const [post] = requestPosts(h, "C0ONCALL");
    const [teamPost] = requestPosts(h, "C0PAYMENTS");
    h.clock.set("2026-11-30T09:00:01Z");
    // The timer (a delayed job on the schedule queue) rewrites both copies.
    for (const m of [post!, teamPost!]) {
      const now = await eventually(() => {
        const cur = h.slack.message(m.channel, m.ts);
        return cur?.text.startsWith("⌛") ? cur : undefined;
      });
      expect(now.text).toContain("nobody took <@U03AAA>'s shift");
      expect(buttonIds(now.blocks)).toEqual([]);
    }
    await take(h, "U01BBB", "C0ONCALL", post!.ts);
    await ephemeralTo(h, "U01BBB", "This request expired at");
    expect(await h.app.rotationState.overrides()).toEqual([]);
  });
});

describe("Ask for cover", () => {
  it("on the shift-change post files a request for the incoming engineer; others are refused", async () => {
    const h = await bot.start({ now: "2026-11-30T09:00:05Z" });
    expect((await processShiftChange(h.app.runtime, "merged")).kind).toMatch(/announced|done-before/);
    const handoff = await eventually(() =>
      h.slack.messages("C0ONCALL").find((m) => buttonIds(m.blocks).includes(SWAP_ACTION.ask)),
    );
    const ask = (user: string) =>
      h.slackPost(
        blockActionsBody({
          actionId: SWAP_ACTION.ask,
          value: JSON.stringify(handoff.blocks).match(/"value":"(merged\|\d+\|\d+)"/)?.[1],
          userId: user,
          channelId: "C0ONCALL",
          messageTs: handoff.ts,
        }),
      );
    await ask("U01BBB");
    await ephemeralTo(h, "U01BBB", "Only <@U03AAA>, who is on call then");
    expect(requestPosts(h, "C0ONCALL")).toEqual([]);

    await ask("U03AAA");
    await ephemeralTo(h, "U03AAA", "Asked for cover of your shift");
    const [post] = await eventually(() => {
      const posts = requestPosts(h, "C0ONCALL");
      return posts.length ? posts : undefined;
    });
    // Under way already: from now until the shift ends.
    expect(post?.text).toContain("<@U03AAA> needs someone to take over");
    expect(post?.text).toContain("2026-12-07 09:00 UTC");
  });

  it("in the Home tab files a request for the viewer's next shift and answers in their DM", async () => {
    const h = await bot.start();
    await publishHome(h.app.runtime, "U03AAA");
    const home = h.slack.homeTabs("U03AAA");
    const blocks = (home?.view as { blocks?: unknown[] } | undefined)?.blocks ?? [];
    expect(buttonIds(blocks)).toContain(SWAP_ACTION.ask);
    const value = JSON.stringify(blocks).match(/"value":"(merged\|\d+\|\d+)"/)?.[1];
    await h.slackPost(
      blockActionsBody({
        actionId: SWAP_ACTION.ask,
        value,
        userId: "U03AAA",
        view: { id: home!.id, type: "home" },
      }),
    );
    await eventually(() => dmsTo(h, "U03AAA").find((m) => m.text.includes("Asked for cover of your shift")));
    const [post] = requestPosts(h, "C0ONCALL");
    expect(post?.text).toContain(`<@U03AAA> asks for cover in *Merged on-call* (Payments)`);
  });
});
