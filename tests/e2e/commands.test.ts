// `/oncall who | schedule | override | page | help` through signed slash commands on the real app
// (real Redis, BullMQ and Bolt; the fake Slack). Fake users' Slack time zone is Europe/Berlin.
// On 2026-11-25 (a Wednesday) U02AAA (Search) is on call until Monday 2026-11-30 10:00 Berlin.

import { describe, expect, it } from "vitest";
import type { RecordedCall } from "../../sandbox/slack-api";
import { addOverride, fireGeneric, harnessPerTest } from "../support/e2e";
import { eventually, type Harness, isDmPost, slashCommand } from "../support/harness";

const bot = harnessPerTest();

const oncall = (hh: Harness, user: string, text: string, channel = "C0ONCALL") =>
  slashCommand(hh, "/oncall", user, text, { channel });

/** The whole answer (text and blocks) as one string. */
const said = (c: RecordedCall) => `${String(c.args.text)}\n${JSON.stringify(c.args.blocks ?? [])}`;

/** Payments ejected from the rotations by their admin, as `/oncall eject payments load` would. */
const ejectPayments = (hh: Harness) =>
  hh.app.rotationState.eject(
    { teamId: "payments", by: "U0ADMIN", at: "2026-11-25T09:00:00Z", reason: "load" },
    hh.config.rotations,
  );

const topLevelPosts = (hh: Harness, channel: string) =>
  hh.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === channel && !c.args.thread_ts);

describe("/oncall who and schedule", () => {
  it("says who is on call in each rotation, until when (a date each reader sees in their own zone), who is next, and ejected teams", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const who = await oncall(h, "U01AAA", "who");
    expect(who.args.response_type).toBe("ephemeral");
    const text = said(who);
    expect(text).toContain("Merged on-call");
    expect(text).toContain(
      "On call now: <@U02AAA> (Search) until <!date^1796029200^{date_short_pretty} {time}|2026-11-30 09:00 UTC>",
    );
    expect(text).toContain("Next: <@U03AAA> (Payments)");
    expect(text).not.toContain("ejected");

    await ejectPayments(h);
    const after = said(await oncall(h, "U01AAA", "who merged"));
    expect(after).toContain("Payments is ejected");
    expect(after).toContain("<#C0PAYMENTS>");
    // Payments' turn is skipped: the next one after Search is Playback.
    expect(after).toContain("Next: <@U01AAA> (Playback)");

    const unknown = await oncall(h, "U01AAA", "who nosuch");
    expect(unknown.args.response_type).toBe("ephemeral");
    expect(unknown.args.text).toContain('There is no rotation "nosuch". Rotations: `merged`.');
    expect(unknown.args.text).toContain("Usage: `/oncall who [rotation]`");
    expect(unknown.args.text).toContain("Example: `/oncall who merged`");
  });

  it("lists the coming shifts, 4 weeks by default, and refuses more than 26", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const four = said(await oncall(h, "U01AAA", "schedule"));
    expect(four).toContain("Merged on-call: the next 4 weeks");
    // Wed 25 Nov to Wed 23 Dec: the current shift and four more hand-offs.
    expect(four.match(/• /g)).toHaveLength(5);
    expect(four.indexOf("<@U02AAA> (Search)")).toBeLessThan(four.indexOf("<@U03AAA> (Payments)"));
    expect(four).toContain("<@U01AAA> (Playback)");

    const two = said(await oncall(h, "U01AAA", "schedule merged 2"));
    expect(two).toContain("the next 2 weeks");
    expect(two.match(/• /g)).toHaveLength(3);
    expect(said(await oncall(h, "U01AAA", "schedule 8w merged"))).toContain("the next 8 weeks");

    const tooMany = await oncall(h, "U01AAA", "schedule merged 30");
    expect(tooMany.args.text).toContain("Weeks must be between 1 and 26, got 30.");
    expect(tooMany.args.text).toContain("Usage: `/oncall schedule [rotation] [weeks]`");
  });
});

