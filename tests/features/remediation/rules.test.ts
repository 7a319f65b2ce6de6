import { describe, expect, it } from "vitest";
import { type Alert, applyNotification, openAlert } from "../../../src/core/alert";
import { acknowledge } from "../../../src/core/alert-actions";
import type { RemediationSpec, Runbook } from "../../../src/core/config";
import type { IncomingGroup, IncomingInstance } from "../../../src/features/paging/intake/types";
import {
  attemptsOf,
  attemptText,
  autoJobId,
  autoRuns,
  backoffAfter,
  DEFAULT_LOOP_GUARD,
  describeInstance,
  failureDmText,
  fingerprintToken,
  finishRun,
  formatWindow,
  loopGuardDecision,
  loopGuardText,
  manualJobId,
  manualRuns,
  remediationAlert,
  retryText,
  startRun,
  successText,
  targetResolved,
  timeoutOf,
} from "../../../src/features/remediation/rules";
import { STREAM_API_ROUTE } from "../../support/alerts";
import { WEDNESDAY as NOW } from "../../support/org";
import { runbook } from "../../support/runbooks";

const LATER = new Date("2026-11-25T10:01:00Z");

function instance(fp: string, labels: Record<string, string> = {}, status: "firing" | "resolved" = "firing") {
  return {
    fingerprint: fp,
    status,
    labels: { alertname: "PodCrashLooping", job: "stream-api", pod: `pod-${fp}`, ...labels },
    annotations: { summary: `pod-${fp} restarts` },
    startsAt: NOW.toISOString(),
    endsAt: null,
    generatorUrl: null,
    links: {},
  } satisfies IncomingInstance;
}

function group(instances: IncomingInstance[], name = "PodCrashLooping"): IncomingGroup {
  return {
    source: "alertmanager",
    groupKey: `{}:{alertname="${name}"}`,
    groupId: "0123456789abcdef0123",
    status: instances.some((i) => i.status === "firing") ? "firing" : "resolved",
    groupLabels: { alertname: name },
    commonLabels: { alertname: name, job: "stream-api" },
    commonAnnotations: {},
    externalUrl: null,
    instances,
    title: null,
    truncatedAlerts: 0,
  };
}

function open(instances: IncomingInstance[], name?: string, occurrence = 1): Alert {
  return openAlert({
    group: group(instances, name),
    occurrence,
    previousId: null,
    route: STREAM_API_ROUTE,
    hasRunbook: () => true,
    now: NOW,
  }).alert;
}

function spec(patch: Partial<RemediationSpec> = {}): RemediationSpec {
  return {
    handler: "http-request",
    params: { url: "http://127.0.0.1:9/flush" },
    auto: true,
    perInstance: false,
    retries: null,
    timeoutMs: null,
    ...patch,
  };
}

function runbooks(entries: Record<string, RemediationSpec | null>): Record<string, Runbook> {
  return Object.fromEntries(
    Object.entries(entries).map(([alert, remediation]) => [alert, runbook(alert, { remediation })]),
  );
}

function ok(t: ReturnType<typeof startRun>): { alert: Alert; texts: string[] } {
  if (!t.ok) throw new Error(`refused: ${t.reason}`);
  return { alert: t.alert, texts: t.events.map((e) => e.text) };
}

