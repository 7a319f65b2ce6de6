// Runs a local executable (a script next to the runbooks, a CLI) with the alert as data.
//
// Never through a shell: spawn with `shell: false`, templates fill whole argv strings, and the
// alert's labels arrive as ALERT_* environment variables, so no label value is ever parsed as code.
// The child gets a minimal environment (PATH, HOME, LANG) so the bot's secrets (SLACK_BOT_TOKEN,
// REDIS_URL with a password…) never reach a script.

import { type ChildProcess, type ChildProcessByStdio, spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { z } from "zod";
import { defineHandler } from "./define";
import { CommandExitError, HandlerAbortedError, RetryableHandlerError, TemplateError } from "./errors";
import { hasReferences, renderTemplate, type TemplateReference, templatedString } from "./template";
import type { RemediationAlert } from "./types";

const NAME = "command";
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INHERITED_ENV = ["PATH", "HOME", "LANG"] as const;
const MAX_BUFFER = 1024 * 1024;
/** Between SIGTERM and SIGKILL when a run is aborted: time for a script to clean up. */
const KILL_GRACE_MS = 2_000;
const TAIL_LINES = 10;
const TAIL_CHARS = 2_000;
/** Failures to start that will not go away by retrying: the runbook names a bad path. */
const PERMANENT_SPAWN_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such executable (or its #! interpreter is missing)",
  EACCES: "permission denied (is it executable?)",
  ENOTDIR: "a component of the path is not a directory",
  ENOEXEC: "not an executable format (missing #! line?)",
};

const stringError = (what: string) => ({
  error: (issue: { input: unknown }) =>
    issue.input === undefined ? `${what} is required` : `${what} must be a string (quote numbers in YAML)`,
});

const envSchema = z
  .record(z.string(), z.string(stringError("environment values")))
  .superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (!ENV_NAME.test(name)) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: `"${name}" is not a valid environment variable name`,
        });
      } else if (name.toUpperCase().startsWith("ALERT_")) {
        ctx.addIssue({
          code: "custom",
          path: [name],
          message: "ALERT_* variables are reserved for the alert's labels",
        });
      }
    }
  });

const paramsSchema = z.strictObject({
  executable: z
    .string(stringError("executable"))
    .min(1, "executable cannot be empty")
    .refine((s) => !hasReferences(s), {
      message: "executable cannot hold templates; pass alert data in args or read the ALERT_* variables",
    }),
  args: z.array(templatedString(), { error: "args must be a list of strings" }).optional(),
  cwd: z.string(stringError("cwd")).min(1, "cwd cannot be empty").optional(),
  env: envSchema.optional(),
});

/** `app.kubernetes.io/name` -> `ALERT_APP_KUBERNETES_IO_NAME`. */
export function alertEnvName(label: string): string {
  return `ALERT_${label.toUpperCase().replace(/[^A-Z0-9_]/g, "_")}`;
}

function refuseNul(value: string, what: string, reference: string): string {
  // A NUL cannot cross exec(2); Node would throw while spawning.
  if (value.includes("\0")) throw new TemplateError(`${what} contains a NUL byte`, reference);
  return value;
}

function alertEnv(alert: RemediationAlert): Record<string, string> {
  const env: Record<string, string> = {};
  // Sorted so that names colliding after upper-casing resolve the same way every run.
  for (const label of Object.keys(alert.labels).sort()) {
    env[alertEnvName(label)] = refuseNul(alert.labels[label]!, `label "${label}"`, `labels.${label}`);
  }
  // Set last: a label called "name" must not shadow the alert's name.
  env.ALERT_NAME = alert.name;
  env.ALERT_ID = alert.id;
  env.ALERT_FINGERPRINT = alert.fingerprint ?? "";
  // Shared by every attempt of one run: a script can use it to do its work once.
  if (alert.runId !== undefined) env.ALERT_RUN_ID = alert.runId;
  return env;
}

