import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { checkConfig } from "../../src/config/check";
import { configDir, MINIMAL, REPO_ROOT, removeConfigDirs, replace, TEST_HANDLERS, tempDir } from "./helpers";

afterEach(removeConfigDirs);

const RULES = join(REPO_ROOT, "tests/fixtures/prometheus/rules.yaml");
const run = (args: string[], cwd = REPO_ROOT, env: Record<string, string | undefined> = {}) =>
  checkConfig(args, { handlers: TEST_HANDLERS, cwd, env });

describe("checkConfig", () => {
  it("summarises a valid config in one line and exits 0", () => {
    const result = run(["--config", MINIMAL]);
    expect(result).toEqual({
      exitCode: 0,
      lines: [`config ok: 2 teams, 2 services, 1 rotation, 2 runbooks (${MINIMAL.replace(/\/$/, "")})`],
    });
  });

  it("checks the shipped example with the real handler registry", () => {
    const result = checkConfig(["--config", REPO_ROOT, "--prometheus-rules", RULES]);
    expect(result.exitCode).toBe(0);
    expect(result.lines[0]).toMatch(/^config ok: 3 teams, 7 services, 1 rotation, 8 runbooks \(/);
    expect(result.lines[1]).toBe("prometheus rules ok: 8 alert rules in 1 file, each with a runbook entry");
  });

  it("defaults to $ONCALL_CONFIG_DIR, then the current directory", () => {
    expect(run([], REPO_ROOT, { ONCALL_CONFIG_DIR: MINIMAL }).lines[0]).toContain("2 teams");
    expect(run([], MINIMAL).lines[0]).toContain("2 teams");
  });

  it("fails naming the team that gives no engineer and its rotation file", () => {
    const dir = configDir({
      "schedules/rotations/main.yaml": replace("  - { user: U0B1, team: beta }\n", ""),
    });
    const result = run(["--config", dir]);
    expect(result.exitCode).toBe(1);
    expect(result.lines).toContain(
      'schedules/rotations/main.yaml:5 teams[1]: team "beta" gives no engineer to rotation "main": add a participant { user: <member of beta>, team: beta } to schedules/rotations/main.yaml (members: U0B1, U0B2)',
    );
    expect(result.lines.at(-1)).toBe(`config:check found 1 problem (${dir})`);
  });

  it("lists alert rules without a runbook entry, ignoring recording rules", () => {
    const dir = tempDir();
    const rules = join(dir, "api.yaml");
    writeFileSync(
      rules,
      [
        "groups:",
        "  - name: api",
        "    rules:",
        "      - record: job:errors:rate5m",
        "        expr: sum(rate(errors_total[5m]))",
        "      - alert: TestAlert",
        "        expr: up == 0",
        "      - alert: DiskFull",
        "        expr: disk_free < 0.01",
        "      - alert: DiskFull",
        "        expr: disk_free < 0.001",
      ].join("\n"),
    );
    const result = run(["--config", MINIMAL, "--prometheus-rules", "api.yaml"], dir);
    expect(result.exitCode).toBe(1);
    const runbookPath = join(MINIMAL, "runbooks/DiskFull.md");
    expect(result.lines[0]).toMatch(
      /^api\.yaml:8: alert "DiskFull" has no runbook entry; add .*runbooks\/DiskFull\.md$/,
    );
    expect(join(dir, result.lines[0]!.split("; add ")[1]!)).toBe(runbookPath);
    expect(result.lines).toHaveLength(2);
  });

  it("names runbooks relative to the current directory when that is the config dir", () => {
    const dir = configDir({
      "rules.yaml": "groups:\n  - name: x\n    rules:\n      - alert: DiskFull\n        expr: vector(1)\n",
    });
    const result = run(["--prometheus-rules", "rules.yaml"], dir);
    expect(result.lines[0]).toBe(
      'rules.yaml:4: alert "DiskFull" has no runbook entry; add runbooks/DiskFull.md',
    );
  });

  it("reports config problems and uncovered alerts together", () => {
    const dir = configDir({ "schedules/teams.yaml": replace("timezone: UTC", "timezone: Utc") });
    const result = run(["--config", dir, "--prometheus-rules", RULES]);
    expect(result.exitCode).toBe(1);
    expect(result.lines.some((l) => l.includes('"Utc" is not an IANA time zone'))).toBe(true);
    expect(result.lines.some((l) => l.includes('alert "HighErrorRate" has no runbook entry'))).toBe(true);
  });

  it("reports a rule file that cannot be read", () => {
    const result = run(["--config", MINIMAL, "--prometheus-rules", "missing.yaml"], tempDir());
    expect(result.exitCode).toBe(1);
    expect(result.lines[0]).toBe("missing.yaml: cannot be read (ENOENT)");
  });

  it.each([
    [["--bogus"], "unknown argument"],
    [["--config"], "--config needs a directory"],
    [["--prometheus-rules"], "--prometheus-rules needs at least one file"],
    [["--prometheus-rules", "--config", "x"], "--prometheus-rules needs at least one file"],
    [["stray"], "unknown argument"],
  ])("exits 2 with usage for %j", (args, message) => {
    const result = run(args);
    expect(result.exitCode).toBe(2);
    expect(result.lines[0]).toContain(message);
    expect(result.lines.join("\n")).toContain("usage: npm run config:check");
  });

  it("accepts --flag=value and several rule files after one flag", () => {
    const result = checkConfig([`--config=${REPO_ROOT}`, "--prometheus-rules", RULES, RULES]);
    expect(result.exitCode).toBe(0);
    expect(result.lines[1]).toContain("16 alert rules in 2 files");
  });
});

describe("the config:check CLI", () => {
  const exec = promisify(execFile);
  const cli = (args: string[]) =>
    exec("npx", ["tsx", "src/config/check-cli.ts", ...args], { cwd: REPO_ROOT }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );

  it("exits 0 on the shipped example, 1 on a broken config, 2 on bad usage", async () => {
    const [ok, broken, usage] = await Promise.all([
      cli(["--prometheus-rules", "tests/fixtures/prometheus/rules.yaml"]),
      cli(["--config", configDir({ "schedules/teams.yaml": null })]),
      cli(["--nope"]),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^config ok: 3 teams/);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain("schedules/teams.yaml: file not found");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage:");
  });
});
