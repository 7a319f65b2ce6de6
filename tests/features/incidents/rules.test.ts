import { describe, expect, it } from "vitest";
import { defaultSeverity } from "../../../src/features/incidents/rules";
import { runbook } from "../../support/runbooks";

const config = {
  runbooks: {
    HighErrorRate: runbook("HighErrorRate", { severity: "sev1" }),
    DiskAlmostFull: runbook("DiskAlmostFull", { severity: "sev3" }),
    SearchLatencyHigh: runbook("SearchLatencyHigh", { severity: null }),
  },
};

const alert = (name: string, labels: Record<string, string> = {}) => ({
  name,
  commonLabels: { alertname: name, severity: "page", ...labels },
});

describe("defaultSeverity", () => {
  it("is SEV2 without alerts, and for alerts whose runbook says nothing or that have none", () => {
    expect(defaultSeverity([], config)).toEqual({ severity: "sev2", from: null });
    expect(defaultSeverity([alert("SearchLatencyHigh")], config)).toEqual({ severity: "sev2", from: null });
    expect(defaultSeverity([alert("NoRunbook")], config)).toEqual({ severity: "sev2", from: null });
  });

  it("ignores the monitoring severity: severity=page or critical is not SEV1", () => {
    expect(defaultSeverity([alert("DiskAlmostFull", { severity: "critical" })], config)).toEqual({
      severity: "sev3",
      from: "runbooks/DiskAlmostFull.md",
    });
  });

  it("takes the runbook's severity, and an incident_severity label before it", () => {
    expect(defaultSeverity([alert("HighErrorRate")], config)).toEqual({
      severity: "sev1",
      from: "runbooks/HighErrorRate.md",
    });
    expect(defaultSeverity([alert("HighErrorRate", { incident_severity: " SEV3 " })], config)).toEqual({
      severity: "sev3",
      from: "the incident_severity label of HighErrorRate",
    });
    // A label that names no severity is ignored.
    expect(defaultSeverity([alert("HighErrorRate", { incident_severity: "high" })], config).severity).toBe(
      "sev1",
    );
  });

  it("with several alerts, the worst wins, and an explicit SEV3 beats the default", () => {
    expect(defaultSeverity([alert("DiskAlmostFull"), alert("HighErrorRate")], config).severity).toBe("sev1");
    expect(defaultSeverity([alert("HighErrorRate"), alert("DiskAlmostFull")], config).severity).toBe("sev1");
    expect(defaultSeverity([alert("SearchLatencyHigh"), alert("DiskAlmostFull")], config)).toEqual({
      severity: "sev3",
      from: "runbooks/DiskAlmostFull.md",
    });
  });
});
