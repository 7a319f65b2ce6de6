import { describe, expect, it } from "vitest";
import type { Heartbeat } from "../../../src/core/config";
import {
  heartbeatOfAlert,
  heartbeatStatus,
  lastPingText,
  missedSummary,
} from "../../../src/features/heartbeats/rules";

const hb: Heartbeat = {
  name: "prometheus-prod",
  intervalMs: 300_000,
  graceMs: 60_000,
  target: { kind: "rotation", id: "merged" },
  alertname: "Watchdog",
};
const START = 1_000_000_000;

describe("heartbeatStatus", () => {
  it("is ok up to the last ping plus interval and grace, missed after", () => {
    const ping = START + 10_000;
    const at = (now: number) => heartbeatStatus(hb, ping, START, now);
    expect(at(ping + 360_000)).toEqual({ kind: "ok", lastPingAt: ping, dueBy: ping + 360_000 });
    expect(at(ping + 360_001)).toEqual({ kind: "missed", lastPingAt: ping, since: ping + 360_000 });
  });

  it("counts from the bot's start when that is later than the last ping: downtime is no miss", () => {
    const ping = START - 3_600_000;
    const at = (now: number) => heartbeatStatus(hb, ping, START, now);
    expect(at(START + 360_000)).toEqual({ kind: "starting", lastPingAt: ping, dueBy: START + 360_000 });
    expect(at(START + 360_001)).toMatchObject({ kind: "missed", since: START + 360_000 });
  });

  it("gives a heartbeat that never pinged one interval and grace after start", () => {
    expect(heartbeatStatus(hb, null, START, START + 1)).toMatchObject({ kind: "starting", lastPingAt: null });
    expect(heartbeatStatus(hb, null, START, START + 360_001)).toEqual({
      kind: "missed",
      lastPingAt: null,
      since: START + 360_000,
    });
  });
});

describe("the page's words", () => {
  it("says how long ago the last ping was, or that there was none", () => {
    expect(missedSummary(hb, START, START + 12 * 60_000)).toBe(
      "HeartbeatMissed: prometheus-prod, last ping 12m ago",
    );
    expect(lastPingText(null, START)).toBe("no ping yet");
  });
});

describe("heartbeatOfAlert", () => {
  it("finds the heartbeat an alert name pings", () => {
    expect(heartbeatOfAlert([hb], "Watchdog")).toBe(hb);
    expect(heartbeatOfAlert([hb], "HighErrorRate")).toBeNull();
    expect(heartbeatOfAlert([hb], undefined)).toBeNull();
  });
});
