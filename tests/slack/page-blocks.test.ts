import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load";
import { type Alert, openAlert } from "../../src/domain/alert";
import { parseGenericAlert } from "../../src/intake/generic";
import { pageBlocks, pageButtons, pageText, unwrap } from "../../src/slack/blocks/page";
import { ORG_DIR } from "../support/harness";

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
    route: {
      rotationId: "merged",
      serviceId: "stream-api",
      teamId: "playback",
      unrouted: false,
      ejected: false,
      channel: "C0ONCALL",
      oncallUser: "U02AAA",
    },
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
