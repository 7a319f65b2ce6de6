import { describe, expect, it } from "vitest";
import { checkBlocks } from "../../../sandbox/slack-blocks-check";
import { loadConfig } from "../../../src/config/load";
import { type Alert, openAlert } from "../../../src/core/alert";
import { pageBlocks, pageButtons, pageText, unwrap } from "../../../src/features/paging/blocks";
import { parseGenericAlert } from "../../../src/features/paging/intake/generic";
import { STREAM_API_ROUTE } from "../../support/alerts";
import { ORG_DIR } from "../../support/harness";

const config = loadConfig(ORG_DIR);
const ctx = { config, runbookBaseUrl: "https://git.example/cfg/blob/main" };

function alert(name = "HighErrorRate", patch: Partial<Alert> = {}): Alert {
  const group = parseGenericAlert({
    name,
    status: "firing",
    labels: { job: "stream-api", instance: "api-1" },
    annotations: { summary: "5xx above 5%" },
  });
  const opened = openAlert({
    group,
    occurrence: 1,
    previousId: null,
    route: STREAM_API_ROUTE,
    hasRunbook: (n) => n in config.runbooks,
    now: new Date("2026-11-25T10:00:00Z"),
  }).alert;
  return { ...opened, ...patch };
}

const actionIds = (a: Alert) => pageButtons(a, config).map((b) => b.action_id);
const text = (a: Alert) => JSON.stringify(pageBlocks(a, ctx));

describe("the page", () => {
  it("heads with state mark, alert, service and team, and mentions the on-call engineer", () => {
    const blocks = pageBlocks(alert(), ctx);
    expect(blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "🔴 HighErrorRate · stream-api (Playback)", emoji: true },
    });
    expect(text(alert())).toContain("On call: <@U02AAA>");
    expect(text(alert())).toContain("1 of 1 instances firing");
    expect(pageText(alert(), config)).toBe("🔴 HighErrorRate · stream-api (Playback): 5xx above 5%");
  });

  it("says since when, as Slack dates each reader sees in their own zone, with UTC as the fallback", () => {
    const acked = alert("HighErrorRate", {
      state: "acked",
      assignee: "U02AAA",
      updatedAt: "2026-11-25T10:07:00.000Z",
    });
    expect(pageBlocks(acked, ctx)[2]).toEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text:
            "Assignee: <@U02AAA> · acknowledged since <!date^1795601220^{date_short_pretty} {time}|2026-11-25 10:07 UTC>" +
            " · first fired <!date^1795600800^{date_short_pretty} {time}|2026-11-25 10:00 UTC> · 1 of 1 instances firing",
        },
      ],
    });
  });

  it("shows the runbook's context and meaning with a link to the file", () => {
    const t = text(alert());
    expect(t).toContain("*Context:* stream-api serves manifests and segments to every player.");
    expect(t).toContain("<https://git.example/cfg/blob/main/runbooks/HighErrorRate.md|Full runbook>");
    expect(t).not.toContain("No runbook entry");
  });

  it("warns, naming the file to add, when the alert has no runbook entry", () => {
    expect(text(alert("DiskFull"))).toContain(
      "⚠ No runbook entry for *DiskFull* — add `runbooks/DiskFull.md`",
    );
  });

  it("offers the buttons that make sense in each state", () => {
    expect(actionIds(alert())).toEqual([
      "alert.ack",
      "alert.resolve",
      "alert.handoff",
      "alert.escalate",
      "alert.incident",
    ]);
    expect(actionIds(alert("HighErrorRate", { state: "acked", assignee: "U01AAA" }))).not.toContain(
      "alert.ack",
    );
    expect(
      actionIds(
        alert("HighErrorRate", {
          state: "escalated",
          assignedTeam: "playback",
          escalation: { by: "U02AAA", reason: "complex", at: "2026-11-25T10:05:00Z" },
        }),
      ),
    ).not.toContain("alert.escalate");
    expect(actionIds(alert("HighErrorRate", { state: "resolved" }))).toEqual(["alert.incident"]);
    for (const b of pageButtons(alert(), config)) expect(b.value).toBe(alert().id);
  });

  it("joins hard-wrapped runbook lines but keeps paragraphs and lists", () => {
    expect(unwrap("one\ntwo\n\nthree\n- a\n- b")).toBe("one two\n\nthree\n- a\n- b");
  });
});

