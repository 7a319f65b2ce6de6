// User text in every renderer: incident titles (declared by slash command, stored as Slack sent
// them, or by the modal, stored escaped), postmortem headers and escalation reasons. Whatever was
// typed, the rendered text holds no live mention or link: &, < and > come out escaped, once.

import { describe, expect, it } from "vitest";
import { escapeTyped } from "../../src/core/mrkdwn";
import { escalationDm, teamPost } from "../../src/features/escalation/blocks";
import { agendaLine } from "../../src/features/incidents/agenda-blocks";
import {
  incidentDeclaredMessage,
  incidentLine,
  incidentResolvedText,
} from "../../src/features/incidents/blocks";
import {
  declaredText,
  declareIncident,
  type Incident,
  linkedText,
} from "../../src/features/incidents/incident";
import {
  incidentTimeline,
  parsePostmortemForm,
  postmortemMarkdown,
  slackToMarkdown,
  writePostmortem,
} from "../../src/features/incidents/postmortem";
import { postmortemModal } from "../../src/features/incidents/postmortem-modal";
import { describeEjection, ejectedRotationText, ejectedTeamText } from "../../src/features/load/rules";
import { streamApiAlert } from "../support/alerts";
import { POSTMORTEM_FULL_TEXT } from "../support/incidents";
import { ORG as config, WEDNESDAY as NOW, orgTeam } from "../support/org";

const HOSTILE = "<!channel> <!here> <!everyone> <@U123> <!subteam^S1> <https://x|y> & co";
const ESCAPED =
  "&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;@U123&gt; &lt;!subteam^S1&gt; &lt;https://x|y&gt; &amp; co";
const LIVE = ["<!channel>", "<!here>", "<!everyone>", "<@U123>", "<!subteam^S1>", "<https://x|y>"];

function expectInert(rendered: unknown): void {
  const all = typeof rendered === "string" ? rendered : JSON.stringify(rendered);
  for (const live of LIVE) expect(all).not.toContain(live);
  expect(all).toContain(ESCAPED);
  expect(all).not.toContain("&amp;lt;");
}

function incidentTitled(title: string): Incident {
  return declareIncident({
    number: 1,
    title,
    severity: "sev2",
    declaredBy: "U01AAA",
    alerts: [],
    now: new Date("2026-11-25T10:00:00Z"),
  });
}

describe("escapeTyped", () => {
  it("escapes raw text and leaves Slack's own escapes single", () => {
    expect(escapeTyped(HOSTILE)).toBe(ESCAPED);
    expect(escapeTyped(ESCAPED)).toBe(ESCAPED);
  });
});

describe("incident titles", () => {
  // As a slash command stores it (live mentions) and as the modal stores it (already escaped).
  for (const [how, title] of [
    ["typed in /incident declare", HOSTILE],
    ["typed in the modal", ESCAPED],
  ] as const) {
    it(`render inert when ${how}`, () => {
      const i = incidentTitled(title);
      expectInert(incidentDeclaredMessage(i, []));
      expectInert(incidentLine(i, "missing", NOW));
      expectInert(incidentResolvedText(i, NOW));
      expectInert(declaredText(i));
      expectInert(linkedText(i, "U01AAA"));
      expectInert(
        agendaLine(
          {
            incident: i,
            postmortem: "missing",
            nearMiss: false,
            durationMs: 60_000,
            owner: null,
            actionItems: 0,
          },
          1,
        ),
      );
      expectInert(postmortemModal(i, null, NOW).blocks);
    });
  }
});

describe("escalation reasons", () => {
  it("render inert in the team's DMs and channel post", () => {
    const alert = streamApiAlert(
      {
        state: "escalated",
        assignedTeam: "playback",
        escalation: { by: "U02AAA", reason: HOSTILE, at: NOW.toISOString() },
      },
      NOW,
    );
    const dm = escalationDm(alert, config, "U01BBB", null);
    expectInert(dm.text);
    expectInert(dm.blocks);
    expectInert(teamPost(alert, config, orgTeam("playback"), "escalation", "U02AAA", null).blocks);
  });
});

describe("ejection reasons", () => {
  // As `/oncall eject <team> <reason>` delivers them: Slack passes typed mentions through raw.
  const ejection = { teamId: "playback", by: "U02AAA", at: NOW.toISOString(), reason: HOSTILE };

  it("render inert in the rotation's and the team's notices", () => {
    const team = orgTeam("playback");
    expectInert(ejectedRotationText(team, { name: "Merged on-call" }, ejection, ""));
    expectInert(ejectedTeamText(team, [{ name: "Merged on-call" }], ejection));
  });

  it("render inert where a stored ejection is described (already ejected, ejected a moment ago)", () => {
    expectInert(describeEjection(ejection));
    // Stored as typed by a slash command whose text Slack had escaped: still escaped once.
    expectInert(describeEjection({ ...ejection, reason: ESCAPED }));
  });
});

describe("the postmortem export", () => {
  it("names special mentions instead of passing them through", () => {
    const md = slackToMarkdown("<!channel> <!here|here> <!everyone> <!subteam^S1|@oncall> <!subteam^S2> ok");
    expect(md).toBe("@channel @here @everyone @oncall @S2 ok");
  });

  it("passes no special mention from the title, the fields or the notes into the Markdown", () => {
    const parsed = parsePostmortemForm({
      text: { ...POSTMORTEM_FULL_TEXT, summary: `summary ${HOSTILE}` },
      actionItems: `<@U01AAA>: page <!here> less`,
      nearMiss: false,
      usersAffected: null,
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const base = incidentTitled(`title ${HOSTILE}`);
    const incident: Incident = {
      ...base,
      notes: [{ at: "2026-11-25T10:05:00.000Z", author: "U01AAA", text: `note ${HOSTILE}` }],
    };
    const md = postmortemMarkdown({
      incident,
      postmortem: writePostmortem(null, incident.id, parsed, "U01AAA", NOW),
      timeline: incidentTimeline(incident, []),
      alerts: [],
      now: NOW,
    });
    for (const special of ["<!channel>", "<!here>", "<!everyone>", "<!subteam^S1>"])
      expect(md).not.toContain(special);
    expect(md).toContain("# INC-1: title @channel @here @everyone");
  });
});
