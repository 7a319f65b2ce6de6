// schedules/heartbeats.yaml: optional, validated like the rest of the config, each problem named
// by file, line and field with the fix.

import { afterEach, describe, expect, it } from "vitest";
import { readSettings } from "../../../src/config/env";
import { loadConfig } from "../../../src/config/load";
import {
  configDir,
  expectIssue,
  expectRefused,
  issuesOf,
  load,
  MINIMAL_ENV,
  REPO_ROOT,
  removeConfigDirs,
} from "../../config/helpers";

afterEach(removeConfigDirs);

const FILE = "schedules/heartbeats.yaml";
const RUNBOOK = `---
alert: HeartbeatMissed
---
## Context
A heartbeat stopped pinging.

## Meaning
Its sender is down.
`;

function withHeartbeats(yaml: string, runbook: string | null = RUNBOOK) {
  return { [FILE]: yaml, ...(runbook === null ? {} : { "runbooks/HeartbeatMissed.md": runbook }) };
}

const VALID = `heartbeats:
  - name: prometheus-prod
    interval: 5m
    grace: 1m
    rotation: main
    alertname: Watchdog
  - name: backup
    interval: 10s
    team: beta
`;

describe("schedules/heartbeats.yaml", () => {
  it("is optional: without it there are no heartbeats", () => {
    expect(load(configDir()).heartbeats).toEqual([]);
  });

  it("reads intervals and grace as durations, the target and the pinging alert", () => {
    expect(load(configDir(withHeartbeats(VALID))).heartbeats).toEqual([
      {
        name: "prometheus-prod",
        intervalMs: 300_000,
        graceMs: 60_000,
        target: { kind: "rotation", id: "main" },
        alertname: "Watchdog",
      },
      {
        name: "backup",
        intervalMs: 10_000,
        graceMs: 0,
        target: { kind: "team", id: "beta" },
        alertname: null,
      },
    ]);
  });

  // An interval under 10s, a duration that is none, an unknown field (with a did-you-mean).
  it.each([
    ["interval: 10s", "interval: 9s", "heartbeats[1].interval", ['shorter than the minimum "10s"']],
    ["grace: 1m", "grace: soon", "heartbeats[0].grace", ['"soon" is not a duration', '"15m"']],
    ["grace: 1m", "grase: 1m", "heartbeats[0].grase", ['unknown field "grase"', "grace"]],
  ])("refuses %s changed to %s, naming the field and the fix", (from, to, field, words) => {
    expectRefused(withHeartbeats(VALID.replace(from, to)), { file: FILE, field, line: to, words });
  });

  it("wants exactly one of rotation and team", () => {
    expectRefused(withHeartbeats(VALID.replace("    team: beta\n", "")), {
      file: FILE,
      field: "heartbeats[1].rotation",
      words: ["rotation: <rotation id> or team: <team id>"],
    });
    expectRefused(withHeartbeats(VALID.replace("team: beta", "team: beta\n    rotation: main")), {
      file: FILE,
      field: "heartbeats[1].team",
      words: ["either rotation or team, not both"],
    });
  });

  it("refuses a rotation or team that does not exist, with a did-you-mean", () => {
    const dir = configDir(
      withHeartbeats(VALID.replace("rotation: main", "rotation: mian").replace("team: beta", "team: betta")),
    );
    const issues = issuesOf(dir);
    expectIssue(dir, issues, {
      file: FILE,
      field: "heartbeats[0].rotation",
      line: "rotation: mian",
      words: ['rotation "mian" is not defined in schedules/rotations/', '"main"'],
    });
    expectIssue(dir, issues, {
      file: FILE,
      field: "heartbeats[1].team",
      line: "team: betta",
      words: ['team "betta" is not defined in schedules/teams.yaml', '"beta"'],
    });
  });

  it("refuses a repeated name and an alert pinging two heartbeats", () => {
    const twice = `${VALID}  - name: backup\n    interval: 1m\n    team: alpha\n    alertname: Watchdog\n`;
    const dir = configDir(withHeartbeats(twice));
    const issues = issuesOf(dir);
    expectIssue(dir, issues, {
      file: FILE,
      field: "heartbeats[2].name",
      words: ['heartbeat name "backup" is already used by heartbeats[1]'],
    });
    expectIssue(dir, issues, {
      file: FILE,
      field: "heartbeats[2].alertname",
      words: ['alert "Watchdog" already pings heartbeats[0]'],
    });
  });

  it("wants a runbook entry for HeartbeatMissed, since a miss pages", () => {
    expectRefused(withHeartbeats(VALID, null), {
      file: FILE,
      field: "heartbeats",
      line: "heartbeats:",
      words: ["add runbooks/HeartbeatMissed.md"],
    });
  });

  it("the example organisation's heartbeats load", () => {
    const config = loadConfig(REPO_ROOT);
    expect(config.heartbeats.map((h) => h.name)).toEqual(["prometheus-prod", "payments-nightly-settlement"]);
    expect(config.runbooks.HeartbeatMissed?.context.length).toBeGreaterThan(50);
  });
});

describe("HEARTBEAT_CHECK_EVERY", () => {
  const env = MINIMAL_ENV;

  it("defaults to 5s and takes a duration", () => {
    expect(readSettings(env).heartbeatCheckMs).toBe(5_000);
    expect(readSettings({ ...env, HEARTBEAT_CHECK_EVERY: "2s" }).heartbeatCheckMs).toBe(2_000);
  });

  it("refuses what is no duration of at least 1s, naming the variable", () => {
    for (const value of ["500ms", "soon", "0s"]) {
      expect(() => readSettings({ ...env, HEARTBEAT_CHECK_EVERY: value })).toThrow(
        /HEARTBEAT_CHECK_EVERY must be a duration of at least 1s/,
      );
    }
  });
});
