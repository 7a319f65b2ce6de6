import { describe, expect, it } from "vitest";
import { parseLoopLimit, readSettings, SettingsError } from "../../src/config/env";
import { MINIMAL_ENV as BASE } from "./helpers";

describe("remediation settings", () => {
  it("defaults to 2 concurrent runs and a loop guard of 3 runs per hour", () => {
    const s = readSettings(BASE);
    expect(s.remediationConcurrency).toBe(2);
    expect(s.remediationLoopGuard).toEqual({ runs: 3, windowMs: 3_600_000 });
    expect(s.remediationGroupCap).toEqual({ runs: 10, windowMs: 3_600_000 });
  });

  it("reads REMEDIATION_GROUP_LIMIT and refuses a malformed one, naming it", () => {
    expect(readSettings({ ...BASE, REMEDIATION_GROUP_LIMIT: "20/2h" }).remediationGroupCap).toEqual({
      runs: 20,
      windowMs: 7_200_000,
    });
    expect(() => readSettings({ ...BASE, REMEDIATION_GROUP_LIMIT: "lots" })).toThrow(
      /REMEDIATION_GROUP_LIMIT/,
    );
  });

  it("reads REMEDIATION_CONCURRENCY and REMEDIATION_LOOP_LIMIT", () => {
    const s = readSettings({ ...BASE, REMEDIATION_CONCURRENCY: "5", REMEDIATION_LOOP_LIMIT: "10 / 30m" });
    expect(s.remediationConcurrency).toBe(5);
    expect(s.remediationLoopGuard).toEqual({ runs: 10, windowMs: 1_800_000 });
  });

  it("refuses malformed values, naming the variable", () => {
    expect(() => readSettings({ ...BASE, REMEDIATION_CONCURRENCY: "0" })).toThrow(/REMEDIATION_CONCURRENCY/);
    expect(() => readSettings({ ...BASE, REMEDIATION_LOOP_LIMIT: "3 per hour" })).toThrow(SettingsError);
    expect(() => readSettings({ ...BASE, REMEDIATION_LOOP_LIMIT: "3 per hour" })).toThrow(/"3\/1h"/);
    expect(parseLoopLimit("0/1h")).toBeNull();
    expect(parseLoopLimit("3/1y")).toBeNull();
  });
});
