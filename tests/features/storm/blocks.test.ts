import { describe, expect, it } from "vitest";
import {
  digestMessage,
  MODAL_PAGE_SIZE,
  type StormView,
  stormMark,
  stormModal,
  stormNote,
} from "../../../src/features/storm/blocks";
import { pageOf, summarise } from "../../../src/features/storm/rules";
import { streamApiAlert } from "../../support/alerts";

const NOW = new Date("2026-11-25T10:00:00Z");

function alerts(n: number) {
  return Array.from({ length: n }, (_, i) => {
    const a = streamApiAlert({}, NOW);
    return {
      ...a,
      id: `g${i}-1`,
      name: `Alert${i % 8}`,
      route: { ...a.route, serviceId: `svc-${i % 7}` },
      ...(i % 4 === 0 ? { state: "acked" as const, assignee: "U02AAA" } : {}),
    };
  });
}

function view(n: number, closedAt: string | null = null): StormView {
  return {
    id: "C0ONCALL-1",
    channel: "C0ONCALL",
    openedAt: NOW.toISOString(),
    oncall: "U01AAA",
    closedAt,
    summary: summarise(alerts(n), 5),
  };
}

const text = (blocks: readonly unknown[]) => JSON.stringify(blocks);

describe("digestMessage", () => {
  it("counts by name and service (top 5, the rest summed), states, and mentions on-call once", () => {
    const m = digestMessage(view(40));
    const t = text(m.blocks);
    expect(t).toContain("40 alerts");
    expect(t).toContain("30 firing · 10 acknowledged · 0 resolved");
    expect(t).toContain("3 other alerts: 15");
    expect(t).toContain("2 other services: 10");
    expect(t.match(/<@U01AAA>/g)).toHaveLength(1);
    expect(t).toContain('"action_id":"storm.ack"');
    expect(t).toContain('"value":"C0ONCALL-1"');
    expect(t).toContain('"action_id":"storm.show"');
  });

  it("shows a closed storm without Acknowledge all", () => {
    const m = digestMessage(view(3, "2026-11-25T10:30:00Z"));
    expect(m.text).toContain("Alert storm over");
    expect(text(m.blocks)).not.toContain("storm.ack");
    expect(text(m.blocks)).toContain("storm.show");
  });

  it("escapes alert names", () => {
    const v = view(1);
    const m = digestMessage({
      ...v,
      summary: {
        ...v.summary,
        byName: { entries: [{ key: "<!channel>", count: 1 }], otherKeys: 0, otherCount: 0 },
      },
    });
    expect(text(m.blocks)).not.toContain("<!channel>");
    expect(text(m.blocks)).toContain("&lt;!channel&gt;");
  });

  it("carries the counts in its metadata", () => {
    expect(stormMark(view(40))).toEqual({
      event_type: "oncall_storm",
      event_payload: { storm_id: "C0ONCALL-1", alerts: 40, firing: 30, acknowledged: 10 },
    });
  });
});

describe("stormModal", () => {
  it("pages the alerts under Slack's 100-block limit, with next and previous", () => {
    const list = alerts(45);
    const first = stormModal(view(45), pageOf(list, 0, MODAL_PAGE_SIZE));
    expect(first.blocks.length).toBeLessThan(100);
    expect(text(first.blocks)).toContain("storm.page.next");
    expect(text(first.blocks)).not.toContain("storm.page.prev");
    expect(JSON.parse(first.private_metadata!)).toEqual({ storm: "C0ONCALL-1", page: 0 });
    const last = stormModal(view(45), pageOf(list, 2, MODAL_PAGE_SIZE), "No.");
    expect(text(last.blocks)).toContain("storm.page.prev");
    expect(text(last.blocks)).not.toContain("storm.page.next");
    expect(text(last.blocks)).toContain(":warning: No.");
  });

  it("offers Acknowledge only on firing alerts, Open as its own page on every unresolved one", () => {
    const m = stormModal(view(4), pageOf(alerts(4), 0, MODAL_PAGE_SIZE));
    const t = text(m.blocks);
    expect(t.match(/storm\.alert\.ack/g)).toHaveLength(3);
    expect(t.match(/storm\.alert\.page/g)).toHaveLength(4);
  });
});

describe("stormNote", () => {
  it("summarises the storm in one note", () => {
    const n = stormNote(view(10, "2026-11-25T10:30:00Z"));
    expect(n.text).toContain("Storm over: 10 alerts");
    expect(n.text).toContain("Alert0 (2)");
  });
});
