// Who may act, end to end through signed Slack requests on the real app (real Redis, BullMQ, Bolt;
// the fake Slack). On 2026-11-25 U02AAA (Search) is on call for the merged rotation; U02BBB is a
// Search member but no participant; U0OUTSIDER is in no team.

import { describe, expect, it } from "vitest";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness, slashCommand } from "../support/harness";
import { pageAlert, press, stored } from "./alert-press";

const bot = harnessPerTest();

const oncall = (hh: Harness, user: string, text: string, channel = "C0ONCALL") =>
  slashCommand(hh, "/oncall", user, text, { channel });

describe("the engineer on call through an override", () => {
  it("may act on the alert they are paged for, though no participant and not of the owning team", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const set = await oncall(h, "U02BBB", "override me now +2h");
    expect(String(set.args.text)).toContain("<@U02BBB> is on call for Merged on-call");
    // A Playback alert (stream-api) now pages U02BBB, who is in Search.
    const page = await pageAlert(h);
    expect((await stored(h, page.id)).route.oncallUser).toBe("U02BBB");
    await press(h, "alert.ack", page, "U02BBB");
    await eventually(async () => (await stored(h, page.id)).assignee === "U02BBB", 8_000, "acked by U02BBB");
  });

  it("refuses an admin's override for someone outside every team of the rotation, saying why", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const reply = await oncall(h, "U0ADMIN", "override <@U0OUTSIDER> now +2h");
    expect(String(reply.args.text)).toContain(
      "<@U0OUTSIDER> is neither a participant of Merged on-call nor a member of its teams (Playback, Search, Payments), so they could not act on its alerts.",
    );
    expect(await h.app.rotationState.overrides()).toEqual([]);
    // Someone who may cover is still fine.
    const ok = await oncall(h, "U0ADMIN", "override <@U03BBB> now +2h");
    expect(String(ok.args.text)).toContain("<@U03BBB> is on call for Merged on-call");
  });
});

describe("/oncall page", () => {
  it("refuses an outsider's page and pages nobody", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const reply = await oncall(h, "U0OUTSIDER", "page merged <!channel> help");
    expect(reply.args.response_type).toBe("ephemeral");
    expect(String(reply.args.text)).toContain(
      "Only members of Merged on-call's teams (Playback, Search, Payments), its participants and admins (<@U0ADMIN>) may page it.",
    );
    const team = await oncall(h, "U01BBB", "page search disk full");
    expect(String(team.args.text)).toContain("Only members of Search, the participants of Merged on-call");
    expect(await h.app.alerts.openIds({ rotationId: "merged" })).toEqual([]);
  });

  it("posts a member's page with special mentions escaped, in the channel and the on-call DM", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const reply = await oncall(h, "U01BBB", "page merged <!channel> <!everyone> <@U03AAA> help & more");
    expect(String(reply.args.text)).toContain("Paged <@U02AAA>");
    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL" && Boolean(c.args.metadata),
    );
    const dm = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel !== "C0ONCALL" && Boolean(c.args.blocks),
    );
    for (const call of [page, dm]) {
      const all = `${String(call.args.text)}\n${JSON.stringify(call.args.blocks ?? [])}`;
      expect(all).toContain("&lt;!channel&gt; &lt;!everyone&gt; &lt;@U03AAA&gt; help &amp; more");
      expect(all).not.toContain("<!channel>");
      expect(all).not.toContain("<!everyone>");
      expect(all).not.toContain("<@U03AAA>");
    }
  });
});

describe("/incident declare, note and resolve", () => {
  const incident = (hh: Harness, user: string, text: string) =>
    slashCommand(hh, "/incident", user, text, { channel: "C0ONCALL" });

  it("refuses an outsider on every subcommand and lets a participant act", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const page = await pageAlert(h);
    const refused = await incident(h, "U0OUTSIDER", `declare Checkout is down <!channel> ${page.id}`);
    expect(String(refused.args.text)).toContain(
      "Only rotation participants and admins, members of Playback (the alerts' teams) may declare an incident.",
    );
    const declared = await incident(h, "U01AAA", `declare Checkout is down ${page.id}`);
    const id = /INC-\d+/.exec(String(declared.args.text))![0];
    const note = await incident(h, "U0OUTSIDER", `note ${id} <!everyone> look`);
    expect(String(note.args.text)).toContain("may write in this incident");
    const resolve = await incident(h, "U0OUTSIDER", `resolve ${id}`);
    expect(String(resolve.args.text)).toContain("may resolve this incident");
    // A member of the owning team may write in it.
    const ok = await incident(h, "U01CCC", `note ${id} rolled back`);
    expect(String(ok.args.text)).toContain(`Noted on ${id}'s timeline (1 note)`);
  });
});
