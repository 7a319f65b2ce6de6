import { describe, expect, it } from "vitest";
import { checkBlocks, checkView } from "../../../sandbox/slack-blocks-check";
import type { Alert } from "../../../src/core/alert";
import { escalationDm, repageDm, teamPost } from "../../../src/features/escalation/blocks";
import { escalateModal } from "../../../src/features/escalation/modal";
import { pageButtons } from "../../../src/features/paging/blocks";
import { streamApiAlert } from "../../support/alerts";
import { ORG as config, WEDNESDAY as NOW, orgTeam } from "../../support/org";

const playback = orgTeam("playback");

const alert = (patch: Partial<Alert> = {}) => streamApiAlert(patch, NOW);

const ids = (blocks: unknown) => JSON.stringify(blocks).match(/"action_id":"[^"]+"/g) ?? [];
const escalation = { by: "U02AAA", reason: "The problem is complex", at: NOW.toISOString() };

describe("page buttons per state", () => {
  const labels = (a: Alert) =>
    pageButtons(a, config)
      .map((b) => (b.text as { text: string }).text)
      .join(", ");
  it("offers everything while firing", () => {
    expect(labels(alert())).toBe("Acknowledge, Resolve, Hand to Playback, Escalate, Declare incident");
  });
  it("drops Acknowledge once someone has it, and hand-off once the team has it", () => {
    expect(labels(alert({ state: "acked", assignee: "U02AAA" }))).toBe(
      "Resolve, Hand to Playback, Escalate, Declare incident",
    );
    expect(labels(alert({ state: "handed_off", assignedTeam: "playback" }))).toBe(
      "Acknowledge, Resolve, Escalate, Declare incident",
    );
    expect(labels(alert({ state: "escalated", assignedTeam: "playback", escalation }))).toBe(
      "Acknowledge, Resolve, Declare incident",
    );
    expect(labels(alert({ state: "acked", assignee: "U01BBB", assignedTeam: "playback", escalation }))).toBe(
      "Resolve, Declare incident",
    );
  });
  it("leaves only incidents once resolved", () => {
    expect(labels(alert({ state: "resolved" }))).toBe("Declare incident");
  });
});

describe("broadcast blocks", () => {
  const escalated = alert({ state: "escalated", assignedTeam: "playback", escalation });

  it("gives each member a DM with the reason and an Acknowledge button, valid for Slack", () => {
    const dm = escalationDm(escalated, config, "U01BBB", "https://slack.example/p1");
    expect(checkBlocks(dm.blocks, "message")).toEqual([]);
    expect(JSON.stringify(dm.blocks)).toContain("*Why:* The problem is complex");
    expect(JSON.stringify(dm.blocks)).toContain("<https://slack.example/p1|Open the page>");
    expect(ids(dm.blocks)).toEqual(['"action_id":"alert.ack"']);
  });

  it("says who took it once someone has, personally to the one who did", () => {
    const taken = { ...escalated, state: "acked" as const, assignee: "U01BBB" };
    expect(JSON.stringify(escalationDm(taken, config, "U01AAA", null).blocks)).toContain(
      "Acknowledged by <@U01BBB>",
    );
    expect(JSON.stringify(escalationDm(taken, config, "U01BBB", null).blocks)).toContain("You acknowledged");
    expect(ids(escalationDm(taken, config, "U01AAA", null).blocks)).toEqual([]);
  });

  it("mentions every member in the team post", () => {
    for (const kind of ["handoff", "escalation"] as const) {
      const post = teamPost(escalated, config, playback, kind, "U02AAA", null);
      expect(checkBlocks(post.blocks, "message")).toEqual([]);
      expect(post.text).toContain("<@U01AAA> <@U01BBB> <@U01CCC>");
    }
    expect(teamPost(escalated, config, playback, "escalation", "bot", null).text).toContain("Escalated to");
    expect(JSON.stringify(teamPost(escalated, config, playback, "escalation", "bot", null).blocks)).toContain(
      "The escalation timer escalated",
    );
  });

  it("tells the on-call engineer what comes after a re-page", () => {
    expect(repageDm(alert(), config, 1, 2, null).text).toContain("re-page 1 of 2");
    expect(JSON.stringify(repageDm(alert(), config, 2, 2, null).blocks)).toContain(
      "escalates to the owning team",
    );
  });

  it("builds an Escalate modal Slack accepts", () => {
    const view = escalateModal(alert(), config, playback);
    expect(checkView(view, "modal")).toEqual([]);
    expect(view.callback_id).toBe("alert.escalate");
  });
});

describe("alert text in broadcasts", () => {
  const hostile = alert({
    name: "Disk<!channel>",
    commonAnnotations: { summary: "<!here> ask <@U0ADMIN> & <https://evil.example|click>" },
    state: "escalated",
    assignedTeam: "playback",
    escalation,
  });
  const raw = ["<!channel>", "<!here>", "<@U0ADMIN>", "<https://evil"];
  const mrkdwnOf = (m: { text: string; blocks: unknown[] }) =>
    JSON.stringify([m.text, ...m.blocks.filter((b) => (b as { type: string }).type !== "header")]);

  it("escapes the alert's name and summary in the team post, the DMs and the re-page", () => {
    for (const msg of [
      teamPost(hostile, config, playback, "escalation", "U02AAA", null),
      teamPost(hostile, config, playback, "handoff", "U02AAA", null),
      escalationDm(hostile, config, "U01AAA", null),
      repageDm(hostile, config, 1, 2, null),
    ]) {
      const t = mrkdwnOf(msg);
      for (const r of raw) expect(t).not.toContain(r);
      expect(t).toContain("Disk&lt;!channel&gt;");
      expect(checkBlocks(msg.blocks, "message")).toEqual([]);
    }
    expect(JSON.stringify(teamPost(hostile, config, playback, "handoff", "U02AAA", null).blocks)).toContain(
      "&lt;!here&gt; ask &lt;@U0ADMIN&gt; &amp; &lt;https://evil.example|click&gt;",
    );
  });

  it("escapes the alert's name in the Escalate modal", () => {
    const view = escalateModal(hostile, config, playback);
    expect(JSON.stringify(view)).not.toContain("<!channel>");
    expect(JSON.stringify(view)).toContain("Disk&lt;!channel&gt;");
  });

  it("keeps the fallback text of a huge alert under Slack's limit", () => {
    const huge = alert({
      name: "x".repeat(50_000),
      state: "escalated",
      assignedTeam: "playback",
      escalation,
    });
    expect(escalationDm(huge, config, "U01AAA", null).text.length).toBeLessThanOrEqual(40_000);
    expect(teamPost(huge, config, playback, "handoff", "U02AAA", null).text.length).toBeLessThanOrEqual(
      40_000,
    );
    expect(repageDm(huge, config, 1, 2, null).text.length).toBeLessThanOrEqual(40_000);
  });
});
