import { describe, expect, it } from "vitest";
import type { AlertEvent } from "../../../src/core/alert";
import { declareIncident, type Incident } from "../../../src/features/incidents/incident";
import {
  incidentTimeline,
  type ParsedForm,
  type Postmortem,
  type PostmortemForm,
  parseActionItems,
  parsePostmortemForm,
  parseUsersAffected,
  postmortemMarkdown,
  slackToMarkdown,
  writePostmortem,
} from "../../../src/features/incidents/postmortem";
import { POSTMORTEM_FULL_TEXT } from "../../support/incidents";

function form(over: Partial<PostmortemForm> = {}): PostmortemForm {
  return {
    text: POSTMORTEM_FULL_TEXT,
    actionItems: "<@U01AAA>: order migrations before code\n- Payments team: add a canary",
    nearMiss: false,
    usersAffected: "1,200",
    ...over,
  };
}

function parsed(f: PostmortemForm = form()): Extract<ParsedForm, { ok: true }> {
  const p = parsePostmortemForm(f);
  if (!p.ok) throw new Error(JSON.stringify(p.errors));
  return p;
}

/** INC-3's postmortem as `user` writes it at `at` over `prev`, from the full form with `patch`. */
function writeInc3(prev: Postmortem | null, user: string, at: string, patch: Partial<PostmortemForm> = {}) {
  return writePostmortem(prev, "INC-3", parsed(form(patch)), user, new Date(at));
}

const event = (at: string, text: string, type: AlertEvent["type"] = "note"): AlertEvent => ({
  at,
  type,
  actor: "U02AAA",
  text,
  thread: true,
});

function resolvedIncident(): Incident {
  const i = declareIncident({
    number: 3,
    title: "Checkout fails for EU users",
    severity: "sev1",
    declaredBy: "U01AAA",
    alerts: [{ id: "abcdef01-1", createdAt: "2026-11-25T10:00:00.000Z" }],
    now: new Date("2026-11-25T10:10:00Z"),
  });
  return {
    ...i,
    status: "resolved",
    resolvedAt: "2026-11-25T10:47:00.000Z",
    resolvedBy: "U02AAA",
    usersAffected: 1200,
    notes: [
      { at: "2026-11-25T10:20:00.000Z", author: "U02AAA", text: "rolling back to v41" },
      { at: "2026-11-25T10:00:00.000Z", author: "U01AAA", text: "same second as the page" },
    ],
  };
}

describe("action items", () => {
  it("reads one per line as owner: item, bullets and mentions included", () => {
    expect(
      parseActionItems(
        "- <@U01AAA|alice>: order migrations\n\n* @U02AAA: add canary\n1. Payments: runbook for v42\n[ ] bob: dashboards",
      ),
    ).toEqual({
      items: [
        { owner: "<@U01AAA>", text: "order migrations" },
        { owner: "<@U02AAA>", text: "add canary" },
        { owner: "Payments", text: "runbook for v42" },
        { owner: "bob", text: "dashboards" },
      ],
    });
  });

  it("names the line that lacks an owner", () => {
    const res = parseActionItems("alice: fine\nAdd a retry budget to the checkout client");
    expect(res).toEqual({
      error: expect.stringContaining('Line 2 ("Add a retry budget to the checkout clie…") needs an owner'),
    });
    expect(parseActionItems("https://example.com/ticket/1")).toHaveProperty("error");
    expect(parseActionItems("alice:")).toHaveProperty("error");
  });
});

describe("users affected", () => {
  it("reads whole numbers with separators and leaves empty as unknown", () => {
    expect(parseUsersAffected("1,200")).toBe(1200);
    expect(parseUsersAffected(" 12 000 ")).toBe(12000);
    expect(parseUsersAffected("")).toBeNull();
    expect(parseUsersAffected(null)).toBeNull();
    expect(parseUsersAffected("about 40")).toEqual({
      error: expect.stringContaining('"about 40" is not a number'),
    });
  });
});

describe("the form", () => {
  it("accepts a complete form with the optional fields empty", () => {
    const p = parsed(form({ text: { ...POSTMORTEM_FULL_TEXT, wentWell: "", gotLucky: undefined } }));
    expect(p.fields.wentWell).toBe("");
    expect(p.fields.gotLucky).toBe("");
    expect(p.usersAffected).toBe(1200);
    expect(p.actionItems).toHaveLength(2);
  });

  it("reports every problem at once, keyed by field", () => {
    const res = parsePostmortemForm({
      text: { ...POSTMORTEM_FULL_TEXT, summary: "  ", rootCauses: undefined, trigger: "x".repeat(3001) },
      actionItems: "",
      nearMiss: true,
      usersAffected: "many",
    });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(Object.keys(res.errors).sort()).toEqual([
      "actionItems",
      "rootCauses",
      "summary",
      "trigger",
      "usersAffected",
    ]);
    expect(res.errors.summary).toMatch(/^Fill in "Summary"/);
    expect(res.errors.rootCauses).toMatch(/not people/);
    expect(res.errors.trigger).toMatch(/3001 characters/);
    expect(res.errors.actionItems).toMatch(/at least one action item/);
  });

  it("versions edits and keeps who wrote it first", () => {
    const first = writeInc3(null, "U01AAA", "2026-11-26T09:00:00Z");
    expect(first).toMatchObject({ version: 1, createdBy: "U01AAA", updatedBy: "U01AAA", nearMiss: false });
    const second = writeInc3(first, "U02AAA", "2026-11-27T09:00:00Z", { nearMiss: true });
    expect(second).toMatchObject({
      version: 2,
      createdBy: "U01AAA",
      createdAt: "2026-11-26T09:00:00.000Z",
      updatedBy: "U02AAA",
      updatedAt: "2026-11-27T09:00:00.000Z",
      nearMiss: true,
    });
  });
});