describe("which runs an alert calls for", () => {
  it("runs the group remediation automatically, once, with a job id naming alert and group", () => {
    const a = open([instance("aa01"), instance("aa02")]);
    const runs = autoRuns(a, runbooks({ PodCrashLooping: spec() }));
    expect(runs).toEqual([
      {
        jobId: `rem-${a.id}-auto-group`,
        alertId: a.id,
        runbook: "PodCrashLooping",
        handler: "http-request",
        fingerprint: null,
        source: "auto",
        requestedBy: null,
      },
    ]);
  });

  it("asks for the same job id when the same notification arrives again, and a new one for a new occurrence", () => {
    const books = runbooks({ PodCrashLooping: spec() });
    const first = open([instance("aa01")]);
    const repeat = applyNotification(first, group([instance("aa01")]), LATER);
    if (repeat.kind !== "update") throw new Error("expected an update");
    expect(autoRuns(repeat.alert, books).map((r) => r.jobId)).toEqual(
      autoRuns(first, books).map((r) => r.jobId),
    );
    const second = open([instance("aa01")], undefined, 2);
    expect(second.id).not.toBe(first.id);
    expect(autoRuns(second, books)[0]?.jobId).toBe(`rem-${second.id}-auto-group`);
  });

  it("runs nothing automatically without auto: true, without remediation, or once resolved", () => {
    const a = open([instance("aa01")]);
    expect(autoRuns(a, runbooks({ PodCrashLooping: spec({ auto: false }) }))).toEqual([]);
    expect(autoRuns(a, runbooks({ PodCrashLooping: null }))).toEqual([]);
    expect(autoRuns(a, runbooks({}))).toEqual([]);
    expect(autoRuns({ ...a, state: "resolved" }, runbooks({ PodCrashLooping: spec() }))).toEqual([]);
  });

  it("per instance: one run per firing instance, each keyed by its fingerprint; a joining instance adds one", () => {
    const books = runbooks({ PodCrashLooping: spec({ handler: "command", perInstance: true }) });
    const a = open([instance("aa01"), instance("aa02"), instance("aa03", {}, "resolved")]);
    expect(autoRuns(a, books).map((r) => [r.jobId, r.fingerprint])).toEqual([
      [`rem-${a.id}-auto-aa01`, "aa01"],
      [`rem-${a.id}-auto-aa02`, "aa02"],
    ]);
    const joined = applyNotification(a, group([instance("aa01"), instance("aa02"), instance("aa04")]), LATER);
    if (joined.kind !== "update") throw new Error("expected an update");
    expect(autoRuns(joined.alert, books).map((r) => r.jobId)).toEqual([
      `rem-${a.id}-auto-aa01`,
      `rem-${a.id}-auto-aa02`,
      `rem-${a.id}-auto-aa04`,
    ]);
  });

  it("takes each instance's own runbook where a group mixes alert names", () => {
    const a = open([instance("aa01"), instance("bb01", { alertname: "DiskFull" })]);
    const runs = autoRuns(
      a,
      runbooks({
        PodCrashLooping: spec({ perInstance: true }),
        DiskFull: spec({ handler: "command", perInstance: true }),
      }),
    );
    expect(runs.map((r) => [r.runbook, r.handler, r.fingerprint])).toEqual([
      ["PodCrashLooping", "http-request", "aa01"],
      ["DiskFull", "command", "bb01"],
    ]);
  });

  it("numbers manual runs, and runs them whether or not the runbook says auto", () => {
    const a = open([instance("aa01"), instance("aa02")]);
    expect(manualRuns(a, runbooks({ PodCrashLooping: spec({ auto: false }) }), 2, "U02AAA")).toEqual([
      {
        jobId: `rem-${a.id}-manual-2`,
        alertId: a.id,
        runbook: "PodCrashLooping",
        handler: "http-request",
        fingerprint: null,
        source: "manual",
        requestedBy: "U02AAA",
      },
    ]);
    const perInstance = manualRuns(
      a,
      runbooks({ PodCrashLooping: spec({ perInstance: true }) }),
      3,
      "U02AAA",
    );
    expect(perInstance.map((r) => r.jobId)).toEqual([
      `rem-${a.id}-manual-3-aa01`,
      `rem-${a.id}-manual-3-aa02`,
    ]);
  });

  it("keeps job ids free of ':' even for odd fingerprints from the generic webhook", () => {
    expect(fingerprintToken("5c3d6e1a9b0f4d27")).toBe("5c3d6e1a9b0f4d27");
    const odd = fingerprintToken("host:8080/disk");
    expect(odd).toMatch(/^h[0-9a-f]{16}$/);
    expect(fingerprintToken("host:8080/disk")).toBe(odd);
    expect(autoJobId("abc-1", "host:8080/disk")).not.toContain(":");
    expect(manualJobId("abc-1", 4, "a b:c")).not.toContain(":");
  });
});

