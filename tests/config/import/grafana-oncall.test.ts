import { afterEach, describe, expect, it } from "vitest";
import { buildConfig } from "../../../src/config/import/build";
import { runImport } from "../../../src/config/import/cli";
import { grafanaSource, parseGrafanaOncall } from "../../../src/config/import/grafana-oncall";
import { check, fixture, importSample, load, NOW, outDir, read, readFixture, removeOutDirs } from "./helpers";

afterEach(removeOutDirs);

function source() {
  return grafanaSource(parseGrafanaOncall(readFixture("grafana-oncall.json"), "grafana-oncall.json"));
}

describe("Grafana OnCall import", () => {
  it("turns the sample into config that passes config:check", async () => {
    const { dir, run, text } = await importSample("grafana-oncall");
    expect(run.exitCode, text).toBe(0);
    expect(check(dir)).toMatchObject({ exitCode: 0 });

    const config = load(dir);
    const [payments, search] = config.rotations;
    expect(payments).toMatchObject({
      id: "payments",
      channel: "C0PAYMENTS",
      timezone: "America/New_York",
      start: "2026-01-05",
      handoff: { day: "mon", time: { hour: 10, minute: 0 } },
      shift: { unit: "w", amount: 1 },
      participants: [
        { user: "U01AAA", team: "payments" },
        { user: "U01BBB", team: "payments" },
        { user: "U01CCC", team: "payments" },
      ],
    });
    // The shift has no time_zone: the schedule's; start_rotation_from_user_index 1 puts Erin first.
    expect(search).toMatchObject({
      id: "search",
      channel: "C0SEARCH",
      timezone: "Europe/London",
      start: "2026-02-02",
      handoff: { time: { hour: 8, minute: 0 } },
      shift: { unit: "d", amount: 1 },
      participants: [
        { user: "U02BBB", team: "search" },
        { user: "U02AAA", team: "search" },
      ],
    });
  });

  it("uses the Slack ids and channels the export holds; only the rest need filling in", async () => {
    const dir = outDir();
    const run = await runImport(["grafana-oncall", fixture("grafana-oncall.json"), "--out", dir], {
      now: NOW,
      env: {},
    });
    const text = run.lines.join("\n");
    expect(text).toContain("4 from the export");
    // Carol has no Slack identity in Grafana OnCall and there is no token to look her up.
    expect(run.exitCode).toBe(1);
    expect(text).toContain(
      'carol@example.com has no Slack id (not in the --people mapping, and not found by users.lookupByEmail): replace "TODO: Slack id of carol@example.com" in every file',
    );
    const problems = check(dir).lines.filter((l) => !l.startsWith("config:check found"));
    expect(problems.length).toBeGreaterThan(0);
    for (const line of problems)
      expect(line).toContain('"TODO: Slack id of carol@example.com" is not a Slack user id');
    expect(load.bind(null, dir)).toThrow();
    expect(read(dir, "schedules/teams.yaml")).toContain("channel: C0PAYMENTS");
  });

  it("keeps the override still to come and drops the past one", () => {
    const result = buildConfig(source(), { now: NOW, slackIds: new Map([["UCAROL5T8R3WM", "U01CCC"]]) });
    const payments = result.rotations.find((r) => r.id === "payments")!;
    // 17:00 New York on 18 December, for 230400 s (64 h).
    expect(payments.overrides.map((o) => [o.user, o.from.toISOString(), o.to.toISOString()])).toEqual([
      ["U01CCC", "2026-12-18T22:00:00.000Z", "2026-12-21T14:00:00.000Z"],
    ]);
    expect(result.notes.filter((n) => n.kind === "dropped").map((n) => n.message)).toEqual([
      "override by bob@example.com 2026-11-20T14:00:00.000Z – 2026-11-22T14:00:00.000Z is over; not imported",
    ]);
  });

  it("--merge says a note both schedules share once, under merged.yaml", () => {
    const merged = buildConfig(source(), { now: NOW, slackIds: new Map(), merge: true });
    const escalation = merged.notes.filter((n) => n.message.startsWith("escalation is not part of"));
    expect(escalation).toEqual([
      {
        kind: "info",
        file: "schedules/rotations/merged.yaml",
        message: "escalation is not part of the Grafana OnCall export; used ack_timeout 15m, repeats 2",
      },
    ]);
  });

  it("lists the time-restricted, higher-level shift it cannot express", async () => {
    const unsupported = buildConfig(source(), { now: NOW, slackIds: new Map() })
      .notes.filter((n) => n.kind === "unsupported")
      .map((n) => n.message);
    expect(unsupported).toEqual([
      expect.stringMatching(
        /^layer "Weekend pair" .*only on SA, SU, 12h from 09:00\) takes over from the imported layer/,
      ),
    ]);
    const { dir } = await importSample("grafana-oncall");
    expect(read(dir, "schedules/rotations/payments.yaml")).toContain('# - layer "Weekend pair"');
  });
});
