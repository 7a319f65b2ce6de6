// The real Alertmanager (Debian's prometheus-alertmanager) for end-to-end suites: started on a
// loopback port with a folder of its own (config and storage), no cluster, stopped with the folder
// removed. Its log is kept for the failure messages of tests that wait on it.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "./harness";

const BINARY = "prometheus-alertmanager";

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
}

/** Starts Alertmanager on `port` with `config` (alertmanager.yml) and waits until it is ready. */
export async function startAlertmanager(
  port: number,
  config: string,
  opts: AlertmanagerOptions = {},
): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), "oncall-alertmanager-"));
  writeFileSync(join(dir, "alertmanager.yml"), config);
  if (opts.web) writeFileSync(join(dir, "web.yml"), opts.web.config);
  const am: ChildProcess = spawn(
    BINARY,
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
  try {
    await eventually(
      async () =>
        (
          await fetch(`${url}/-/ready`, {
            headers: opts.web ? { authorization: opts.web.authorization } : {},
          }).catch(() => null)
        )?.ok,
      10_000,
      "Alertmanager to be ready",
    );
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message} (Alertmanager log: ${log})`);
  }
  return { url, log: () => log, stop };
}
