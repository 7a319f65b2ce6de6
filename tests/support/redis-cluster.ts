// A Redis Cluster of a test's own: three primaries (no replicas) of Debian's redis-server on free
// loopback ports, each in a folder of its own, the slots spread by `redis-cli --cluster create`.
// `stop()` kills every node and removes the folders.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Cluster, type Redis } from "ioredis";
import { answersPing } from "../../sandbox/redis-launch";
import type { RedisNode } from "../../src/platform/redis/client";
import { eventually } from "./harness";
import { freePort } from "./ports";

const run = promisify(execFile);

export interface RedisClusterHandle {
  readonly nodes: readonly RedisNode[];
  /** "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3", as REDIS_CLUSTER_NODES and ONCALL_TEST_REDIS_CLUSTER take it. */
  readonly list: string;
  /** A Cluster client the caller closes (`quit()`). */
  client(): Redis;
  stop(): Promise<void>;
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once("exit", () => resolve()));
}

export async function startRedisCluster(primaries = 3): Promise<RedisClusterHandle> {
  const root = mkdtempSync(join(tmpdir(), "oncall-cluster-"));
  const procs: ChildProcess[] = [];
  const stop = async () => {
    for (const p of procs) p.kill("SIGKILL");
    await Promise.all(procs.map(exited));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const nodes: RedisNode[] = [];
    for (let i = 0; i < primaries; i++) {
      const port = await freePort();
      // The bus port is given, not port+10000: a free port may be above 55535.
      const busPort = await freePort();
      const dir = join(root, `node-${i}`);
      mkdirSync(dir);
      procs.push(
        spawn(
          "redis-server",
          [
            "--port",
            String(port),
            "--cluster-port",
            String(busPort),
            "--bind",
            "127.0.0.1",
            "--dir",
            dir,
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "5000",
            "--save",
            "",
            "--appendonly",
            "no",
            "--maxmemory-policy",
            "noeviction",
          ],
          { stdio: "ignore", cwd: dir },
        ),
      );
      await eventually(() => answersPing("127.0.0.1", port), 5_000, `cluster node ${i} to answer on ${port}`);
      nodes.push({ host: "127.0.0.1", port });
    }
    const list = nodes.map((n) => `${n.host}:${n.port}`).join(",");
    await run(
      "redis-cli",
      ["--cluster", "create", ...list.split(","), "--cluster-replicas", "0", "--cluster-yes"],
      { timeout: 20_000 },
    );
    // Every node must see every slot served before a client's first command lands on it.
    for (const n of nodes) {
      await eventually(
        async () => {
          const { stdout } = await run("redis-cli", ["-p", String(n.port), "cluster", "info"], {
            timeout: 5_000,
          });
          return (
            /cluster_state:ok/.test(stdout) &&
            /cluster_known_nodes:(\d+)/.exec(stdout)?.[1] === String(primaries)
          );
        },
        15_000,
        `node ${n.port} to see the cluster up`,
      );
    }
    return {
      nodes,
      list,
      client: () => new Cluster([...nodes]) as unknown as Redis,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
