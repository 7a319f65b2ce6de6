// Redis topologies of a test's own, with Debian's redis-server and redis-sentinel on free loopback
// ports, each process in a folder of its own: a primary with a replica and three sentinels, or a
// Cluster of three primaries. `stop()` kills every process still running and removes the folders.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { answersPing, redisServerArgs } from "../../sandbox/redis-launch";
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
const serverArgs = (port: number, dir: string, extra: string[] = []) =>
  redisServerArgs(port, dir, [
    "--appendonly",
    "yes",
    "--appendfsync",
    "everysec",
    "--maxmemory-policy",
    "noeviction",
    // Either node may be the primary after a failover; a replica's full sync must not wait 5 s.
    "--repl-diskless-sync",
    "yes",
    "--repl-diskless-sync-delay",
    "0",
    ...extra,
  ]);

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
    serverArgs(port, dir, ["--replicaof", "127.0.0.1", String(primary.port)]),
  );
  await replicaInSync(replica.port);
  return { primary, replica };
}

/** Resolves once the replica on `port` has its link to the primary up. */
export async function replicaInSync(port: number, timeoutMs = 10_000): Promise<void> {
  await eventually(
    async () => /master_link_status:up/.test(await cli(port, "info", "replication")),
    timeoutMs,
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

export interface SentinelSetup extends ReplicatedPair {
  /** The primary's name in the sentinels' configuration. */
  readonly name: string;
  readonly sentinels: readonly RedisProcess[];
  /** The port the sentinels name as the primary's now (null: none answers). */
  primaryPort(): Promise<number | null>;
}

export interface SentinelOptions {
  /** How long a primary may not answer before a sentinel calls it down. */
  readonly downAfterMs?: number;
  readonly failoverTimeoutMs?: number;
}

/**
 * A primary, its replica and three sentinels watching them (quorum 2), each sentinel aware of the
 * other two and of the replica before this resolves, so a failover can start at once.
 */
export async function startSentinels(opts: SentinelOptions = {}): Promise<SentinelSetup> {
  const name = "oncall-test";
  const t: Topology = { root: mkdtempSync(join(tmpdir(), "oncall-sentinel-")), processes: [] };
  try {
    const { primary, replica } = await pairIn(t);
    const sentinels: RedisProcess[] = [];
    for (const i of [1, 2, 3]) {
      sentinels.push(
        await startProcess(t, `sentinel-${i}`, "redis-sentinel", (port, dir) => {
          // A sentinel rewrites its file as it learns the topology; a restart keeps what it learned.
          const conf = join(dir, "sentinel.conf");
          if (!existsSync(conf)) writeFileSync(conf, sentinelConf(port, dir, name, primary.port, opts));
          return [conf];
        }),
      );
    }
    for (const s of sentinels) {
      await eventually(
        async () => {
          const m = fields(await cli(s.port, "sentinel", "master", name));
          return m["num-other-sentinels"] === "2" && m["num-slaves"] === "1";
        },
        15_000,
        `sentinel on ${s.port} to see the other sentinels and the replica`,
      );
    }
    return {
      name,
      primary,
      replica,
      sentinels,
      stop: () => stopAll(t),
      async primaryPort() {
        for (const s of sentinels) {
          try {
            const [, port] = (await cli(s.port, "sentinel", "get-master-addr-by-name", name))
              .trim()
              .split("\n");
            if (port) return Number(port);
          } catch {
            // That sentinel is away; ask the next.
          }
        }
        return null;
      },
    };
  } catch (err) {
    await stopAll(t);
    throw err;
  }
}

function sentinelConf(
  port: number,
  dir: string,
  name: string,
  primaryPort: number,
  o: SentinelOptions,
): string {
  return [
    `port ${port}`,
    "bind 127.0.0.1",
    `dir ${dir}`,
    `logfile ${join(dir, "sentinel.log")}`,
    `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
    `sentinel down-after-milliseconds ${name} ${o.downAfterMs ?? 1_000}`,
    `sentinel failover-timeout ${name} ${o.failoverTimeoutMs ?? 5_000}`,
    `sentinel parallel-syncs ${name} 1`,
    "",
  ].join("\n");
}

/** redis-cli's answer to a command returning field/value pairs, one per line, as a record. */
function fields(out: string): Record<string, string> {
  const lines = out.trim().split("\n");
  const r: Record<string, string> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) r[lines[i]!] = lines[i + 1]!;
  return r;
}
