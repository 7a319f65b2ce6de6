// One test per validation rule of the config loader, each on its own broken copy of the minimal
// valid config (tests/fixtures/config/minimal).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configDir, expectRefused, issuesOf, load, MINIMAL, removeConfigDirs, replace } from "./helpers";

const fixture = (file: string) => readFileSync(join(MINIMAL, file), "utf8");

afterEach(removeConfigDirs);

const TEAMS = "schedules/teams.yaml";
const SERVICES = "schedules/services.yaml";
const MAIN = "schedules/rotations/main.yaml";
const REVIEW = "schedules/review.yaml";
const TEST_ALERT = "runbooks/TestAlert.md";

describe("files", () => {
  it("refuses a missing teams.yaml, naming the path", () => {
    expectRefused({ [TEAMS]: null }, { file: TEAMS, field: "", line: null, words: ["file not found"] });
  });

  it("refuses a missing services.yaml, naming the path", () => {
    expectRefused({ [SERVICES]: null }, { file: SERVICES, field: "", line: null, words: ["file not found"] });
  });

  it("refuses a config without rotation files", () => {
    expectRefused(
      { "schedules/rotations": null },
      { file: "schedules/rotations/", field: "", line: null, words: ["no rotation files", "merged.yaml"] },
    );
  });

  it("refuses a config directory that does not exist", () => {
    const issues = issuesOf("/nonexistent/oncall-config");
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain("does not exist");
  });

  it("reports YAML syntax errors with their line", () => {
    expectRefused(
      { [TEAMS]: replace("    timezone: UTC", "   timezone: UTC") },
      { file: TEAMS, field: "", line: 12, words: ["YAML syntax error", "Sequence item without - indicator"] },
    );
  });

  it("refuses a key given twice in one mapping", () => {
    expectRefused(
      { [MAIN]: replace("shift: 1w", "shift: 1w\nshift: 2w") },
      { file: MAIN, field: "", line: "shift: 2w", words: ["YAML", "unique"] },
    );
  });

  it("treats review.yaml as optional", () => {
    const config = load(configDir({ [REVIEW]: null }));
    expect(config.review).toBeNull();
  });
});

describe("unknown and missing fields", () => {
  it("refuses an unknown field with a did-you-mean", () => {
    expectRefused(
      { [TEAMS]: replace("timezone: UTC", "timezon: UTC") },
      {
        file: TEAMS,
        field: "teams[1].timezon",
        line: "timezon: UTC",
        words: ['unknown field "timezon"', '"timezone"'],
      },
    );
  });

  it("refuses an unknown field in a nested mapping", () => {
    expectRefused(
      { [MAIN]: replace("ack_timeout: 15m", "ack_timout: 15m") },
      {
        file: MAIN,
        field: "escalation.ack_timout",
        line: "ack_timout",
        words: ["unknown field", '"ack_timeout"'],
      },
    );
  });

  it("refuses an unknown field in runbook front matter", () => {
    expectRefused(
      { [TEST_ALERT]: replace("alert: TestAlert", "alert: TestAlert\npriority: page") },
      {
        file: TEST_ALERT,
        field: "priority",
        line: "priority: page",
        words: ["unknown field", "allowed fields"],
      },
    );
  });

  it("refuses a missing required field", () => {
    expectRefused(
      { [TEAMS]: replace("    timezone: Europe/Berlin\n", "") },
      {
        file: TEAMS,
        field: "teams[0].timezone",
        line: "- id: alpha",
        words: ["is missing", "IANA time zone"],
      },
    );
  });

  it("refuses a value of the wrong type", () => {
    expectRefused(
      { [TEAMS]: replace("members: [U0B1, U0B2]", "members: U0B1") },
      {
        file: TEAMS,
        field: "teams[1].members",
        line: "members: U0B1",
        words: ["expected a list", 'got "U0B1"'],
      },
    );
  });
});