describe("/oncall override", () => {
  it("changes who is paged next: an override for now makes the next alert page its user", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    // U01BBB is in Playback (a team of the rotation) but no participant: members may cover shifts.
    const reply = await oncall(h, "U01BBB", "override me now +2h");
    const text = said(reply);
    expect(text).toContain("Override `1`: <@U01BBB> is on call for Merged on-call");
    expect(text).toContain("instead of <@U02AAA>");
    expect(text).toContain("It applies now");
    expect(text).toContain("/oncall override remove 1");
    const [stored] = await h.app.rotationState.overrides();
    expect(stored).toMatchObject({
      id: "1",
      rotationId: "merged",
      user: "U01BBB",
      createdBy: "U01BBB",
      from: new Date("2026-11-25T10:00:00Z"),
      to: new Date("2026-11-25T12:00:00Z"),
    });
    const note = await h.slack.waitFor(
      (c) =>
        c.method === "chat.postMessage" &&
        c.args.channel === "C0ONCALL" &&
        String(c.args.text).startsWith("🔀"),
    );
    expect(note.args.text).toContain("<@U01BBB> covers Merged on-call");

    const id = await fireGeneric(
      h,
      "HighErrorRate",
      { job: "stream-api", instance: "stream-api-1" },
      { annotations: { summary: "5xx above 5%" } },
    );
    expect((await h.app.alerts.get(id))?.route.oncallUser).toBe("U01BBB");
    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL" && Boolean(c.args.metadata),
    );
    expect(JSON.stringify(page.args.blocks)).toContain("On call: <@U01BBB>");
    await h.slack.waitFor((c) => isDmPost(c, "U01BBB") && c.response.ok);

    // Once the override ends, the schedule pages again.
    h.clock.set("2026-11-25T12:30:00Z");
    const laterId = await fireGeneric(h, "SearchLatencyHigh", { job: "search-api" }, { annotations: {} });
    expect((await h.app.alerts.get(laterId))?.route.oncallUser).toBe("U02AAA");
  });

  it("reads times in the user's zone; admins may set overrides for anyone", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const reply = await oncall(h, "U0ADMIN", "override <@U03BBB|dave> tomorrow 18:00 mon 10:00 merged");
    expect(said(reply)).toContain("Override `1`: <@U03BBB>");
    const [o] = await h.app.rotationState.overrides();
    // Berlin is UTC+1 in November.
    expect(o).toMatchObject({
      user: "U03BBB",
      createdBy: "U0ADMIN",
      from: new Date("2026-11-26T17:00:00Z"),
      to: new Date("2026-11-30T09:00:00Z"),
    });
    const note = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && String(c.args.text).startsWith("🔀"),
    );
    expect(note.args.text).toContain("set by <@U0ADMIN>");
    // The mention without a name works too.
    expect(said(await oncall(h, "U0ADMIN", "override <@U02BBB> 2026-12-01T08:00 +4h"))).toContain(
      "Override `2`",
    );
  });

  it("refuses overrides for others from non-admins, and from people outside the rotation's teams", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const forOther = await oncall(h, "U01AAA", "override <@U02BBB|bob> tomorrow 18:00 +2h");
    expect(forOther.args.response_type).toBe("ephemeral");
    expect(forOther.args.text).toContain(
      "You can set overrides only for yourself: `/oncall override me <from> <to>`",
    );
    expect(forOther.args.text).toContain("<@U0ADMIN>");
    const outsider = await oncall(h, "U0OUTSIDER", "override me now +1h");
    expect(outsider.args.text).toContain(
      "Only members of Merged on-call's teams (Playback, Search, Payments)",
    );
    expect(await h.app.rotationState.overrides()).toEqual([]);
    expect(topLevelPosts(h, "C0ONCALL")).toEqual([]);
  });

  it("answers malformed ranges with what is wrong, usage and an example", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const cases: [string, string][] = [
      ["override me tomorrow 18:00 today 10:00", "must come after the start"],
      ["override me today 08:00 today 09:00", "That range ended already"],
      ["override me now +31d", "at most 30 days"],
      ["override me soonish +1h", 'Times: cannot read "soonish" as a time'],
      ["override me tomorrow 18:00", "Times: a time is missing"],
      [
        "override bob now +1h",
        'Start with the person who covers: a mention like @alice (Slack sends it as <@U…>) or "me"; got "bob"',
      ],
      ["override me now +1h merged extra", "only a rotation name may follow"],
      ["override me now +1h nosuch", 'There is no rotation "nosuch"'],
      ["override", "Say who covers"],
    ];
    for (const [text, expected] of cases) {
      const reply = await oncall(h, "U01AAA", text);
      expect(reply.args.text, text).toContain(expected);
      expect(reply.args.text, text).toContain("Example: `/oncall override me tomorrow 18:00 mon 10:00`");
    }
    expect(await h.app.rotationState.overrides()).toEqual([]);
  });

  it("lists active and upcoming overrides with ids, and removes them for their owner or an admin only", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    await oncall(h, "U0ADMIN", "override <@U03BBB|dave> tomorrow 18:00 +12h");
    await oncall(h, "U01AAA", "override me now +1h");
    await addOverride(h, "U02BBB", "2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z");
    const list = said(await oncall(h, "U01CCC", "override list"));
    expect(list).toContain("`2` <@U01AAA> covers Merged on-call");
    expect(list).toContain("*active now*");
    expect(list).toContain("`1` <@U03BBB> covers Merged on-call");
    expect(list).toContain("set by <@U0ADMIN>");
    expect(list).not.toContain("`3`");
    // Active first, by start.
    expect(list.indexOf("`2`")).toBeLessThan(list.indexOf("`1`"));

    const refused = await oncall(h, "U01AAA", "override remove 1");
    expect(refused.args.text).toContain(
      "Only <@U03BBB>, who set it (<@U0ADMIN>) or an admin of the rotation (<@U0ADMIN>) can remove override `1`",
    );
    expect(await h.app.rotationState.override("1")).not.toBeNull();

    expect((await oncall(h, "U01AAA", "override remove 2")).args.text).toContain("Removed override `2`");
    expect((await oncall(h, "U0ADMIN", "override remove `1`")).args.text).toContain("Removed override `1`");
    expect((await oncall(h, "U0ADMIN", "override remove 1")).args.text).toContain("There is no override `1`");
    expect((await oncall(h, "U0ADMIN", "override list")).args.text).toContain(
      "No active or upcoming overrides",
    );
    const removals = topLevelPosts(h, "C0ONCALL").filter((c) =>
      String(c.args.text).includes("removed override"),
    );
    expect(removals).toHaveLength(2);
  });
});

