import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { runImport } from "../../../src/config/import/cli";
import {
  CHANNELS,
  check,
  fixture,
  NOW,
  outDir,
  PEOPLE,
  REPO_ROOT,
  read,
  readFixture,
  removeOutDirs,
} from "./helpers";

afterEach(removeOutDirs);

const run = promisify(execFile);

function writeExport(data: unknown): string {
  const file = join(outDir(), "export.json");
  writeFileSync(file, JSON.stringify(data));
  return file;
}

function importFile(product: string, file: string, extra: readonly string[] = []) {
  const dir = outDir();
  return runImport([product, file, "--out", dir, "--people", PEOPLE, ...extra], { now: NOW, env: {} }).then(
    (r) => ({ dir, exitCode: r.exitCode, text: r.lines.join("\n") }),
  );
}

describe("npm run import", () => {
  it("names the file and the field of a malformed export", async () => {
    const data = readFixture("opsgenie.json") as {
      schedules: { data: { rotations: Record<string, unknown>[] }[] };
      users: { data: Record<string, unknown>[] };
    };
    data.schedules.data[0]!.rotations[1]!.type = "monthly";
    delete data.users.data[2]!.username;
    const file = writeExport(data);
    const { exitCode, text } = await importFile("opsgenie", file);
    expect(exitCode).toBe(1);
    expect(text).toBe(
      [
        `import failed: ${file} is not an Opsgenie export as documented:`,
        `${file}: schedules.data[0].rotations[1].type: expected one of daily, weekly, hourly, got "monthly"`,
        `${file}: users.data[2].username: expected the user's login (their email), got nothing`,
      ].join("\n"),
    );
  });

  it("says which response is missing from a PagerDuty export", async () => {
    const data = readFixture("pagerduty.json") as Record<string, unknown>;
    delete data.escalation_policies;
    const file = writeExport(data);
    const { exitCode, text } = await importFile("pagerduty", file);
    expect(exitCode).toBe(1);
    expect(text).toContain(
      `${file}: escalation_policies: expected a response with a "escalation_policies" list, or an array of such pages, got nothing`,
    );
  });

  it("exits 1 from the command line on a malformed export, 2 on bad usage", { timeout: 60_000 }, async () => {
    const file = writeExport({ schedules: { results: [] }, on_call_shifts: "nope", users: { results: [] } });
    const notJson = join(outDir(), "broken.json");
    writeFileSync(notJson, "{ not json");
    const cli = join(REPO_ROOT, "src/config/import/cli.ts");
    const tsx = join(REPO_ROOT, "node_modules/.bin/tsx");
    const exit = (args: string[]) =>
      run(tsx, [cli, ...args]).catch((e: { code: number; stderr: string }) => e);
    const [failed, usage, unreadable] = await Promise.all([
      exit(["grafana-oncall", file, "--out", outDir()]),
      exit(["victorops", file]),
      exit(["pagerduty", notJson, "--out", outDir()]),
    ]);
    expect(failed).toMatchObject({ code: 1 });
    expect(failed.stderr).toContain(`${file}: on_call_shifts: expected a response with a "results" list`);
    expect(usage).toMatchObject({ code: 2 });
    expect(usage.stderr).toContain(
      'unknown product "victorops"; use one of opsgenie, pagerduty, grafana-oncall',
    );
    expect(unreadable).toMatchObject({ code: 1 });
    expect(unreadable.stderr).toContain(`${notJson}: not valid JSON`);
  });

  it("without channels, writes TODOs that config:check reports at their lines, each listed to fill in", async () => {
    const { dir, exitCode, text } = await importFile("opsgenie", fixture("opsgenie.json"));
    expect(exitCode).toBe(1);
    expect(read(dir, "schedules/teams.yaml")).toContain(
      'channel: "TODO: Slack channel id for team payments"',
    );
    const problems = check(dir).lines.filter((l) => !l.startsWith("config:check found"));
    expect(problems).toEqual([
      expect.stringMatching(
        /^schedules\/teams\.yaml:\d+ teams\[0\]\.channel: "TODO: Slack channel id for team payments"/,
      ),
      expect.stringMatching(
        /^schedules\/teams\.yaml:\d+ teams\[1\]\.channel: "TODO: Slack channel id for team search"/,
      ),
      expect.stringMatching(
        /^schedules\/rotations\/payments-schedule\.yaml:\d+ channel: "TODO: Slack channel id for rotation payments-schedule"/,
      ),
      expect.stringMatching(
        /^schedules\/rotations\/search-schedule\.yaml:\d+ channel: "TODO: Slack channel id for rotation search-schedule"/,
      ),
    ]);
    for (const p of problems) expect(text).toContain(p);
    expect(text).toContain(
      'team "payments": channel — the Slack channel id where its hand-offs and escalations go',
    );
  });

  it("--merge with a team that has no schedule reports the bot's first rule as the thing to fill in", async () => {
    const data = readFixture("opsgenie.json") as { schedules: { data: unknown[] } };
    data.schedules.data.splice(1, 1);
    const { dir, exitCode, text } = await importFile("opsgenie", writeExport(data), [
      "--merge",
      "--channels",
      CHANNELS,
    ]);
    expect(exitCode).toBe(1);
    expect(text).toContain(
      'team "search" gives no engineer to the merged rotation (the bot\'s first rule): add a participant { user: <member of search>, team: search }',
    );
    expect(check(dir).lines[0]).toMatch(
      /^schedules\/rotations\/merged\.yaml:\d+ teams\[1\]: team "search" gives no engineer to rotation "merged": add a participant \{ user: <member of search>, team: search \}.*\(members: U02AAA, U02BBB, U02CCC\)/,
    );
  });

  it("does not overwrite an existing config unless told to", async () => {
    const dir = outDir();
    const args = [
      "pagerduty",
      fixture("pagerduty.json"),
      "--out",
      dir,
      "--people",
      PEOPLE,
      "--channels",
      CHANNELS,
    ];
    expect((await runImport(args, { now: NOW, env: {} })).exitCode).toBe(0);
    const again = await runImport(args, { now: NOW, env: {} });
    expect(again.exitCode).toBe(1);
    expect(again.lines[0]).toMatch(
      /schedules\/teams\.yaml already exists; pass --out to write elsewhere, or --force/,
    );
    expect((await runImport([...args, "--force"], { now: NOW, env: {} })).exitCode).toBe(0);
  });

  it("says that runbooks are not imported and how config:check finds the missing ones", async () => {
    const { text } = await importFile("pagerduty", fixture("pagerduty.json"), ["--channels", CHANNELS]);
    expect(text).toContain("runbooks are not imported");
    expect(text).toContain("npm run config:check -- --prometheus-rules");
  });
});
