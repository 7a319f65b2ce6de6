import { describe, expect, it } from "vitest";
import type { AlertRoute } from "../../../src/core/alert";
import {
  admission,
  DEFAULT_STORM,
  NO_SERVICE,
  pageOf,
  type SummaryAlert,
  stormState,
  summarise,
  topN,
} from "../../../src/features/storm/rules";

const route = (serviceId: string | null): AlertRoute => ({
  rotationId: "merged",
  serviceId,
  teamId: null,
  unrouted: serviceId === null,
  ejected: false,
  channel: "C0ONCALL",
  oncallUser: "U01AAA",
});

const alert = (name: string, service: string | null, patch: Partial<SummaryAlert> = {}): SummaryAlert => ({
  name,
  state: "firing",
  assignee: null,
  assignedTeam: null,
  route: route(service),
  ...patch,
});

describe("admission", () => {
  it("pages up to the threshold, opens a storm past it, folds while one is open", () => {
    expect(admission(false, DEFAULT_STORM.threshold, DEFAULT_STORM)).toBe("page");
    expect(admission(false, DEFAULT_STORM.threshold + 1, DEFAULT_STORM)).toBe("open");
    expect(admission(true, 1, DEFAULT_STORM)).toBe("fold");
  });
});

describe("stormState", () => {
  it("counts taken alerts as acknowledged, whoever took them", () => {
    expect(stormState(alert("A", null))).toBe("firing");
    expect(stormState(alert("A", null, { state: "acked", assignee: "U01AAA" }))).toBe("acknowledged");
    expect(stormState(alert("A", null, { state: "handed_off", assignedTeam: "search" }))).toBe(
      "acknowledged",
    );
    expect(stormState(alert("A", null, { state: "resolved", assignee: "U01AAA" }))).toBe("resolved");
  });
});

describe("topN", () => {
  it("lists the largest counts, ties by key, and sums the rest", () => {
    const t = topN(["b", "a", "b", "c", "d", "a", "b", "e"], 2);
    expect(t.entries).toEqual([
      { key: "b", count: 3 },
      { key: "a", count: 2 },
    ]);
    expect(t).toMatchObject({ otherKeys: 3, otherCount: 3 });
  });

  it("has no rest when everything fits", () => {
    expect(topN(["a"], 5)).toEqual({ entries: [{ key: "a", count: 1 }], otherKeys: 0, otherCount: 0 });
  });
});

describe("summarise", () => {
  it("counts states, names and services; closed only once every alert resolved", () => {
    const alerts = [
      alert("Disk", "search-api"),
      alert("Disk", "checkout", { state: "acked", assignee: "U02AAA" }),
      alert("Latency", null, { state: "resolved" }),
    ];
    const s = summarise(alerts, 5);
    expect(s).toMatchObject({ alerts: 3, firing: 1, acknowledged: 1, resolved: 1, closed: false });
    expect(s.byName.entries).toEqual([
      { key: "Disk", count: 2 },
      { key: "Latency", count: 1 },
    ]);
    expect(s.byService.entries.map((e) => e.key)).toEqual([NO_SERVICE, "checkout", "search-api"]);
    expect(summarise([alert("A", null, { state: "resolved" })], 5).closed).toBe(true);
    expect(summarise([], 5).closed).toBe(false);
  });
});

describe("pageOf", () => {
  it("pages a list and clamps the page asked for", () => {
    const items = Array.from({ length: 45 }, (_, i) => i);
    expect(pageOf(items, 0, 20)).toMatchObject({ page: 0, pages: 3, items: items.slice(0, 20) });
    expect(pageOf(items, 2, 20).items).toEqual([40, 41, 42, 43, 44]);
    expect(pageOf(items, 9, 20).page).toBe(2);
    expect(pageOf([], 0, 20)).toMatchObject({ page: 0, pages: 1, items: [] });
  });
});
