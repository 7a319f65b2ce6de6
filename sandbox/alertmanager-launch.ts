// A real Alertmanager (Debian's prometheus-alertmanager, or `alertmanager`) for the sandbox and the
// end-to-end tests: started on a loopback port with a folder of its own (config and storage), no
// cluster, stopped with its folder removed. The sandbox's pages silence in it; its log is kept for
// the messages of whoever waits on it.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findExecutable } from "./redis-launch";

export const ALERTMANAGER_BINARIES = ["prometheus-alertmanager", "alertmanager"] as const;
const READY_MS = 10_000;

export interface RunningAlertmanager {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** The last 20 kB of its output. */
  log(): string;
  stop(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** A --web.config.file (e.g. basic_auth_users), and the Authorization header it then wants. */
  readonly web?: { readonly config: string; readonly authorization: string };
  /** The binary; the first of ALERTMANAGER_BINARIES on PATH when unset. */
  readonly binary?: string;
}

/** The Alertmanager binary on PATH, or null. */
export function findAlertmanager(path = process.env.PATH ?? ""): string | null {
  for (const name of ALERTMANAGER_BINARIES) {
    const found = findExecutable(name, path);
    if (found) return found;
  }
  return null;
}

/** Starts Alertmanager on `port` with `config` (alertmanager.yml) and waits until it is ready. */
export async function startAlertmanager(
  port: number,
  config: string,
  opts: AlertmanagerOptions = {},
): Promise<RunningAlertmanager> {
  const binary = opts.binary ?? findAlertmanager();
  if (!binary) throw new Error(`no Alertmanager on PATH (looked for ${ALERTMANAGER_BINARIES.join(", ")})`);
  const dir = mkdtempSync(join(tmpdir(), "oncall-alertmanager-"));
  writeFileSync(join(dir, "alertmanager.yml"), config);
  if (opts.web) writeFileSync(join(dir, "web.yml"), opts.web.config);
  const am: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, "alertmanager.yml")}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=debug",
      ...(opts.web ? [`--web.config.file=${join(dir, "web.yml")}`] : []),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-20_000);
  };
  am.stdout?.on("data", keep);
  am.stderr?.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (am.exitCode === null && am.signalCode === null) {
      const exited = new Promise((r) => am.once("exit", r));
      am.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const headers: Record<string, string> = opts.web ? { authorization: opts.web.authorization } : {};
  const deadline = Date.now() + READY_MS;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`, { headers }).catch(() => null);
    if (ready?.ok) break;
    if (Date.now() > deadline || am.exitCode !== null) {
      await stop();
      throw new Error(`Alertmanager did not get ready on ${url} (its log: ${log})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, log: () => log, stop };
}

/** The sandbox's Alertmanager, if any, and the start-up line that says where it came from. */
export interface SandboxAlertmanager {
  readonly url: string | null;
  readonly note: string;
  stop(): Promise<void>;
}

/** ALERTMANAGER_URL when set, else one started from PATH (receiving nothing), else none. */
export async function ensureAlertmanager(
  url: string | null,
  port: () => Promise<number>,
): Promise<SandboxAlertmanager> {
  const noop = async () => undefined;
  if (url)
    return {
      url,
      note: `Alertmanager: ${url} (ALERTMANAGER_URL); Silence creates silences there`,
      stop: noop,
    };
  const binary = findAlertmanager();
  if (!binary) {
    return {
      url: null,
      note: "Alertmanager: none, so pages offer no Silence (install prometheus-alertmanager or set ALERTMANAGER_URL)",
      stop: noop,
    };
  }
  try {
    const am = await startAlertmanager(
      await port(),
      "route:\n  receiver: sandbox\nreceivers:\n  - name: sandbox\n",
      {
        binary,
      },
    );
    return {
      url: am.url,
      note: `Alertmanager: started ${binary} on ${am.url} (stopped on exit); pages offer Silence`,
      stop: am.stop,
    };
  } catch (err) {
    return {
      url: null,
      note: `Alertmanager: could not start ${binary} (${(err as Error).message.slice(0, 200)})`,
      stop: noop,
    };
  }
}
