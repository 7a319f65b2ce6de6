// `cp .env.example .env && npm start` must work: the entry reads .env from its working folder, and a
// variable set in the environment (even to "") keeps its value over the file's.

import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { loadDotEnv } from "../../src/config/dotenv";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "oncall-dotenv-"));
  dirs.push(d);
  return d;
};
const NAMES = ["ONCALL_DOTENV_FROM_FILE", "ONCALL_DOTENV_SET", "ONCALL_DOTENV_EMPTY"];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  for (const n of NAMES) delete process.env[n];
});

describe("loadDotEnv", () => {
  it("adds the file's variables and leaves those already set, even empty, as they are", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, ".env"),
      "# a comment\nONCALL_DOTENV_FROM_FILE=from-file\nONCALL_DOTENV_SET=from-file\nONCALL_DOTENV_EMPTY=from-file\n",
    );
    process.env.ONCALL_DOTENV_SET = "from-env";
    process.env.ONCALL_DOTENV_EMPTY = "";
    expect(loadDotEnv(join(dir, ".env"))).toBe(true);
    expect(process.env.ONCALL_DOTENV_FROM_FILE).toBe("from-file");
    expect(process.env.ONCALL_DOTENV_SET).toBe("from-env");
    expect(process.env.ONCALL_DOTENV_EMPTY).toBe("");
  });

  it("does nothing without a file", () => {
    expect(loadDotEnv(join(tempDir(), ".env"))).toBe(false);
    expect(process.env.ONCALL_DOTENV_FROM_FILE).toBeUndefined();
  });
});

describe("the entry", () => {
  // The settings check runs before anything connects, so a bad PORT in .env ends the process early
  // with a message that proves the file's other variables were read.
  const run = (cwd: string, env: Record<string, string>) => {
    const base = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(SLACK_|ALERT_WEBHOOK_TOKEN$|PORT$|REDIS_|ONCALL_|LOG_LEVEL$|REMEDIATION_)/.test(k),
      ),
    );
    return promisify(execFile)(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "src", "main.ts")], {
      cwd,
      env: { ...base, ...env },
      timeout: 20_000,
    }).then(
      () => ({ code: 0, stderr: "" }),
      (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
    );
  };
  const DOTENV = [
    "SLACK_BOT_TOKEN=xoxb-from-dotenv",
    "SLACK_SIGNING_SECRET=secret-from-dotenv",
    "ALERT_WEBHOOK_TOKEN=token-from-dotenv-0123456789",
    "PORT=not-a-port",
  ].join("\n");

  it("reads .env from its working folder", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, ".env"), DOTENV);
    const r = await run(cwd, {});
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("PORT must be a port number");
    expect(r.stderr).not.toContain("SLACK_BOT_TOKEN");
    expect(r.stderr).not.toContain("ALERT_WEBHOOK_TOKEN");
  });

  it("lets the environment win over .env, an empty variable too", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, ".env"), DOTENV);
    // A good PORT from the environment hides the file's bad one; the empty token still fails.
    const r = await run(cwd, { PORT: "3999", SLACK_BOT_TOKEN: "" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SLACK_BOT_TOKEN");
    expect(r.stderr).not.toContain("PORT");
  });
});
