// The on-call user group end to end: the test org's merged rotation names `usergroup_handle:
// oncall-merged`; the real app runs against the fake Slack, with real Redis and BullMQ, and every
// change comes in as a signed slash command. On Wednesday 2026-11-25 U02AAA (Search) is on call.

import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OVERRIDE_EVENT } from "../../src/features/rotation/override-change";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness, ORG_DIR, slashCommand } from "../support/harness";
import { settled } from "../support/settled";

const dir = mkdtempSync(join(tmpdir(), "oncall-usergroups-"));
cpSync(ORG_DIR, dir, { recursive: true });
appendFileSync(join(dir, "schedules/rotations/merged.yaml"), "usergroup_handle: oncall-merged\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bot = harnessPerTest();
const start = (now = "2026-11-25T10:00:00Z") => bot.start({ now, configDir: dir });

const oncall = (h: Harness, user: string, text: string) => slashCommand(h, "/oncall", user, text);

const updates = (h: Harness) => h.slack.callsTo("usergroups.users.update").filter((c) => c.response.ok);
const updatedTo = (h: Harness) => updates(h).map((c) => c.args.users);

/** The group's members as Slack has them, asked like any client would. */
async function members(h: Harness): Promise<string[]> {
  const group = await slack(h, "usergroups.list", {}).then(
    (r) => (r.usergroups as { id: string; handle: string }[]).find((g) => g.handle === "oncall-merged")!,
  );
  return (await slack(h, "usergroups.users.list", { usergroup: group.id })).users as string[];
}

/** A call to the fake Slack from outside the bot (a person editing the group by hand). */
async function slack(
  h: Harness,
  method: string,
  args: Record<string, string>,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.slack.url}${method}`, {
    method: "POST",
    headers: { authorization: "Bearer xoxp-person", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(args),
  });
  return (await res.json()) as Record<string, unknown>;
}

/** Runs now the delayed schedule jobs whose time (by the test clock) has come, as BullMQ would. */
async function runDueJobs(h: Harness): Promise<void> {
  const now = h.clock.now().getTime();
  for (const job of await h.app.queues.schedule.getDelayed()) {
    const at = (job.data as { at?: number }).at;
    if (at !== undefined && at <= now) await job.promote();
  }
}

const announcements = (h: Harness) =>
  h.slack.messages("C0ONCALL").filter((m) => m.metadata?.event_type === OVERRIDE_EVENT);

describe("the on-call user group", () => {
  it("is created and set at start-up, and a restart with nothing changed sends no update", async () => {
    const h = await start();
    await eventually(() => updates(h).length === 1, 10_000, "the start-up update");
    const [created] = h.slack.callsTo("usergroups.create");
    expect(created?.args).toMatchObject({ handle: "oncall-merged", name: "Merged on-call (on call)" });
    expect(updatedTo(h)).toEqual(["U02AAA"]);
    expect(await members(h)).toEqual(["U02AAA"]);
    await settled(h);

    const listsBefore = h.slack.callsTo("usergroups.users.list").length;
    await h.restart();
    await eventually(
      () => h.slack.callsTo("usergroups.users.list").length > listsBefore,
      10_000,
      "the start-up look after the restart",
    );
    await settled(h);
    // The restart compared and found the group right: no second update, no second group.
    expect(updates(h)).toHaveLength(1);
    expect(h.slack.callsTo("usergroups.create")).toHaveLength(1);
  });

  it("repairs at start-up a hand-off missed while the bot was down, and a member changed by hand", async () => {
    const h = await start("2026-11-30T08:00:00Z");
    await eventually(() => updates(h).length === 1, 10_000, "the start-up update");
    expect(updatedTo(h)).toEqual(["U02AAA"]);
    await settled(h);
    // The bot is down across Monday's 09:00 UTC hand-off to U03AAA.
    h.clock.set("2026-11-30T11:00:00Z");
    await h.restart();
    await eventually(() => updates(h).length === 2, 10_000, "the repairing update");
    expect(updatedTo(h)).toEqual(["U02AAA", "U03AAA"]);
    await settled(h);

    // Someone adds themselves by hand; the next start puts the group right again.
    const group = h.slack.callsTo("usergroups.create")[0]?.response.usergroup as { id: string };
    expect(
      (await slack(h, "usergroups.users.update", { usergroup: group.id, users: "U03AAA,U01CCC" })).ok,
    ).toBe(true);
    await h.restart();
    await eventually(() => updates(h).length === 4, 10_000, "the update after the hand edit");
    expect(updatedTo(h).at(-1)).toBe("U03AAA");
    expect(await members(h)).toEqual(["U03AAA"]);
  });

  it("follows an override set by /oncall: its start and end change the group and are announced", async () => {
    const h = await start();
    await eventually(() => updates(h).length === 1, 10_000, "the start-up update");
    await settled(h);
    // 12:00 to 14:00 Berlin: 11:00 to 13:00 UTC.
    const reply = await oncall(h, "U01BBB", "override me 12:00 14:00");
    expect(String(reply.args.text)).toContain("Override `1`");
    await settled(h);
    // Set for later: the group keeps U02AAA until it starts.
    expect(updatedTo(h)).toEqual(["U02AAA"]);
    expect(announcements(h)).toEqual([]);

    h.clock.set("2026-11-25T11:00:05Z");
    await runDueJobs(h);
    await eventually(() => updates(h).length === 2, 10_000, "the update at the override's start");
    expect(updatedTo(h)).toEqual(["U02AAA", "U01BBB"]);
    const started = await eventually(() => announcements(h)[0], 10_000, "the start announcement");
    expect(started.text).toBe(
      "🔀 Override `1` started: <@U01BBB> (Search) is on call for Merged on-call until <!date^1795611600^{date_short_pretty} {time}|2026-11-25 13:00 UTC>, instead of <@U02AAA>.",
    );

    h.clock.set("2026-11-25T13:00:05Z");
    await runDueJobs(h);
    await eventually(() => updates(h).length === 3, 10_000, "the update at the override's end");
    expect(updatedTo(h)).toEqual(["U02AAA", "U01BBB", "U02AAA"]);
    const ended = await eventually(() => announcements(h)[1], 10_000, "the end announcement");
    expect(ended.text).toContain(
      "🔁 Override `1` (<@U01BBB>) ended; the schedule applies again. On call now: <@U02AAA> (Search) until",
    );
    await settled(h);
    expect(announcements(h)).toHaveLength(2);
    expect(updates(h)).toHaveLength(3);
  });

  it("an override for now changes the group at once; removing it gives the group back", async () => {
    const h = await start();
    await eventually(() => updates(h).length === 1, 10_000, "the start-up update");
    await oncall(h, "U01BBB", "override me now +2h");
    await eventually(() => updates(h).length === 2, 10_000, "the update for the override");
    expect(updatedTo(h)).toEqual(["U02AAA", "U01BBB"]);
    await oncall(h, "U01BBB", "override remove 1");
    await eventually(() => updates(h).length === 3, 10_000, "the update for the removal");
    expect(updatedTo(h)).toEqual(["U02AAA", "U01BBB", "U02AAA"]);
    await settled(h);
    // Its end will not be announced: the removal was, by the command.
    expect(await h.app.queues.schedule.getJob("override-end-1")).toBeUndefined();
  });

  it("moves to the next team's engineer when the on-call team is ejected, and back on readmit", async () => {
    const h = await start();
    await eventually(() => updates(h).length === 1, 10_000, "the start-up update");
    await oncall(h, "U0ADMIN", "eject search too many pages");
    await eventually(() => updates(h).length === 2, 10_000, "the update for the ejection");
    expect(updatedTo(h)).toEqual(["U02AAA", "U03AAA"]);
    await oncall(h, "U0ADMIN", "readmit search");
    await eventually(() => updates(h).length === 3, 10_000, "the update for the readmission");
    expect(updatedTo(h)).toEqual(["U02AAA", "U03AAA", "U02AAA"]);
    // Ejecting a team that is not on call changes nobody: compared, not sent.
    const lists = h.slack.callsTo("usergroups.users.list").length;
    await oncall(h, "U0ADMIN", "eject playback too many pages");
    await eventually(
      () => h.slack.callsTo("usergroups.users.list").length > lists,
      10_000,
      "the look after the ejection",
    );
    await settled(h);
    expect(updates(h)).toHaveLength(3);
  });
});