describe("what a handler sees", () => {
  it("gets the common labels for a group run and the instance's own labels for a per-instance run", () => {
    const a = open([instance("aa01"), instance("aa02")]);
    expect(remediationAlert(a, null)).toMatchObject({
      id: a.id,
      fingerprint: null,
      labels: { alertname: "PodCrashLooping", job: "stream-api" },
    });
    expect(remediationAlert(a, "aa02")).toMatchObject({ fingerprint: "aa02", labels: { pod: "pod-aa02" } });
    expect(remediationAlert(a, "zz99")).toBeNull();
  });

  it("knows whether the run's target has resolved", () => {
    const a = open([instance("aa01"), instance("aa02", {}, "resolved")]);
    expect(targetResolved(a, null)).toBe(false);
    expect(targetResolved(a, "aa01")).toBe(false);
    expect(targetResolved(a, "aa02")).toBe(true);
    expect(targetResolved({ ...a, state: "resolved" }, "aa01")).toBe(true);
    expect(targetResolved(null, null)).toBe(true);
  });

  it("times out at the smaller of the handler's limit and the runbook's, and tries retries + 1 times", () => {
    expect(timeoutOf(10_000, { timeoutMs: null })).toBe(10_000);
    expect(timeoutOf(10_000, { timeoutMs: 2_000 })).toBe(2_000);
    expect(timeoutOf(10_000, { timeoutMs: 60_000 })).toBe(10_000);
    expect(attemptsOf({ retries: null })).toBe(3);
    expect(attemptsOf({ retries: 0 })).toBe(1);
    expect(backoffAfter(1)).toBe(1_000);
    expect(backoffAfter(3)).toBe(4_000);
  });
});

describe("loop guard", () => {
  const guard = DEFAULT_LOOP_GUARD;
  const minutes = (...ms: number[]) => ms.map((m) => NOW.getTime() - m * 60_000);

  it("allows three runs within an hour and refuses the fourth", () => {
    expect(loopGuardDecision([], NOW, guard)).toEqual({ allowed: true, count: 0 });
    expect(loopGuardDecision(minutes(50, 20), NOW, guard)).toEqual({ allowed: true, count: 2 });
    const refused = loopGuardDecision(minutes(50, 20, 5), NOW, guard);
    expect(refused.allowed).toBe(false);
    // The oldest run leaves the window ten minutes from now.
    if (!refused.allowed) expect(refused.retryAt.toISOString()).toBe("2026-11-25T10:10:00.000Z");
  });

  it("forgets runs older than the window", () => {
    expect(loopGuardDecision(minutes(120, 61, 60, 5), NOW, guard)).toEqual({ allowed: true, count: 1 });
  });

  it("says in the thread what stopped", () => {
    expect(loopGuardText("http-request", guard, null)).toBe(
      "⛔ Loop guard: http-request ran 3 times in 1h for this alert group; automation stopped",
    );
    expect(loopGuardText("command", { runs: 5, windowMs: 30 * 60_000 }, "pod-a")).toBe(
      "⛔ Loop guard: command ran 5 times in 30m for instance pod-a of this alert group; automation stopped",
    );
    expect(formatWindow(90_000)).toBe("90s");
  });
});