describe("the timeline", () => {
  it("merges alert events, the declaration, notes and the resolution by time; ties keep source order", () => {
    const incident = resolvedIncident();
    const timeline = incidentTimeline(incident, [
      {
        alertId: "abcdef01-1",
        alertName: "HighErrorRate",
        events: [
          event("2026-11-25T10:00:00.000Z", "Paged <@U02AAA>", "opened"),
          event("2026-11-25T10:03:00.000Z", "<@U02AAA> acknowledged", "acked"),
          // The thread's echo of the declaration: said once, by the incident.
          event("2026-11-25T10:10:00.000Z", "<@U01AAA> declared INC-3 (SEV1): Checkout fails for EU users"),
          event("2026-11-25T10:45:00.000Z", "Resolved: all 2 instances have resolved", "resolved"),
        ],
      },
      {
        alertId: "abcdef02-1",
        alertName: "CheckoutLatency",
        events: [event("2026-11-25T10:01:00.000Z", "Paged <@U02AAA>", "opened")],
      },
    ]);
    expect(timeline.map((e) => [e.at.slice(11, 19), e.source, e.text])).toEqual([
      ["10:00:00", "HighErrorRate", "Paged <@U02AAA>"],
      ["10:00:00", "INC-3", "<@U01AAA>: same second as the page"],
      ["10:01:00", "CheckoutLatency", "Paged <@U02AAA>"],
      ["10:03:00", "HighErrorRate", "<@U02AAA> acknowledged"],
      ["10:10:00", "INC-3", "<@U01AAA> declared INC-3 (SEV1): Checkout fails for EU users"],
      ["10:20:00", "INC-3", "<@U02AAA>: rolling back to v41"],
      ["10:45:00", "HighErrorRate", "Resolved: all 2 instances have resolved"],
      ["10:47:00", "INC-3", "<@U02AAA> resolved INC-3"],
    ]);
  });
});

describe("Markdown", () => {
  it("turns Slack markup into Markdown", () => {
    expect(
      slackToMarkdown(
        "<@U01AAA> in <#C0ONCALL> at <!date^1764064980^{time}|10:03 UTC>: <https://x.example/a|dashboard> <https://y.example>",
        {
          U01AAA: "alice",
        },
      ),
    ).toBe("@alice in #C0ONCALL at 10:03 UTC: [dashboard](https://x.example/a) https://y.example");
    expect(slackToMarkdown("<@U09ZZZ>")).toBe("@U09ZZZ");
  });

  it("exports every template section, the facts and the timeline in order", () => {
    const incident = resolvedIncident();
    const pm = writeInc3(null, "U01AAA", "2026-11-26T09:00:00Z");
    const md = postmortemMarkdown({
      incident,
      postmortem: pm,
      timeline: incidentTimeline(incident, [
        {
          alertId: "abcdef01-1",
          alertName: "HighErrorRate",
          events: [event("2026-11-25T10:00:00.000Z", "Paged <@U02AAA>")],
        },
      ]),
      alerts: [{ id: "abcdef01-1", name: "HighErrorRate" }],
      now: new Date("2026-11-30T00:00:00Z"),
      names: { U01AAA: "alice", U02AAA: "bob" },
    });
    expect(md.startsWith("# INC-3: Checkout fails for EU users\n")).toBe(true);
    for (const line of [
      "| Severity | SEV1 |",
      "| Near miss | no |",
      "| Duration | 47m |",
      "| Users affected | 1200 |",
      "| Owner | @alice |",
      "| Resolved | 2026-11-25 10:47:00 UTC by @bob |",
      "| Linked alerts | HighErrorRate (`abcdef01-1`) |",
      "## Summary\n\nCheckout returned 500s for EU users.",
      "**Who:** EU shoppers could not pay.",
      "**How long:** 47m",
      "## Trigger\n\nDeploy v42 of checkout.",
      "## Root causes\n\nThe config migration ran after the new code.",
      "## Resolution\n\nRolled back to v41.",
      "## Detection\n\nHighErrorRate paged after 3 minutes.",
      "- [ ] order migrations before code — owner: @alice",
      "- [ ] add a canary — owner: Payments team",
      "### What went well\n\nRollback took 2 minutes.",
      "### What went wrong\n\n_Not filled in._",
      "### Where we got lucky\n\nIt was a quiet Wednesday.",
    ]) {
      expect(md).toContain(line);
    }
    const timeline = md.slice(md.indexOf("## Timeline"));
    const lines = timeline.split("\n").filter((l) => l.startsWith("- **"));
    expect(lines).toEqual([
      "- **2026-11-25 10:00:00 UTC** · HighErrorRate · Paged @bob",
      "- **2026-11-25 10:00:00 UTC** · INC-3 · @alice: same second as the page",
      "- **2026-11-25 10:10:00 UTC** · INC-3 · @alice declared INC-3 (SEV1): Checkout fails for EU users",
      "- **2026-11-25 10:20:00 UTC** · INC-3 · @bob: rolling back to v41",
      "- **2026-11-25 10:47:00 UTC** · INC-3 · @bob resolved INC-3",
    ]);
  });

  it("marks a near miss and escapes table cells", () => {
    const incident = { ...resolvedIncident(), title: "a | b" };
    const pm = writeInc3(null, "U01AAA", "2026-11-26T09:00:00Z", { nearMiss: true });
    const md = postmortemMarkdown({ incident, postmortem: pm, timeline: [], alerts: [], now: new Date() });
    expect(md).toContain("Near miss: nobody was hurt this time.");
    expect(md).toContain("| Near miss | yes |");
    expect(md).toContain("| Linked alerts | none |");
    expect(md).toContain("_Nothing recorded._");
  });
});
