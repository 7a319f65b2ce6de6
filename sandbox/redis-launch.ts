// Redis for the sandbox: REDIS_URL when set, else whatever answers on 127.0.0.1:6379, else a
// redis-server from PATH started on a free port with its files under .sandbox/ and stopped with
// the sandbox. Without any of them, one line says how to get Redis.

import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, readFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { delimiter, join } from "node:path";

export interface RedisHandle {
  readonly url: string;
  /** How the sandbox got it, for the start-up message. */
  readonly source: "REDIS_URL" | "running" | "started";
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";
}

export const HOW_TO_GET_REDIS =
  "The sandbox needs Redis and none answers on 127.0.0.1:6379: install redis-server (apt-get install redis-server, brew install redis) or set REDIS_URL=redis://host:6379.";

export interface EnsureRedisOptions {
  readonly url?: string | null | undefined;
  /** Where a started redis-server keeps its files (the sandbox uses .sandbox/). */
  readonly dataDir: string;
  /** Where to look for a running Redis first. */
  readonly probe?: { readonly host: string; readonly port: number };
  /** Name or path of the binary; looked up on PATH when it has no slash. */
  readonly binary?: string;
  readonly path?: string;
}

export async function ensureRedis(opts: EnsureRedisOptions): Promise<RedisHandle> {
  const noop = async () => undefined;
  if (opts.url) return { url: opts.url, source: "REDIS_URL", stop: noop };
  const probe = opts.probe ?? { host: "127.0.0.1", port: 6379 };
  if (await answersPing(probe.host, probe.port)) {
    return { url: `redis://${probe.host}:${probe.port}`, source: "running", stop: noop };
  }
  const binary = findExecutable(opts.binary ?? "redis-server", opts.path ?? process.env.PATH ?? "");
  if (!binary) throw new RedisUnavailableError(HOW_TO_GET_REDIS);
  return startRedisServer(binary, opts.dataDir);
}

/** True when something on host:port answers PING with PONG. */
export function answersPing(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

export function findExecutable(name: string, path: string): string | null {
  const candidates = name.includes("/")
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next directory.
    }
  }
  return null;
}

/**
 * redis-server's arguments for a server on loopback `port` keeping its files in `dir`, without RDB
 * snapshots; `extra` adds or overrides settings (the tests' replicas, AOF).
 */
export function redisServerArgs(port: number, dir: string, extra: readonly string[] = []): string[] {
  return ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...extra];
}

async function startRedisServer(binary: string, dataDir: string): Promise<RedisHandle> {
  const dir = join(dataDir, "redis");
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const logFile = join(dir, "redis.log");
  // Nothing is saved: the sandbox's Slack is in memory, so its Redis starts empty too.
  const child = spawn(binary, redisServerArgs(port, dir, ["--appendonly", "no", "--logfile", logFile]), {
    stdio: "ignore",
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
  const deadline = Date.now() + 5_000;
  for (;;) {
    if (await answersPing("127.0.0.1", port)) break;
    const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
    if (failed || exited || Date.now() > deadline) {
      child.kill("SIGKILL");
      process.off("exit", killOnExit);
      const why = failed ? failed.message : lastLines(logFile);
      throw new RedisUnavailableError(`${binary} did not start: ${why || "no output"}. ${HOW_TO_GET_REDIS}`);
    }
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    source: "started",
    stop: () => stopChild(child, () => process.off("exit", killOnExit)),
  };
}

function stopChild(child: ChildProcess, after: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    after();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 3_000);
    child.once("exit", () => {
      clearTimeout(force);
      after();
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function lastLines(file: string): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-2).join(" / ");
  } catch {
    return "";
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        address && typeof address !== "string" ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });
}
