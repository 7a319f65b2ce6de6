import type { Runbook } from "../../src/core/config";

/** A runbook entry for `alert` with placeholder text, no remediation and no severity, `patch` applied. */
export function runbook(alert: string, patch: Partial<Runbook> = {}): Runbook {
  return {
    alert,
    file: `runbooks/${alert}.md`,
    context: "c",
    meaning: "m",
    steps: null,
    body: "",
    remediation: null,
    severity: null,
    ...patch,
  };
}
