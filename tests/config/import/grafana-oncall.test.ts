import { afterEach, describe, expect, it } from "vitest";
import { runImport } from "../../../src/config/import/cli";
import {
  buildSample,
  check,
  fixture,
  importChecked,
  importSample,
  load,
  NOW,
  notesOf,
  outDir,
  read,
  removeOutDirs,
  summary,
} from "./helpers";

afterEach(removeOutDirs);

describe("Grafana OnCall import", () => {
  it("turns the sample into config that passes config:check", async () => {
    const config = await importChecked("grafana-oncall");
    // The search shift has no time_zone: the schedule's; start_rotation_from_user_index 1 puts Erin first.
    expect(config.rotations.map(summary)).toEqual([
      "payments: 1w from 2026-01-05, mon 10:00 America/New_York; U01AAA (payments), U01BBB (payments), U01CCC (payments)",
      "search: 1d from 2026-02-02, 08:00 Europe/London; U02BBB (search), U02AAA (search)",
    ]);
    expect(config.rotations.map((r) => r.channel)).toEqual(["C0PAYMENTS", "C0SEARCH"]);
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
    const result = buildSample("grafana-oncall", new Map([["UCAROL5T8R3WM", "U01CCC"]]));
    const payments = result.rotations.find((r) => r.id === "payments")!;
    // 17:00 New York on 18 December, for 230400 s (64 h).
    expect(payments.overrides.map((o) => [o.user, o.from.toISOString(), o.to.toISOString()])).toEqual([
      ["U01CCC", "2026-12-18T22:00:00.000Z", "2026-12-21T14:00:00.000Z"],
    ]);
    expect(notesOf(result, "dropped")).toEqual([
      "override by bob@example.com 2026-11-20T14:00:00.000Z – 2026-11-22T14:00:00.000Z is over; not imported",
    ]);
  });

  it("--merge says a note both schedules share once, under merged.yaml", () => {
    const merged = buildSample("grafana-oncall", new Map(), { merge: true });
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
    const unsupported = notesOf(buildSample("grafana-oncall", new Map()), "unsupported");
    expect(unsupported).toEqual([
      expect.stringMatching(
        /^layer "Weekend pair" .*only on SA, SU, 12h from 09:00\) takes over from the imported layer/,
      ),
    ]);
    const { dir } = await importSample("grafana-oncall");
    expect(read(dir, "schedules/rotations/payments.yaml")).toContain('# - layer "Weekend pair"');
  });
});
