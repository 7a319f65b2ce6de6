import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config/env";
import { MINIMAL_ENV as BASE } from "./helpers";

describe("bounded-state settings", () => {
  it("defaults to 50 instances in full, 90 days for resolved alerts and 400 for report digests", () => {
    const s = readSettings(BASE);
    expect([s.alertInstanceLimit, s.alertRetentionDays, s.alertReportRetentionDays]).toEqual([50, 90, 400]);
  });

  it("reads ALERT_INSTANCE_LIMIT, ALERT_RETENTION_DAYS (0: forever) and ALERT_REPORT_RETENTION_DAYS", () => {
    const s = readSettings({
      ...BASE,
      ALERT_INSTANCE_LIMIT: "200",
      ALERT_RETENTION_DAYS: "0",
      ALERT_REPORT_RETENTION_DAYS: "730",
    });
    expect([s.alertInstanceLimit, s.alertRetentionDays, s.alertReportRetentionDays]).toEqual([200, 0, 730]);
  });

  it("refuses values that are not whole numbers in range, naming the variable and the range", () => {
    expect(() => readSettings({ ...BASE, ALERT_INSTANCE_LIMIT: "0" })).toThrow(
      /ALERT_INSTANCE_LIMIT must be a whole number from 1 to 10000/,
    );
    expect(() => readSettings({ ...BASE, ALERT_RETENTION_DAYS: "90d" })).toThrow(/ALERT_RETENTION_DAYS/);
    expect(() => readSettings({ ...BASE, ALERT_REPORT_RETENTION_DAYS: "0" })).toThrow(
      /ALERT_REPORT_RETENTION_DAYS must be a whole number from 1/,
    );
  });
});