describe("/oncall page", () => {
  it("pages a team's rotation through the webhook pipeline: stored, routed, paged with buttons, DM, timer", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const reply = await oncall(h, "U02BBB", "page search search-1 disk is full, writes failing", "C0SEARCH");
    expect(reply.args.response_type).toBe("ephemeral");
    const m = /Paged <@U02AAA> in <#C0ONCALL>: alert `([0-9a-f]+-1)`/.exec(String(reply.args.text));
    expect(m).not.toBeNull();
    const alert = await h.app.alerts.get(m![1]!);
    expect(alert).toMatchObject({
      source: "manual",
      name: "ManualPage",
      severity: "page",
      state: "firing",
      missingRunbooks: [],
      route: {
        rotationId: "merged",
        teamId: "search",
        channel: "C0ONCALL",
        oncallUser: "U02AAA",
        ejected: false,
      },
    });
    expect(await h.app.alerts.openIds({ rotationId: "merged" })).toContain(alert!.id);

    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL" && Boolean(c.args.metadata),
    );
    const blocks = JSON.stringify(page.args.blocks);
    expect(blocks).toContain("search-1 disk is full, writes failing");
    expect(blocks).toContain("alert.ack");
    expect(blocks).toContain("Hand to Search");
    expect(blocks).toContain("/oncall page by <@U02BBB>");
    await h.slack.waitFor((c) => isDmPost(c, "U02AAA") && c.response.ok);
    // The escalation timer is armed like for any alert.
    await eventually(
      async () => (await h.app.queues.escalate.getDelayedCount()) > 0,
      8_000,
      "an escalation timer",
    );

    // The same words again are a second page, not a repeat of the first.
    const again = await oncall(h, "U02BBB", "page search search-1 disk is full, writes failing");
    const secondId = /alert `([^`]+)`/.exec(String(again.args.text))![1];
    expect(secondId).not.toBe(alert!.id);
    await eventually(
      () => topLevelPosts(h, "C0ONCALL").filter((c) => Boolean(c.args.metadata)).length === 2,
      8_000,
      "two pages",
    );
  });

  it("pages a rotation by name, an ejected team's own channel, and refuses unknown targets or no text", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const rot = await oncall(h, "U01CCC", "page Merged on-call channel is on fire");
    const rotId = /alert `([^`]+)`/.exec(String(rot.args.text))![1]!;
    expect((await h.app.alerts.get(rotId))?.route).toMatchObject({
      rotationId: "merged",
      teamId: null,
      oncallUser: "U02AAA",
    });

    await ejectPayments(h);
    const ejected = await oncall(h, "U01AAA", "page payments checkout returns 500");
    expect(ejected.args.text).toContain("Paged the members of Payments in <#C0PAYMENTS>");
    await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0PAYMENTS" && Boolean(c.args.metadata),
    );

    const unknown = await oncall(h, "U01AAA", "page nosuch help");
    expect(unknown.args.text).toContain(
      'There is no rotation or team "nosuch". Rotations: `merged`; teams: `playback`, `search`, `payments`.',
    );
    expect(unknown.args.text).toContain("Usage: `/oncall page <rotation|team> <what is wrong>`");
    const empty = await oncall(h, "U01AAA", "page search");
    expect(empty.args.text).toContain("Say what is wrong");
    // The rotation's page and the ejected team's (which keeps its rotation id); the refusals stored nothing.
    const open = await h.app.alerts.openIds({ rotationId: "merged" });
    expect(open).toHaveLength(2);
    expect(open).toContain(rotId);
  });
});

describe("/oncall help", () => {
  it("answers help, nothing and unknown subcommands with the usage of every subcommand", async () => {
    const h = await bot.start();
    for (const text of ["help", "", "frobnicate now"]) {
      const reply = await oncall(h, "U01AAA", text);
      expect(reply.args.response_type).toBe("ephemeral");
      const body = String(reply.args.text);
      for (const usage of [
        "who [rotation]",
        "schedule [rotation] [weeks]",
        "override @user <from> <to> [rotation]",
        "page <rotation|team>",
      ]) {
        expect(body, text).toContain(usage);
      }
      if (text.startsWith("frobnicate")) expect(body).toContain("I don't know `/oncall frobnicate`");
    }
  });
});