describe("remediating", () => {
  it("shows remediating while a run is in flight and returns to the earlier state after", () => {
    const a = open([instance("aa01")]);
    const started = ok(startRun(a, "rem-x-auto-group", NOW, "🛠 Running http-request (attempt 1 of 3)…"));
    expect(started.alert.state).toBe("remediating");
    expect(started.alert.remediating).toEqual({ runs: ["rem-x-auto-group"], priorState: "firing" });
    expect(started.texts).toEqual(["🛠 Running http-request (attempt 1 of 3)…"]);
    const done = ok(finishRun(started.alert, "rem-x-auto-group", LATER, ["✅ done"]));
    expect(done.alert.state).toBe("firing");
    expect(done.alert.remediating).toBeNull();
  });

  it("stays remediating until the last of several runs ends, and a repeated start changes nothing", () => {
    const a = { ...open([instance("aa01")]), state: "handed_off" as const };
    const one = ok(startRun(a, "r1", NOW, "1"));
    const two = ok(startRun(one.alert, "r2", NOW, "2"));
    const again = ok(startRun(two.alert, "r1", NOW, "attempt 2"));
    expect(again.alert.remediating).toEqual({ runs: ["r1", "r2"], priorState: "handed_off" });
    const oneLeft = ok(finishRun(again.alert, "r1", LATER, []));
    expect(oneLeft.alert.state).toBe("remediating");
    expect(ok(finishRun(oneLeft.alert, "r2", LATER, [])).alert.state).toBe("handed_off");
  });

  it("keeps a change made meanwhile: an acknowledgement or a resolution stands", () => {
    const started = ok(startRun(open([instance("aa01")]), "r1", NOW, "1")).alert;
    const acked = acknowledge(started, "U02AAA", NOW);
    if (!acked.ok) throw new Error(acked.reason);
    expect(ok(finishRun(acked.alert, "r1", LATER, [])).alert).toMatchObject({
      state: "acked",
      assignee: "U02AAA",
    });
    const resolved = { ...started, state: "resolved" as const };
    expect(ok(finishRun(resolved, "r1", LATER, ["✅"])).alert.state).toBe("resolved");
  });

  it("keeps an acknowledgement made during the run on a handed-off or escalated alert", () => {
    for (const state of ["handed_off", "escalated"] as const) {
      const before = { ...open([instance("aa01")]), state, assignedTeam: "playback" };
      const started = ok(startRun(before, "r1", NOW, "1")).alert;
      const acked = acknowledge(started, "U01BBB", NOW);
      if (!acked.ok) throw new Error(acked.reason);
      const outside = acknowledge(before, "U01BBB", NOW);
      if (!outside.ok) throw new Error(outside.reason);

      const done = ok(finishRun(acked.alert, "r1", LATER, [])).alert;
      expect(done).toMatchObject({ state: "acked", assignee: "U01BBB", remediating: null });
      expect(done.state).toBe(outside.alert.state);
    }
  });

  it("does not start on a resolved alert", () => {
    const t = startRun({ ...open([instance("aa01")]), state: "resolved" }, "r1", NOW, "1");
    expect(t.ok).toBe(false);
  });

  it("writes each attempt and its outcome for the thread", () => {
    const info = { handler: "http-request", attempt: 1, attempts: 3, instance: null, requestedBy: null };
    expect(attemptText(info)).toBe("🛠 Running http-request (attempt 1 of 3)…");
    expect(attemptText({ ...info, instance: "pod-a", requestedBy: "U02AAA" })).toBe(
      "🛠 Running http-request on pod-a (attempt 1 of 3, requested by <@U02AAA>)…",
    );
    expect(successText("http-request", null, "POST http://x/flush → 204 in 120 ms")).toBe(
      "✅ http-request: POST http://x/flush → 204 in 120 ms",
    );
    expect(retryText({ ...info, attempt: 2 }, "POST → 500")).toBe(
      "❌ http-request attempt 2 of 3 failed: POST → 500; retrying in 2s",
    );
  });
});

describe("instance names in remediation texts", () => {
  it("cut a 45,000-character instance label, so the thread reply and the failure DM stay within Slack's limits", () => {
    const name = describeInstance({ labels: { instance: "x".repeat(45_000) }, fingerprint: "f0" });
    expect(name.length).toBeLessThanOrEqual(200);
    expect(successText("restart-pod", name, "done").length).toBeLessThan(4_000);
    const dm = failureDmText({
      alertName: "HighErrorRate",
      handler: "restart-pod",
      instance: name,
      attempts: 3,
      outcome: "timed out",
      channel: "C0ONCALL",
    });
    expect(dm.length).toBeLessThan(4_000);
  });
});