function childEnv(alert: RemediationAlert, extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra, ...alertEnv(alert) };
}

type ProcessResult =
  | { kind: "exited"; code: number | null; signal: string | null; stdout: string; stderr: string }
  | { kind: "spawn-failed"; code: string; message: string }
  | { kind: "aborted" }
  | { kind: "output-overflow"; stdout: string; stderr: string };

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: everything in the group has exited already.
  }
}

function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** SIGTERM to the whole process group, SIGKILL once the leader is gone or the grace period is over. */
async function terminate(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  killGroup(pid, "SIGTERM");
  await waitForExit(child, KILL_GRACE_MS);
  // Also sweeps grandchildren that ignored SIGTERM or were started in the background.
  killGroup(pid, "SIGKILL");
  await waitForExit(child, 1_000);
}

/** Keeps up to MAX_BUFFER bytes of one output stream. */
class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  /** False once the cap is exceeded (the excess is dropped). */
  push(chunk: Buffer): boolean {
    const room = MAX_BUFFER - this.bytes;
    this.chunks.push(chunk.length > room ? chunk.subarray(0, Math.max(room, 0)) : chunk);
    this.bytes += chunk.length;
    return this.bytes <= MAX_BUFFER;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

// spawn rather than execFile: execFile does not pass `detached` on to spawn, and without a process
// group of its own a timeout could only kill the script, not the `sleep` or `curl` it started (which
// would also hold stdout open and keep the run hanging). Same semantics otherwise: no shell, argv
// as given, output capped at 1 MiB per stream.
function runProcess(
  file: string,
  args: readonly string[],
  options: { cwd: string | undefined; env: NodeJS.ProcessEnv },
  signal: AbortSignal,
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    let child: ChildProcessByStdio<null, Readable, Readable>;
    try {
      child = spawn(file, args, {
        ...options,
        shell: false,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
        windowsHide: true,
      });
    } catch (error) {
      // Most start-up failures arrive as an "error" event; a few (EISDIR, E2BIG…) are thrown.
      const { code = "", message } = error as NodeJS.ErrnoException;
      return resolve({ kind: "spawn-failed", code, message });
    }
    const stdout = new OutputBuffer();
    const stderr = new OutputBuffer();
    let overflowed = false;
    let terminating: Promise<void> | undefined;
    const stop = () => {
      terminating ??= terminate(child);
      return terminating;
    };
    const settle = (result: ProcessResult) => {
      signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    // Waiting for "close" alone would let the run outlive its timeout: a descendant that left our
    // process group (setsid, a daemon) keeps the pipes open and escapes the group kill.
    const onAbort = () =>
      void stop().then(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        settle({ kind: "aborted" });
      });
    const collect = (into: OutputBuffer) => (chunk: Buffer) => {
      if (!into.push(chunk) && !overflowed) {
        overflowed = true;
        void stop();
      }
    };
    child.stdout.on("data", collect(stdout));
    child.stderr.on("data", collect(stderr));
    child.on("error", (error: NodeJS.ErrnoException) => {
      // After a successful spawn, errors here are about signalling; "close" still reports the end.
      if (child.pid === undefined)
        settle({ kind: "spawn-failed", code: error.code ?? "", message: error.message });
    });
    // "close", not "exit": the output is complete only once every holder of the pipes is gone.
    child.on("close", (code, exitSignal) => {
      if (child.pid === undefined) return;
      if (signal.aborted) return void stop().then(() => settle({ kind: "aborted" }));
      const out = { stdout: stdout.text(), stderr: stderr.text() };
      if (overflowed) return void stop().then(() => settle({ kind: "output-overflow", ...out }));
      settle({ kind: "exited", code, signal: exitSignal, ...out });
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function lastLines(text: string, lines: number, chars: number): string {
  const tail = text.trimEnd().split("\n").slice(-lines).join("\n");
  return tail.length > chars ? `…${tail.slice(-(chars - 1))}` : tail;
}

function lastLine(text: string): string {
  return lastLines(text, 1, 300).trim();
}

function outputDetails(stdout: string, stderr: string): string | undefined {
  const parts: string[] = [];
  if (stdout.trim()) parts.push(`stdout:\n${lastLines(stdout, TAIL_LINES * 2, TAIL_CHARS)}`);
  if (stderr.trim()) parts.push(`stderr:\n${lastLines(stderr, TAIL_LINES, TAIL_CHARS)}`);
  return parts.length ? parts.join("\n") : undefined;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export const commandHandler = defineHandler({
  name: NAME,
  description:
    "Runs an executable without a shell; templates fill whole arguments and the alert's labels arrive " +
    "as ALERT_* environment variables. Exit 0 is success; the last line of stdout is the summary.",
  params: paramsSchema,
  timeoutMs: 60_000,

  async run(ctx) {
    const { executable, args = [], cwd, env = {} } = ctx.params;
    let argv: string[];
    let environment: NodeJS.ProcessEnv;
    try {
      // After a literal "--" the executable reads every argument as an operand, dash or not.
      const endOfOptions = args.indexOf("--");
      argv = args.map((arg, index) => {
        const filled: TemplateReference[] = [];
        const rendered = renderTemplate(arg, ctx.alert, (value, ref) => {
          filled.push(ref);
          return refuseNul(value, `{{${ref.text}}}`, ref.text);
        });
        // Options are the runbook's to write: a value like "--all" filling the start of an argument
        // would be read as one by the executable.
        const ref = filled[0];
        const isOperand = endOfOptions >= 0 && index > endOfOptions;
        if (ref && !isOperand && !arg.startsWith("-") && rendered.startsWith("-")) {
          throw new TemplateError(
            `argument ${JSON.stringify(arg)} would start with "-" once filled in (${JSON.stringify(rendered)}), so the executable would read it as an option`,
            ref.text,
          );
        }
        return rendered;
      });
      environment = childEnv(ctx.alert, env);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      ctx.log.warn("command refused to run", { reference: error.reference, reason: error.message });
      return { ok: false, summary: `${executable} not run: ${error.message}` };
    }
    // A missing cwd makes spawn report ENOENT for the executable, which would mislead.
    if (cwd !== undefined && !(await isDirectory(cwd))) {
      return { ok: false, summary: `${executable} not run: working directory ${cwd} does not exist` };
    }
    if (ctx.signal.aborted) throw new HandlerAbortedError(NAME, ctx.signal);

    const result = await runProcess(executable, argv, { cwd, env: environment }, ctx.signal);
    switch (result.kind) {
      case "aborted":
        throw new HandlerAbortedError(NAME, ctx.signal);
      case "spawn-failed": {
        const permanent = PERMANENT_SPAWN_ERRORS[result.code];
        if (permanent) return { ok: false, summary: `${executable}: ${permanent}` };
        throw new RetryableHandlerError(`${executable} could not start: ${result.message}`);
      }
      case "output-overflow":
        // Rerunning would flood again; someone has to look at the script.
        return {
          ok: false,
          summary: `${executable} wrote more than 1 MiB of output and was stopped`,
          details: outputDetails(result.stdout, result.stderr),
        };
      case "exited": {
        const details = outputDetails(result.stdout, result.stderr);
        if (result.code === 0) {
          const summary = lastLine(result.stdout) || `${executable} exited 0`;
          return details ? { ok: true, summary, details } : { ok: true, summary };
        }
        const how =
          result.code !== null ? `exited with code ${result.code}` : `was killed by ${result.signal}`;
        const hint = lastLine(result.stderr) || lastLine(result.stdout);
        throw new CommandExitError(
          `${executable} ${how}${hint ? `: ${hint}` : ""}`,
          result.code,
          result.signal,
          lastLines(result.stderr, TAIL_LINES, TAIL_CHARS),
        );
      }
    }
  },
});
