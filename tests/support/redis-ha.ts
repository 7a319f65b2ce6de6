// Redis topologies of a test's own, with Debian's redis-server and redis-sentinel on free loopback
// ports, each process in a folder of its own: a primary with a replica and three sentinels, or a
// Cluster of three primaries. `stop()` kills every process still running and removes the folders.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { answersPing } from "../../sandbox/redis-launch";
import { eventually } from "./harness";
import { freePort } from "./ports";

const run = promisify(execFile);

export interface RedisProcess {
  readonly port: number;
  readonly dir: string;
  proc: ChildProcess;
  /** kill -9: the machine is gone, with whatever it had not yet sent on. */
  kill(): Promise<void>;
  /** Starts it again on the same port and folder (the machine comes back). */
  restart(): Promise<void>;
}

interface Topology {
  readonly root: string;
  readonly processes: RedisProcess[];
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once("exit", () => resolve()));
}

async function startProcess(
  t: Topology,
  name: string,
  command: string,
  args: (port: number, dir: string) => string[],
): Promise<RedisProcess> {
  const port = await freePort();
  const dir = join(t.root, name);
  mkdirSync(dir, { recursive: true });
  const launch = async () => {
    const proc = spawn(command, args(port, dir), { stdio: "ignore", cwd: dir });
    await eventually(() => answersPing("127.0.0.1", port), 5_000, `${name} to answer on ${port}`);
    return proc;
  };
  const p: RedisProcess = {
    port,
    dir,
    proc: await launch(),
    async kill() {
      p.proc.kill("SIGKILL");
      await exited(p.proc);
    },
    async restart() {
      p.proc = await launch();
    },
  };
  t.processes.push(p);
  return p;
}

/** A data node's arguments: AOF everysec and noeviction, as the README asks of production. */
const serverArgs = (port: number, dir: string, extra: string[] = []) => [
  "--port",
  String(port),
  "--bind",
  "127.0.0.1",
  "--dir",
  dir,
  "--save",
  "",
  "--appendonly",
  "yes",
  "--appendfsync",
  "everysec",
  "--maxmemory-policy",
  "noeviction",
  ...extra,
];

async function stopAll(t: Topology): Promise<void> {
  await Promise.all(t.processes.map((p) => p.kill()));
  rmSync(t.root, { recursive: true, force: true });
}

export interface ReplicatedPair {
  readonly primary: RedisProcess;
  readonly replica: RedisProcess;
  stop(): Promise<void>;
}

async function pairIn(t: Topology): Promise<{ primary: RedisProcess; replica: RedisProcess }> {
  const primary = await startProcess(t, "primary", "redis-server", (port, dir) => serverArgs(port, dir));
  const replica = await startProcess(t, "replica", "redis-server", (port, dir) =>
    serverArgs(port, dir, ["--replicaof", "127.0.0.1", String(primary.port), "--repl-diskless-sync", "yes"]),
  );
  await replicaInSync(replica.port);
  return { primary, replica };
}

/** Resolves once the replica on `port` has its link to the primary up. */
export async function replicaInSync(port: number): Promise<void> {
  await eventually(
    async () => /master_link_status:up/.test(await cli(port, "info", "replication")),
    10_000,
    "the replica in sync",
  );
}

/** A primary and one replica in sync with it, no sentinels. */
export async function startReplicatedPair(): Promise<ReplicatedPair> {
  const t: Topology = { root: mkdtempSync(join(tmpdir(), "oncall-replicas-")), processes: [] };
  try {
    return { ...(await pairIn(t)), stop: () => stopAll(t) };
  } catch (err) {
    await stopAll(t);
    throw err;
  }
}

export async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), ...args], { timeout: 5_000 });
  return stdout;
}
