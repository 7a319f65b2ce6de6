// Alert names come from whoever sends the webhook: wherever the bot writes one into mrkdwn, a name
// like "<!channel>" must read as text, not ping a channel or disguise a link.

import { describe, expect, it } from "vitest";
import { checkView } from "../../../sandbox/slack-blocks-check";
import { loadConfig } from "../../../src/config/load";
import { openAlert } from "../../../src/core/alert";
import { incidentDeclaredMessage } from "../../../src/features/incidents/blocks";
import { declareModal } from "../../../src/features/incidents/buttons";
import type { Incident } from "../../../src/features/incidents/incident";
import type { TeamLoad } from "../../../src/features/load/load";
import { teamLoadText } from "../../../src/features/load/load-blocks";
import { noiseMessage } from "../../../src/features/load/noise-blocks";
import { parseGenericAlert } from "../../../src/features/paging/intake/generic";
import { alertLine } from "../../../src/features/rotation/blocks";
import { STREAM_API_ROUTE } from "../../support/alerts";
import { ORG_DIR } from "../../support/harness";

const config = loadConfig(ORG_DIR);
const NAME = "Boom<!channel><@U0ADMIN>";
const RAW = ["<!channel>", "<@U0ADMIN>"];

const hostile = openAlert({
  group: parseGenericAlert({
    name: NAME,
    status: "firing",
    labels: { job: "stream-api" },
    annotations: { summary: "<!here> & <https://evil.example|click>" },
  }),
  occurrence: 1,
  previousId: null,
  route: STREAM_API_ROUTE,
  hasRunbook: () => false,
  now: new Date("2026-11-25T10:00:00Z"),
}).alert;

function expectEscaped(text: string) {
  for (const r of RAW) expect(text).not.toContain(r);
  expect(text).toContain("Boom&lt;!channel&gt;&lt;@U0ADMIN&gt;");
}

describe("alert names in mrkdwn", () => {
  it("are escaped in the incident announcement", () => {
    const incident: Incident = {
      id: "INC-1",
      number: 1,
      title: "Checkout down",
      severity: "sev1",
      status: "open",
      declaredBy: "U01AAA",
      declaredAt: "2026-11-25T10:00:00.000Z",
      startedAt: "2026-11-25T10:00:00.000Z",
      resolvedAt: null,
      resolvedBy: null,
      alertIds: [hostile.id],
      notes: [],
      usersAffected: null,
      owner: null,
      version: 1,
    };
    const msg = incidentDeclaredMessage(incident, [{ id: hostile.id, name: hostile.name }]);
    expectEscaped(JSON.stringify(msg.blocks));
  });

  it("are escaped in the Declare incident modal, and the summary too", () => {
    const view = declareModal(hostile, { config }, [], "C0ONCALL");
    expect(checkView(view, "modal")).toEqual([]);
    const section = JSON.stringify((view.blocks as unknown[])[0]);
    expectEscaped(section);
    expect(section).toContain("&lt;!here&gt; &amp; &lt;https://evil.example|click&gt;");
  });

  it("are escaped in the Home tab's alert list, inside the page link too", () => {
    expectEscaped(alertLine(config, hostile, null));
    const linked = alertLine(config, hostile, "https://slack.example/p1");
    expectEscaped(linked);
    expect(linked).toContain("<https://slack.example/p1|Boom&lt;");
  });

  it("are escaped in the load and noise reports", () => {
    const load: TeamLoad = {
      teamId: "playback",
      teamName: "Playback",
      pages: 1,
      outsideWorkday: 0,
      handOffs: 0,
      escalations: 0,
      noRunbook: 1,
      noRunbookNames: [NAME],
      medianAckMs: null,
      medianResolveMs: null,
      p90ResolveMs: null,
      pagesPerWeek: 1,
      limit: null,
      weekly: [1],
      windowPagesPerWeek: 1,
      overLimit: false,
      ejected: false,
      eligibleForEjection: false,
    };
    expectEscaped(teamLoadText(load, 1));
    const noise = noiseMessage(
      {
        from: new Date("2026-11-18T00:00:00Z"),
        to: new Date("2026-11-25T00:00:00Z"),
        fired: 5,
        noisy: 5,
        rows: [
          {
            name: NAME,
            teamId: "playback",
            fired: 5,
            acked: 0,
            answeredNoise: 5,
            answeredActionable: 0,
            resolvedBySelf: 0,
            flapping: 0,
            silenced: 0,
            medianAckMs: null,
            noisy: 5,
            rank: 1,
            fixOrDelete: true,
          },
        ],
      },
      config.teams,
      7,
    );
    expectEscaped(JSON.stringify(noise.blocks.slice(1)));
    expectEscaped(noise.text);
  });
});
