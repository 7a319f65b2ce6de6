import { describe, expect, it } from "vitest";
import {
  applyNotification,
  instanceCounts,
  openAlert,
  parseAlertId,
  TRUNCATED_CAP,
} from "../../src/core/alert";
import { parseGenericAlert } from "../../src/features/paging/intake/generic";
import type { IncomingGroup } from "../../src/features/paging/intake/types";
import { STREAM_API_ROUTE } from "../support/alerts";

const NOW = new Date("2026-11-25T10:00:00Z");
const ROUTE = STREAM_API_ROUTE;

function group(
  instances: { instance: string; status: "firing" | "resolved"; name?: string }[],
): IncomingGroup {
  const parts = instances.map((i) =>
    parseGenericAlert({
      name: i.name ?? "HighErrorRate",
      status: i.status,
      labels: { job: "stream-api", instance: i.instance },
      group: "g1",
    }),
  );
  const first = parts[0]!;
  return {
    ...first,
    status: instances.some((i) => i.status === "firing") ? "firing" : "resolved",
    commonLabels: { alertname: "HighErrorRate", job: "stream-api" },
    instances: parts.flatMap((p) => p.instances),
  };
}

const open = (g: IncomingGroup, hasRunbook = (_: string) => true) =>
  openAlert({ group: g, occurrence: 1, previousId: null, route: ROUTE, hasRunbook, now: NOW }).alert;

describe("alert identity and notifications", () => {
  it("opens an occurrence whose id names the group and the occurrence", () => {
    const a = open(group([{ instance: "a", status: "firing" }]));
    expect(parseAlertId(a.id)).toEqual({ groupId: a.groupId, occurrence: 1 });
    expect(a.state).toBe("firing");
    expect(a.version).toBe(1);
  });

  it("opens a new occurrence only when a firing notification comes for a group with no open alert", () => {
    const g = group([{ instance: "a", status: "firing" }]);
    expect(applyNotification(null, g, NOW).kind).toBe("open");
    const resolvedOnly = group([{ instance: "a", status: "resolved" }]);
    expect(applyNotification(null, resolvedOnly, NOW).kind).toBe("ignore");
  });

  it("records joined, resolved and refired instances, and repeats only when nothing else changed", () => {
    const a = open(group([{ instance: "a", status: "firing" }]));
    const joined = applyNotification(
      a,
      group([
        { instance: "a", status: "firing" },
        { instance: "b", status: "firing" },
      ]),
      NOW,
    );
    if (joined.kind !== "update") throw new Error("expected update");
    expect(joined.events.map((e) => e.type)).toEqual(["instance_joined"]);
    expect(joined.alert.version).toBe(2);

    const repeat = applyNotification(joined.alert, group([{ instance: "a", status: "firing" }]), NOW);
    if (repeat.kind !== "update") throw new Error("expected update");
    expect(repeat.events.map((e) => [e.type, e.text])).toEqual([
      ["repeat", "Still firing: 2 of 2 instances"],
    ]);

    const oneResolved = applyNotification(repeat.alert, group([{ instance: "a", status: "resolved" }]), NOW);
    if (oneResolved.kind !== "update") throw new Error("expected update");
    expect(oneResolved.alert.state).toBe("firing");
    expect(oneResolved.events.map((e) => e.type)).toEqual(["instance_resolved"]);

    const refired = applyNotification(oneResolved.alert, group([{ instance: "a", status: "firing" }]), NOW);
    if (refired.kind !== "update") throw new Error("expected update");
    expect(refired.events.map((e) => e.type)).toEqual(["instance_refired"]);
  });

  it("resolves the alert when every instance has resolved, keeping the assignee's state until then", () => {
    const a = {
      ...open(group([{ instance: "a", status: "firing" }])),
      state: "acked" as const,
      assignee: "U01AAA",
    };
    const out = applyNotification(a, group([{ instance: "a", status: "resolved" }]), NOW);
    if (out.kind !== "update") throw new Error("expected update");
    expect(out.alert.state).toBe("resolved");
    expect(out.alert.resolvedBy).toBe("generic");
    expect(out.alert.resolvedAt).toBe(NOW.toISOString());
    expect(out.events.at(-1)?.type).toBe("resolved");
    // Once resolved, the next firing notification is a new occurrence.
    expect(applyNotification(out.alert, group([{ instance: "a", status: "firing" }]), NOW)).toMatchObject({
      kind: "open",
      previous: { id: a.id },
    });
  });

  it("lists alert names without a runbook, also for instances that join later", () => {
    const hasRunbook = (n: string) => n === "HighErrorRate";
    const a = open(group([{ instance: "a", status: "firing" }]), hasRunbook);
    expect(a.missingRunbooks).toEqual([]);
    const out = applyNotification(
      a,
      group([
        { instance: "a", status: "firing" },
        { instance: "b", status: "firing", name: "DiskFull" },
      ]),
      NOW,
      hasRunbook,
    );
    if (out.kind !== "update") throw new Error("expected update");
    expect(out.alert.missingRunbooks).toEqual(["DiskFull"]);
  });

  it("escapes instance labels in thread texts and caps long lists", () => {
    const a = open(group([{ instance: "a", status: "firing" }]));
    const many = Array.from({ length: 14 }, (_, i) => ({ instance: `n${i}`, status: "firing" as const }));
    const out = applyNotification(a, group([{ instance: "<!channel>", status: "firing" }, ...many]), NOW);
    if (out.kind !== "update") throw new Error("expected update");
    const text = out.events[0]!.text;
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toContain("<!channel>");
    expect(text).toMatch(/and 5 more$/);
  });
});