describe("duplicates", () => {
  it("refuses two teams with the same id", () => {
    expectRefused(
      { [TEAMS]: replace("- id: beta", "- id: alpha") },
      { file: TEAMS, field: "teams[1].id", line: 9, words: ['"alpha"', "already used by teams[0]"] },
    );
  });

  it("refuses two services with the same id", () => {
    expectRefused(
      { [SERVICES]: replace("- id: beta-db", "- id: alpha-api") },
      { file: SERVICES, field: "services[1].id", line: 6, words: ['"alpha-api"', "already used"] },
    );
  });

  it("refuses two rotations with the same id", () => {
    expectRefused(
      { "schedules/rotations/other.yaml": fixture(MAIN) },
      {
        file: "schedules/rotations/other.yaml",
        field: "id",
        line: 1,
        words: ['"main"', `already used by ${MAIN}`],
      },
    );
  });

  it("refuses the same user twice in one team", () => {
    expectRefused(
      { [TEAMS]: replace("members: [U0A1, U0A2]", "members: [U0A1, U0A2, U0A1]") },
      { file: TEAMS, field: "teams[0].members[2]", line: 6, words: ["U0A1", "listed twice"] },
    );
  });

  it("refuses the same user twice in one rotation", () => {
    expectRefused(
      {
        [TEAMS]: replace("members: [U0B1, U0B2]", "members: [U0B1, U0B2, U0A1]"),
        [MAIN]: replace(
          "- { user: U0B1, team: beta }",
          "- { user: U0B1, team: beta }\n  - { user: U0A1, team: beta }",
        ),
      },
      {
        file: MAIN,
        field: "participants[2].user",
        line: "{ user: U0A1, team: beta }",
        words: ["U0A1", "already in this rotation", "participants[0]"],
      },
    );
  });

  it("refuses two runbooks for the same alert", () => {
    expectRefused(
      { "runbooks/Zother.md": fixture("runbooks/OtherAlert.md") },
      {
        file: "runbooks/Zother.md",
        field: "alert",
        line: 2,
        words: ['"OtherAlert"', "already has a runbook entry in runbooks/OtherAlert.md"],
      },
    );
  });
});

describe("references", () => {
  it("refuses a service whose team is not defined", () => {
    expectRefused(
      { [SERVICES]: replace("team: alpha", "team: alpah") },
      {
        file: SERVICES,
        field: "services[0].team",
        line: "team: alpah",
        words: ['"alpah"', "not defined in schedules/teams.yaml", 'did you mean "alpha"'],
      },
    );
  });

  it("refuses a rotation team that is not defined", () => {
    expectRefused(
      { [MAIN]: replace("teams: [alpha, beta]", "teams: [alpha, beta, gamma]") },
      { file: MAIN, field: "teams[2]", line: "teams:", words: ['"gamma"', "not defined"] },
    );
  });

  it("refuses a participant whose team is not defined", () => {
    expectRefused(
      { [MAIN]: replace("{ user: U0B1, team: beta }", "{ user: U0B1, team: betta }") },
      {
        file: MAIN,
        field: "participants[1].team",
        line: "team: betta",
        words: ['"betta"', "not defined", '"beta"'],
      },
    );
  });

  it("refuses a participant who is not a member of the team they represent", () => {
    expectRefused(
      { [MAIN]: replace("{ user: U0B1, team: beta }", "{ user: U0A2, team: beta }") },
      {
        file: MAIN,
        field: "participants[1].user",
        line: "U0A2",
        words: ["U0A2", 'not a member of team "beta"', "U0B1, U0B2"],
      },
    );
  });

  it("refuses a participant whose team is not one of the rotation's teams", () => {
    expectRefused(
      {
        [TEAMS]: (text) =>
          `${text}  - id: gamma\n    channel: C0GAMMA\n    members: [U0G1]\n    timezone: UTC\n    workdays: { hours: "09:00-17:00" }\n`,
        [MAIN]: replace(
          "- { user: U0B1, team: beta }",
          "- { user: U0B1, team: beta }\n  - { user: U0G1, team: gamma }",
        ),
      },
      {
        file: MAIN,
        field: "participants[2].team",
        line: "U0G1",
        words: ['"gamma"', "not one of this rotation's teams"],
      },
    );
  });

  it("refuses a fallback_rotation that is not defined", () => {
    expectRefused(
      { [SERVICES]: replace("fallback_rotation: main", "fallback_rotation: mian") },
      { file: SERVICES, field: "fallback_rotation", line: 1, words: ['"mian"', "not defined", '"main"'] },
    );
  });

  it("refuses a rotation without a channel", () => {
    expectRefused(
      { [MAIN]: replace("channel: C0MAIN\n", "") },
      { file: MAIN, field: "channel", words: ["is missing", "Slack channel id"] },
    );
  });

  it("refuses a rotation without admins", () => {
    expectRefused(
      { [MAIN]: replace("admins: [U0ADMIN]", "admins: []") },
      { file: MAIN, field: "admins", line: "admins", words: ["at least one admin"] },
    );
  });

  it("refuses a team in a rotation that gives no engineer to it, naming the team and the file", () => {
    expectRefused(
      { [MAIN]: replace("  - { user: U0B1, team: beta }\n", "") },
      {
        file: MAIN,
        field: "teams[1]",
        line: "teams: [alpha, beta]",
        words: [
          'team "beta" gives no engineer to rotation "main"',
          "team: beta }",
          `to ${MAIN}`,
          "U0B1, U0B2",
        ],
      },
    );
  });

  it("accepts a team that is in no rotation", () => {
    const dir = configDir({
      [TEAMS]: (text) =>
        `${text}  - id: gamma\n    channel: C0GAMMA\n    members: [U0G1]\n    timezone: UTC\n    workdays: { hours: "09:00-17:00" }\n`,
    });
    expect(load(dir).teams.map((t) => t.id)).toEqual(["alpha", "beta", "gamma"]);
  });

  it("refuses two services with identical label matchers", () => {
    expectRefused(
      { [SERVICES]: replace("{ job: postgres, cluster: beta }", "{ job: alpha-api }") },
      { file: SERVICES, field: "services[1].match", line: 9, words: ["same labels as services[0]"] },
    );
  });
});