describe("the page with hostile or huge alert text", () => {
  const ping = "<!channel> call <@U0ADMIN> now & <https://evil.example|here>";

  function hostile(): Alert {
    const group = parseGenericAlert({
      name: "Boom<!here>",
      status: "firing",
      labels: { job: "stream-api", instance: "<!everyone>", severity: "<!channel>" },
      annotations: { summary: ping },
    });
    return openAlert({
      group,
      occurrence: 1,
      previousId: null,
      route: alert().route,
      hasRunbook: () => false,
      now: new Date("2026-11-25T10:00:00Z"),
    }).alert;
  }

  it("escapes labels and annotations, so they ping and link nobody", () => {
    const a = hostile();
    // Only mrkdwn is parsed for mentions and links; the header is plain text (checked below).
    const t = JSON.stringify(pageBlocks(a, ctx).slice(1));
    for (const mention of ["<!channel>", "<!here>", "<!everyone>", "<@U0ADMIN>", "<https://evil"]) {
      expect(t).not.toContain(mention);
      expect(pageText(a, config)).not.toContain(mention);
    }
    expect(t).toContain("&lt;!channel&gt; call &lt;@U0ADMIN&gt; now &amp; &lt;https://evil.example|here&gt;");
    expect(t).toContain("severity *&lt;!channel&gt;*");
    expect(t).toContain("No runbook entry for *Boom&lt;!here&gt;*");
    // The header is plain text: Slack shows it as is and parses nothing in it.
    expect(pageBlocks(a, ctx)[0]).toMatchObject({
      text: { type: "plain_text", text: expect.stringContaining("Boom<!here>") },
    });
  });

  it("escapes a page typed with /oncall page: its mentions ping nobody, Slack's own escapes stay single", () => {
    const manual = alert("ManualPage", {
      source: "manual",
      commonAnnotations: { summary: "ask <@U01AAA> about the CDN <!channel> &amp; &lt;b&gt;" },
    });
    expect(text(manual)).toContain("ask &lt;@U01AAA&gt; about the CDN &lt;!channel&gt; &amp; &lt;b&gt;");
    expect(text(manual)).not.toContain("<@U01AAA>");
  });

  it("stays within Slack's limits for a group of many alert names and megabyte labels", () => {
    const huge = "<".repeat(100_000);
    const group = parseGenericAlert({
      name: "A0",
      status: "firing",
      labels: { job: "stream-api", instance: huge, severity: huge },
      annotations: { summary: huge },
    });
    const base = openAlert({
      group,
      occurrence: 1,
      previousId: "0123456789abcdef-1",
      route: alert().route,
      hasRunbook: (n) => n in config.runbooks,
      now: new Date("2026-11-25T10:00:00Z"),
    }).alert;
    const names = [
      "HighErrorRate",
      ...Array.from({ length: 60 }, (_, i) => `Unknown${i}${huge.slice(0, 5000)}`),
    ];
    const instances = names.map((name, i) => ({
      ...base.instances[0]!,
      fingerprint: `fp${i}`,
      labels: { ...base.instances[0]!.labels, alertname: name },
    }));
    const many: Alert = {
      ...base,
      instances,
      missingRunbooks: names.filter((n) => !(n in config.runbooks)),
    };
    const blocks = pageBlocks(many, ctx);
    expect(checkBlocks(blocks, "message")).toEqual([]);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(text(many)).toContain("No runbook entry either for");
    expect(pageText(many, config).length).toBeLessThanOrEqual(40_000);
  });

  it("keeps a long team name's hand-off button within Slack's 75 characters", () => {
    const longName = {
      ...config,
      teams: config.teams.map((t) => ({ ...t, name: `${t.name} ${"x".repeat(90)}` })),
    };
    const blocks = pageBlocks(alert(), { ...ctx, config: longName });
    expect(checkBlocks(blocks, "message")).toEqual([]);
  });
});

describe("a page of many instances", () => {
  it("counts every instance and says how many more there are than it lists", () => {
    const group = parseGenericAlert({ name: "HighErrorRate", status: "firing", labels: { instance: "x" } });
    const instances = Array.from({ length: 120 }, (_, i) => ({
      ...group.instances[0]!,
      fingerprint: i.toString(16).padStart(16, "0"),
      labels: { ...group.instances[0]!.labels, instance: `api-${i}` },
    }));
    const many = openAlert({
      group: { ...group, instances },
      occurrence: 1,
      previousId: null,
      route: STREAM_API_ROUTE,
      hasRunbook: () => true,
      now: new Date("2026-11-25T10:00:00Z"),
      instanceLimit: 50,
    }).alert;
    expect(many.instances).toHaveLength(50);
    const t = text(many);
    expect(t).toContain("120 of 120 instances firing");
    expect(t).toContain("api-0, api-1, api-2, api-3, api-4 and 115 more");
    expect(t).toContain("70 older instances not listed: the alert keeps the 50 most recent in full");
  });
});
