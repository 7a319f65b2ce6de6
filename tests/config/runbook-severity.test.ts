// The runbook's optional `severity:`: the severity an incident declared from its alert starts with.

import { afterEach, describe, expect, it } from "vitest";
import { configDir, issuesOf, load, removeConfigDirs, replace } from "./helpers";

afterEach(removeConfigDirs);

const withSeverity = (value: string) =>
  configDir({
    "runbooks/TestAlert.md": replace("alert: TestAlert\n", `alert: TestAlert\nseverity: ${value}\n`),
  });

describe("runbook severity", () => {
  it("is read as SEV1, SEV2 or SEV3 in any case, and is null when not given", () => {
    expect(load(withSeverity("SEV1")).runbooks.TestAlert?.severity).toBe("sev1");
    expect(load(withSeverity("sev3")).runbooks.TestAlert?.severity).toBe("sev3");
    expect(load(configDir()).runbooks.TestAlert?.severity).toBeNull();
  });

  it("refuses anything else, naming the file, the field and the choices", () => {
    const issues = issuesOf(withSeverity("critical"));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: "runbooks/TestAlert.md", field: "severity" });
    expect(issues[0]?.message).toContain("SEV1, SEV2 or SEV3");
  });
});
