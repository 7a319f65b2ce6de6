import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { commandHandler } from "../../handlers/command";
import { CommandExitError, HandlerAbortedError } from "../../handlers/errors";
import { contextFor, isAlive, type TestContextOptions, waitUntil } from "./helpers";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "oncall-command-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

function run(params: unknown, options?: TestContextOptions) {
  return commandHandler.run(contextFor(commandHandler, params, options));
}

async function readPid(path: string): Promise<number> {
  await waitUntil(() => existsSync(path), 2_000);
  return Number((await readFile(path, "utf8")).trim());
}

/** Sets env vars for one test and puts the old values back. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("command", () => {
  it("exit 0 is ok, with the last line of stdout as summary", async () => {
    const exe = await script("ok.sh", 'echo "restarting"\necho "restarted 3 pods"\necho "warming up" >&2');
    const outcome = await run({ executable: exe });

    expect(outcome).toMatchObject({ ok: true, summary: "restarted 3 pods" });
    expect(outcome.details).toContain("restarting");
    expect(outcome.details).toContain("warming up");
  });

  it("a non-zero exit throws a retryable CommandExitError with code and stderr tail", async () => {
    const exe = await script("fail.sh", 'echo "trying" \necho "disk full" >&2\nexit 3');
    const error = await run({ executable: exe }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CommandExitError);
    expect(error).toMatchObject({ exitCode: 3, exitSignal: null, retryable: true });
    expect((error as CommandExitError).stderrTail).toBe("disk full");
    expect((error as Error).message).toContain("exited with code 3: disk full");
  });

  it("kills the script and what it started when the signal fires", async () => {
    const exe = await script("slow.sh", 'echo $$ > "$1"\nsleep 30 &\necho $! > "$2"\nwait');
    const started = Date.now();
    const pending = run(
      { executable: exe, args: [join(dir, "sh.pid"), join(dir, "sleep.pid")] },
      { signal: AbortSignal.timeout(300) },
    ).catch((e: unknown) => e);
    const shellPid = await readPid(join(dir, "sh.pid"));
    const sleepPid = await readPid(join(dir, "sleep.pid"));
    const error = await pending;

    expect(error).toBeInstanceOf(HandlerAbortedError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await waitUntil(() => !isAlive(shellPid) && !isAlive(sleepPid), 2_000)).toBe(true);
  });

  it("SIGKILLs a script that ignores SIGTERM after a short grace", async () => {
    const exe = await script("stubborn.sh", "trap '' TERM\necho $$ > \"$1\"\nsleep 30");
    const started = Date.now();
    const pending = run(
      { executable: exe, args: [join(dir, "sh.pid")] },
      { signal: AbortSignal.timeout(200) },
    ).catch((e: unknown) => e);
    const pid = await readPid(join(dir, "sh.pid"));

    expect(await pending).toBeInstanceOf(HandlerAbortedError);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await waitUntil(() => !isAlive(pid), 2_000)).toBe(true);
  });

  it("passes labels as ALERT_* variables, alert fields last, plus the runbook's env", async () => {
    const exe = await script(
      "env.sh",
      'printf "%s|%s|%s|%s|%s|%s\\n" "$ALERT_JOB" "$ALERT_APP_KUBERNETES_IO_NAME" "$ALERT_NAME" "$ALERT_ID" "$ALERT_FINGERPRINT" "$REGION"',
    );
    const outcome = await run(
      { executable: exe, env: { REGION: "eu-1" } },
      { alert: { labels: { job: "stream-api", "app.kubernetes.io/name": "player", name: "shadow" } } },
    );

    expect(outcome.summary).toBe("stream-api|player|HighErrorRate|a1b2c3|f00dfeed|eu-1");
  });

  it("keeps shell metacharacters in labels inert: argv and env arrive literally", async () => {
    const pwned = join(tmpdir(), `pwned-${process.pid}-${Date.now()}`);
    const home = join(dir, "home");
    await mkdir(home);
    await writeFile(join(home, "canary"), "still here");
    const evil = `$(touch ${pwned}); rm -rf ~`;
    const semi = "; echo hacked";
    const out = join(dir, "argv.txt");
    const exe = await script(
      "argv.sh",
      `printf '%s\\n' "$@" > "${out}"\nprintf '%s\\n' "$ALERT_EVIL" >> "${out}"\necho done`,
    );

    // If a shell ever got involved, `rm -rf ~` would hit this throwaway HOME, not the real one.
    const outcome = await withEnv({ HOME: home }, () =>
      run(
        { executable: exe, args: ["{{labels.evil}}", "{{labels.semi}}", "x-{{labels.evil}}"] },
        { alert: { labels: { evil, semi } } },
      ),
    );

    expect(outcome).toMatchObject({ ok: true, summary: "done" });
    expect((await readFile(out, "utf8")).split("\n")).toEqual([evil, semi, `x-${evil}`, evil, ""]);
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(join(home, "canary"))).toBe(true);
    expect(outcome.details).not.toMatch(/^hacked$/m);
  });

  it("does not leak the bot's environment (SLACK_BOT_TOKEN) to the script", async () => {
    const exe = await script("dump.sh", "env");
    const outcome = await withEnv(
      { SLACK_BOT_TOKEN: "xoxb-very-secret", REDIS_URL: "redis://:pw@db:6379" },
      () => run({ executable: exe }),
    );

    expect(outcome.ok).toBe(true);
    expect(outcome.details).not.toContain("xoxb-very-secret");
    expect(outcome.details).not.toContain("SLACK_BOT_TOKEN");
    expect(outcome.details).not.toContain("REDIS_URL");
    const names = outcome
      .details!.split("\n")
      .filter((l) => l.includes("="))
      .map((l) => l.slice(0, l.indexOf("=")));
    // PWD, SHLVL and _ are added by sh itself.
    const allowed = new Set(["PATH", "HOME", "LANG", "PWD", "SHLVL", "_", "OLDPWD"]);
    expect(names.filter((n) => !allowed.has(n) && !n.startsWith("ALERT_"))).toEqual([]);
    expect(names).toContain("ALERT_JOB");
  });

  it("returns ok:false, not a retry, when the executable does not exist", async () => {
    const outcome = await run({ executable: join(dir, "no-such-script") });

    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toContain("no such executable");
  });

  it("returns ok:false when cwd does not exist, and runs in cwd when it does", async () => {
    const missing = await run({ executable: "pwd", cwd: join(dir, "nope") });
    expect(missing.ok).toBe(false);
    expect(missing.summary).toContain("does not exist");

    const here = await run({ executable: "pwd", cwd: dir });
    expect(here).toMatchObject({ ok: true, summary: dir });
  });

  it("refuses an unknown template reference without running anything", async () => {
    const marker = join(dir, "ran");
    const exe = await script("mark.sh", `touch "${marker}"`);
    const outcome = await run({ executable: exe, args: ["{{labels.nope}}"] });

    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toContain("{{labels.nope}}");
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses a label that would turn an argument into an option, without running anything", async () => {
    const marker = join(dir, "ran");
    const exe = await script("mark.sh", `touch "${marker}"`);
    const outcome = await run(
      { executable: exe, args: ["delete", "{{labels.pod}}"] },
      { alert: { labels: { pod: "--all" } } },
    );

    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toContain('would start with "-"');
    expect(existsSync(marker)).toBe(false);
  });

  it("still fills a dash-led label into an option's own value and after --", async () => {
    const out = join(dir, "argv.txt");
    const exe = await script("argv.sh", `printf '%s\\n' "$@" > "${out}"\necho done`);
    const outcome = await run(
      { executable: exe, args: ["--offset={{labels.offset}}", "--", "{{labels.name}}"] },
      { alert: { labels: { offset: "-5", name: "-api" } } },
    );

    expect(outcome).toMatchObject({ ok: true, summary: "done" });
    expect((await readFile(out, "utf8")).split("\n")).toEqual(["--offset=-5", "--", "-api", ""]);
  });

  it("stops a script whose output passes 1 MiB", async () => {
    const exe = await script(
      "flood.sh",
      "while :; do echo xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; done",
    );
    const outcome = await run({ executable: exe });

    expect(outcome.ok).toBe(false);
    expect(outcome.summary).toContain("more than 1 MiB");
  });

  it("keeps to its timeout when a descendant leaves the process group holding the output pipes", async () => {
    const escapedPidFile = join(dir, "escaped.pid");
    // A detached child (setsid) survives the process-group kill and keeps stdout open.
    const detach =
      "const c = require('child_process').spawn('sleep', ['30'], { detached: true, stdio: ['ignore', 1, 2] });" +
      "require('fs').writeFileSync(process.argv[1], String(c.pid)); c.unref();";
    const exe = await script("escape.sh", `"${process.execPath}" -e "${detach}" "$1"\nsleep 30`);
    const started = Date.now();
    const pending = run(
      { executable: exe, args: [escapedPidFile] },
      { signal: AbortSignal.timeout(300) },
    ).catch((e: unknown) => e);
    const escaped = await readPid(escapedPidFile);
    try {
      const error = await Promise.race([
        pending,
        new Promise((r) => setTimeout(() => r("still running"), 5_000)),
      ]);
      expect(error).toBeInstanceOf(HandlerAbortedError);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      if (isAlive(escaped)) process.kill(escaped, "SIGKILL");
    }
  });

  it("does not start when the signal has already fired", async () => {
    const marker = join(dir, "ran");
    const exe = await script("mark.sh", `touch "${marker}"`);
    const error = await run({ executable: exe }, { signal: AbortSignal.abort() }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HandlerAbortedError);
    expect(existsSync(marker)).toBe(false);
  });
});
