// The severity an incident starts with, through the running app: the Declare incident modal's
// select and `/incident declare` take it from the alert's incident_severity label, else from its
// runbook's front matter, else SEV2, never from the monitoring severity (every alert here has
// severity=page). The org's runbooks/HighErrorRate.md says SEV1; SearchLatencyHigh.md says nothing.

import { afterEach, describe, expect, it } from "vitest";
import { type Harness, slashCommand, startHarness } from "../support/harness";
import { newTriggerId } from "../support/slack-requests";
import { firingPayload, pageAlert, press } from "./alert-press";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The firing fixture (severity=page) renamed, with extra common labels. */
function payload(alertname: string, job: string, labels: Record<string, string> = {}) {
  const p = firingPayload(job) as {
    groupKey: string;
    commonLabels: Record<string, string>;
    groupLabels: Record<string, string>;
    alerts: { labels: Record<string, string> }[];
  };
  p.groupKey = `{}:{alertname="${alertname}", job="${job}"}`;
  p.commonLabels = { ...p.commonLabels, alertname, ...labels };
  p.groupLabels = { ...p.groupLabels, alertname };
  p.alerts = p.alerts.map((a) => ({ ...a, labels: { ...a.labels, alertname, ...labels } }));
  return p;
}

async function modalSeverity(hh: Harness, body: Record<string, unknown>): Promise<unknown> {
  const page = await pageAlert(hh, body);
  const triggerId = newTriggerId();
  hh.slack.registerTrigger(triggerId, "U01AAA");
  const seen = hh.slack.callsTo("views.open").length;
  await press(hh, "alert.incident", page, "U01AAA", { triggerId });
  const open = await hh.slack.waitFor(
    (c) => c.method === "views.open" && hh.slack.callsTo("views.open").length > seen,
  );
  const view = open.args.view as {
    blocks: { block_id?: string; element?: { initial_option?: { value?: string } } }[];
  };
  return view.blocks.find((b) => b.block_id === "severity")?.element?.initial_option?.value;
}

describe("the severity a declared incident starts with", () => {
  it("is SEV2 in the modal for an alert whose runbook says nothing, despite severity=page", async () => {
    h = await startHarness();
    expect(await modalSeverity(h, payload("SearchLatencyHigh", "search-api"))).toBe("sev2");
  });

  it("comes from the runbook's front matter, and an incident_severity label overrides it", async () => {
    h = await startHarness();
    expect(await modalSeverity(h, payload("HighErrorRate", "stream-api"))).toBe("sev1");
    const labelled = payload("HighErrorRate", "checkout", { incident_severity: "SEV3" });
    expect(await modalSeverity(h, labelled)).toBe("sev3");
  });

  it("is what /incident declare uses without a severity, saying where it came from", async () => {
    h = await startHarness();
    const page = await pageAlert(h, payload("HighErrorRate", "stream-api"));
    const fromRunbook = await slashCommand(h, "/incident", "U01AAA", `declare Playback fails ${page.id}`);
    expect(String(fromRunbook.args.text)).toContain(
      "Severity defaulted to SEV1 (from runbooks/HighErrorRate.md); declare with sev1, sev2 or sev3 at the end to choose.",
    );
    const other = await pageAlert(h, payload("SearchLatencyHigh", "search-api"));
    const plain = await slashCommand(h, "/incident", "U01AAA", `declare Search is slow ${other.id}`);
    expect(String(plain.args.text)).toContain(
      "Severity defaulted to SEV2; declare with sev1, sev2 or sev3 at the end to choose.",
    );
    const chosen = await slashCommand(h, "/incident", "U01AAA", `declare Search is down ${other.id} sev1`);
    expect(String(chosen.args.text)).not.toContain("defaulted");
  });
});