describe("runbooks", () => {
  it("refuses a runbook without a Context section", () => {
    expectRefused(
      { [TEST_ALERT]: replace("## Context\nWhat the test alert watches.\n", "") },
      { file: TEST_ALERT, field: "## Context", line: null, words: ["missing", '"## Context"'] },
    );
  });

  it("refuses a runbook with an empty Meaning section", () => {
    expectRefused(
      { [TEST_ALERT]: replace("What it means when it fires.", "") },
      { file: TEST_ALERT, field: "## Meaning", line: "## Meaning", words: ["is empty"] },
    );
  });

  it("refuses a Context section that holds only a template's placeholder comment", () => {
    expectRefused(
      {
        [TEST_ALERT]: replace(
          "What the test alert watches.",
          "<!-- What does this alert watch? Which users does it affect? -->",
        ),
      },
      { file: TEST_ALERT, field: "## Context", line: "## Context", words: ["is empty"] },
    );
  });

  it("matches section headings case-insensitively and ignores headings in code blocks", () => {
    const runbook = load(configDir()).runbooks.OtherAlert!;
    expect(runbook.context).toContain("case-insensitively");
    expect(runbook.context).toContain("inside a code block");
    expect(runbook.meaning).toBe("It means something.");
    expect(runbook.steps).toBeNull();
  });

  it("refuses a runbook whose alert differs from its file name", () => {
    expectRefused(
      { [TEST_ALERT]: replace("alert: TestAlert", "alert: TestAlrt") },
      {
        file: TEST_ALERT,
        field: "alert",
        line: 2,
        words: ['"TestAlrt"', "runbooks/TestAlrt.md", "alert: TestAlert"],
      },
    );
  });

  it("refuses a runbook without front matter", () => {
    expectRefused(
      { [TEST_ALERT]: "## Context\nx\n## Meaning\ny\n" },
      { file: TEST_ALERT, field: "", line: 1, words: ["no front matter", "alert: TestAlert"] },
    );
  });

  it("refuses front matter that is not closed", () => {
    expectRefused(
      { [TEST_ALERT]: "---\nalert: TestAlert\n## Context\nx\n" },
      { file: TEST_ALERT, field: "", line: 1, words: ["not closed"] },
    );
  });

  it("reports front-matter lines as lines of the Markdown file", () => {
    expectRefused(
      { [TEST_ALERT]: replace("auto: true", "auto: yes") },
      { file: TEST_ALERT, field: "remediation.auto", line: 3, words: ["true or false", '"yes"'] },
    );
  });

  it("refuses a remediation handler that is not registered, listing the registered ones", () => {
    expectRefused(
      { [TEST_ALERT]: replace("handler: echo", "handler: restart") },
      {
        file: TEST_ALERT,
        field: "remediation.handler",
        line: 3,
        words: ['"restart"', "not registered", "echo, noop"],
      },
    );
  });

  it("refuses remediation params that the handler's schema rejects, naming the param", () => {
    expectRefused(
      {
        [TEST_ALERT]: replace(
          'params: { text: "hi {{labels.instance}}" }',
          "params: { text: 5, colour: red }",
        ),
      },
      {
        file: TEST_ALERT,
        field: "remediation.params.text",
        line: 3,
        words: ['handler "echo"', 'param "text"', "must be a string"],
      },
    );
    expectRefused(
      {
        [TEST_ALERT]: replace(
          'params: { text: "hi {{labels.instance}}" }',
          'params: { text: "x", colour: red }',
        ),
      },
      {
        file: TEST_ALERT,
        field: "remediation.params.colour",
        line: 3,
        words: ['param "colour"', "unknown field"],
      },
    );
  });

  it("refuses a remediation timeout that is not a duration", () => {
    expectRefused(
      { [TEST_ALERT]: replace("timeout: 30s", "timeout: half a minute") },
      {
        file: TEST_ALERT,
        field: "remediation.timeout",
        line: 3,
        words: ['"half a minute" is not a duration'],
      },
    );
  });

  it("skips README.md in runbooks/", () => {
    const config = load(configDir({ "runbooks/README.md": "# Runbooks\nOne file per alert.\n" }));
    expect(Object.keys(config.runbooks).sort()).toEqual(["OtherAlert", "TestAlert"]);
  });
});