describe("the bounded instance list", () => {
  const named = (prefix: string, n: number, status: "firing" | "resolved") =>
    Array.from({ length: n }, (_, i) => ({ instance: `${prefix}-${i}`, status }));
  const LATER = new Date(NOW.getTime() + 60_000);
  const limited = (g: IncomingGroup, instanceLimit: number) =>
    openAlert({
      group: g,
      occurrence: 1,
      previousId: null,
      route: ROUTE,
      hasRunbook: () => true,
      now: NOW,
      instanceLimit,
    }).alert;

  it("keeps the most recent instances in full, firing ones first, and counts the rest", () => {
    const g = group([...named("old", 3, "resolved"), ...named("pod", 5, "firing")]);
    const a = limited(g, 4);
    expect(a.instances).toHaveLength(4);
    expect(a.instances.every((i) => i.status === "firing" && i.labels.instance?.startsWith("pod-"))).toBe(
      true,
    );
    expect(a.truncated?.firing).toHaveLength(1);
    expect(a.truncated?.resolved).toHaveLength(3);
    expect(instanceCounts(a)).toEqual({ firing: 5, total: 8, notKept: 4 });
  });

  it("knows an instance beyond the limit by its fingerprint: no second 'joined', and it can resolve the alert", () => {
    const g = group(named("pod", 5, "firing"));
    const a = limited(g, 2);
    const repeat = applyNotification(a, g, LATER, () => true, 2);
    expect(repeat.kind === "update" && repeat.events.map((e) => e.type)).toEqual(["repeat"]);
    // The source reports everything resolved: the three it no longer listed too.
    const done = group(named("pod", 5, "resolved"));
    const resolved = applyNotification(a, done, LATER, () => true, 2);
    if (resolved.kind !== "update") throw new Error(resolved.kind);
    expect(resolved.alert.state).toBe("resolved");
    expect(resolved.events.map((e) => e.text)).toContain("Resolved: all 5 instances have resolved");
    expect(instanceCounts(resolved.alert)).toEqual({ firing: 0, total: 5, notKept: 3 });
  });

  it("stays open while an instance it no longer lists still fires", () => {
    const g = group(named("pod", 3, "firing"));
    const a = limited(g, 1);
    const some = applyNotification(
      a,
      group([{ instance: "pod-0", status: "resolved" }]),
      LATER,
      () => true,
      1,
    );
    if (some.kind !== "update") throw new Error(some.kind);
    expect(some.alert.state).toBe("firing");
    expect(instanceCounts(some.alert)).toEqual({ firing: 2, total: 3, notKept: 2 });
    expect(some.alert.instances).toHaveLength(1);
  });

  it("forgets the oldest fingerprints past TRUNCATED_CAP", () => {
    const g = group(
      named("pod", TRUNCATED_CAP + 10, "resolved").concat([{ instance: "live", status: "firing" }]),
    );
    const a = limited(g, 1);
    expect(a.instances.map((i) => i.labels.instance)).toEqual(["live"]);
    expect(a.truncated?.resolved).toHaveLength(TRUNCATED_CAP);
  });

  it("reads an alert stored before the limit existed (no truncated field)", () => {
    const a = open(group(named("pod", 3, "firing")));
    const { truncated: _, ...legacy } = a;
    expect(instanceCounts(legacy)).toEqual({ firing: 3, total: 3, notKept: 0 });
    const next = applyNotification(legacy, group(named("pod", 3, "resolved")), LATER);
    expect(next.kind === "update" && next.alert.state).toBe("resolved");
  });
});
