// The Run remediation dialog shows the params as they will run: templates filled in from the
// labels each run gets (the group's common labels, or each instance's own), not `{{labels.x}}`.

import { describe, expect, it } from "vitest";
import { checkView } from "../../../sandbox/slack-blocks-check";
import { loadConfig } from "../../../src/config/load";
import { type Alert, openAlert } from "../../../src/core/alert";
import type { OncallConfig, RemediationSpec } from "../../../src/core/config";
import { parseGenericAlert } from "../../../src/features/paging/intake/generic";
import { manualRuns } from "../../../src/features/remediation/rules";
import { MAX_RUNS_SHOWN, remediateModal } from "../../../src/features/remediation/slack";
import { STREAM_API_ROUTE } from "../../support/alerts";
import { ORG_DIR } from "../../support/harness";

const base = loadConfig(ORG_DIR);
const NOW = new Date("2026-11-25T10:00:00Z");

function withRemediation(spec: Partial<RemediationSpec>): OncallConfig {
  const remediation: RemediationSpec = {
    handler: "command",
    params: {
      executable: "/opt/cleanup",
      args: ["--host", "{{labels.instance}}", "--mountpoint", "{{labels.mountpoint}}"],
    },
    auto: false,
    perInstance: false,
    retries: null,
    timeoutMs: null,
    ...spec,
  };
  // Any runbook of the org will do as the base; only the remediation matters here.
  const runbook = { ...Object.values(base.runbooks)[0]!, alert: "DiskAlmostFull", remediation };
  return { ...base, runbooks: { ...base.runbooks, DiskAlmostFull: runbook } };
}

/** A group whose instances are on hosts db-1…db-n, each with its own mount point. */
function diskAlert(hosts: number): Alert {
  const group = parseGenericAlert(
    {
      name: "DiskAlmostFull",
      status: "firing",
      labels: { job: "stream-api", instance: "db-1", mountpoint: "/var" },
    },
    NOW,
  );
  const first = group.instances[0]!;
  const instances = Array.from({ length: hosts }, (_, i) => ({
    ...first,
    fingerprint: `fp${i + 1}`,
    labels: { ...first.labels, instance: `db-${i + 1}`, mountpoint: `/data${i + 1}` },
  }));
  return openAlert({
    group: {
      ...group,
      instances,
      commonLabels: hosts === 1 ? instances[0]!.labels : { alertname: "DiskAlmostFull", job: "stream-api" },
    },
    occurrence: 1,
    previousId: null,
    route: STREAM_API_ROUTE,
    hasRunbook: () => true,
    now: NOW,
  }).alert;
}

function dialog(alert: Alert, config: OncallConfig) {
  const view = remediateModal(alert, manualRuns(alert, config.runbooks, 0, "U01AAA"), config, "{}");
  return { view, text: view.blocks.map((b) => JSON.stringify(b)).join("\n") };
}

describe("the Run remediation dialog", () => {
  it("shows the values a whole-group run will get, not the templates", () => {
    const config = withRemediation({});
    const { view, text } = dialog(diskAlert(1), config);
    expect(checkView(view, "modal")).toEqual([]);
    expect(view.submit?.text).toBe("Run");
    expect(text).not.toContain("{{");
    expect(text).toContain('\\"--host\\",\\n    \\"db-1\\",\\n    \\"--mountpoint\\",\\n    \\"/data1\\"');
  });

  it("shows each instance's own values for a per-instance run, up to a few, then says how many more", () => {
    const config = withRemediation({ perInstance: true });
    const one = dialog(diskAlert(2), config).text;
    expect(one).toContain("*db-1*\\n```");
    expect(one).toContain('\\"db-2\\"');
    expect(one).toContain('\\"/data2\\"');
    const many = dialog(diskAlert(MAX_RUNS_SHOWN + 2), config);
    expect(checkView(many.view, "modal")).toEqual([]);
    expect(many.text).toContain(`*db-${MAX_RUNS_SHOWN}*`);
    expect(many.text).not.toContain(`*db-${MAX_RUNS_SHOWN + 1}*`);
    expect(many.text).toContain("… and 2 more instances, each with its own labels.");
  });

  it("says which template cannot be filled in, rather than showing it", () => {
    const config = withRemediation({ params: { url: "http://cache/flush?pod={{labels.pod}}" } });
    const { text } = dialog(diskAlert(1), config);
    expect(text).toContain(
      '⚠ cannot fill in {{labels.pod}}: the alert has no label \\"pod\\", so this run will fail.',
    );
  });
});