describe("formats", () => {
  it("refuses a time zone that is not IANA, suggesting the closest", () => {
    const issue = expectRefused(
      { [TEAMS]: replace("timezone: Europe/Berlin", "timezone: Europe/Berlinn") },
      {
        file: TEAMS,
        field: "teams[0].timezone",
        line: 7,
        words: ['"Europe/Berlinn" is not an IANA time zone; use e.g. "Europe/Berlin"'],
      },
    );
    expect(issue.message).toBe('"Europe/Berlinn" is not an IANA time zone; use e.g. "Europe/Berlin"');
  });

  it("refuses time-zone abbreviations", () => {
    expectRefused(
      { [REVIEW]: replace("timezone: Europe/Berlin", "timezone: CET") },
      { file: REVIEW, field: "timezone", line: 4, words: ["not an IANA time zone"] },
    );
  });

  it("refuses a hand-off day that is not a weekday", () => {
    expectRefused(
      { [MAIN]: replace("day: mon", "day: monday") },
      {
        file: MAIN,
        field: "handoff.day",
        line: "handoff:",
        words: ['"monday" is not a weekday', "mon, tue"],
      },
    );
  });

  it("refuses a hand-off time outside 00:00-23:59", () => {
    expectRefused(
      { [MAIN]: replace('time: "10:00"', 'time: "24:00"') },
      {
        file: MAIN,
        field: "handoff.time",
        line: "handoff:",
        words: ['"24:00" is not a time of day', "HH:MM"],
      },
    );
  });

  it("refuses a shift in hours that does not divide a day", () => {
    expectRefused(
      { [MAIN]: replace("shift: 1w", "shift: 5h") },
      { file: MAIN, field: "shift", line: "shift:", words: ['"5h"', "divide a day"] },
    );
  });

  it("refuses a shift length without a valid unit", () => {
    expectRefused(
      { [MAIN]: replace("shift: 1w", "shift: 1 week") },
      { file: MAIN, field: "shift", line: "shift:", words: ["not a shift length", '"1w"'] },
    );
  });

  it("refuses working hours whose start is not before their end", () => {
    expectRefused(
      { [TEAMS]: replace('hours: "09:00-18:00"', 'hours: "18:00-09:00"') },
      { file: TEAMS, field: "teams[0].workdays.hours", line: 8, words: ["start must be before the end"] },
    );
  });

  it("refuses working hours that are not a range", () => {
    expectRefused(
      { [TEAMS]: replace('hours: "00:00-24:00"', 'hours: "all day"') },
      {
        file: TEAMS,
        field: "teams[1].workdays.hours",
        line: "all day",
        words: ["HH:MM-HH:MM", '"00:00-24:00"'],
      },
    );
  });

  it("refuses an unknown holiday country", () => {
    expectRefused(
      { [TEAMS]: replace("holidays: DE", "holidays: XX") },
      { file: TEAMS, field: "teams[0].workdays.holidays", line: 8, words: ['"XX"', "not a country"] },
    );
  });

  it("refuses an unknown holiday state and accepts a known one", () => {
    expectRefused(
      { [TEAMS]: replace("holidays: DE", "holidays: DE-XY") },
      {
        file: TEAMS,
        field: "teams[0].workdays.holidays",
        line: 8,
        words: ['"DE-XY" is not a state of DE', "DE-BY"],
      },
    );
    expect(
      load(configDir({ [TEAMS]: replace("holidays: DE", "holidays: DE-BY") })).teams[0]!.workdays.holidays,
    ).toBe("DE-BY");
  });

  it("refuses an escalation ack_timeout that is not a duration", () => {
    expectRefused(
      { [MAIN]: replace("ack_timeout: 15m", "ack_timeout: 15") },
      {
        file: MAIN,
        field: "escalation.ack_timeout",
        line: "escalation:",
        words: ["expected a duration", "got number 15"],
      },
    );
  });

  it("refuses negative or fractional escalation repeats", () => {
    expectRefused(
      { [MAIN]: replace("repeats: 2", "repeats: -1") },
      { file: MAIN, field: "escalation.repeats", line: "escalation:", words: ["at least 0"] },
    );
    expectRefused(
      { [MAIN]: replace("repeats: 2", "repeats: 1.5") },
      { file: MAIN, field: "escalation.repeats", words: ["whole number"] },
    );
  });

  it("refuses a load-limit window that is not whole weeks", () => {
    expectRefused(
      { [MAIN]: replace("window: 4w", "window: 10d") },
      {
        file: MAIN,
        field: "load_limits.window",
        line: "load_limits:",
        words: ['"10d" is not a whole number of weeks'],
      },
    );
  });

  it("refuses a pages_per_week below 1", () => {
    expectRefused(
      { [MAIN]: replace("pages_per_week: 20", "pages_per_week: 0") },
      { file: MAIN, field: "load_limits.pages_per_week", words: ["at least 1"] },
    );
  });

  it("refuses a start that is not a calendar date", () => {
    expectRefused(
      { [MAIN]: replace("start: 2026-01-05", "start: 2026-02-30") },
      { file: MAIN, field: "start", line: "start:", words: ['"2026-02-30" is not a date', "YYYY-MM-DD"] },
    );
  });

  it("refuses a channel name where a Slack channel id belongs", () => {
    expectRefused(
      { [TEAMS]: replace("channel: C0ALPHA", 'channel: "#alpha"') },
      { file: TEAMS, field: "teams[0].channel", line: 5, words: ['"#alpha" is not a Slack channel id'] },
    );
  });

  it("refuses a user name where a Slack user id belongs", () => {
    expectRefused(
      { [MAIN]: replace("admins: [U0ADMIN]", "admins: [alice]") },
      { file: MAIN, field: "admins[0]", line: "admins:", words: ['"alice" is not a Slack user id'] },
    );
  });

  it("refuses a lower-case or spaced id", () => {
    expectRefused(
      { [SERVICES]: replace("id: alpha-api", "id: Alpha API") },
      { file: SERVICES, field: "services[0].id", line: 3, words: ["not a valid id"] },
    );
  });

  it("refuses label matchers with a non-string value or no labels", () => {
    expectRefused(
      { [SERVICES]: replace("{ job: alpha-api }", "{ job: alpha-api, port: 8080 }") },
      {
        file: SERVICES,
        field: "services[0].match.port",
        line: 5,
        words: ["label value in quotes", "got number 8080"],
      },
    );
    expectRefused(
      { [SERVICES]: replace("{ job: alpha-api }", "{}") },
      { file: SERVICES, field: "services[0].match", line: 5, words: ["match every alert"] },
    );
  });

  it("refuses a review day that is not a weekday", () => {
    expectRefused(
      { [REVIEW]: replace("day: mon", "day: monday") },
      { file: REVIEW, field: "day", line: 2, words: ["not a weekday"] },
    );
  });
});
