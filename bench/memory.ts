// Memory and start-up of the bot as `npm start` runs it (the compiled build, `node dist/main.js`),
// against the fake Slack: time to /readyz 200, RSS idle and after 10,000 alerts. Baselines in the
// same run: a bare node process holding an HTTP server and a Redis connection, and the bot run from
// TypeScript through tsx (how `npm start` ran before the build). Then Redis: bytes per stored alert
// (resolved, with its timeline, Slack bookkeeping and group pointer), bytes per report digest, and
// the projected Redis memory for a year at 1,000 alerts a day with the default retention.
//   npx tsx bench/memory.ts     or     npm run bench -- memory

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { FakeSlack } from "../sandbox/slack-api";
import {
  AlertStore,
  DEFAULT_REPORT_RETENTION_DAYS,
  DEFAULT_RETENTION_DAYS,
} from "../src/features/paging/alert-store";
import { DeliveryStore } from "../src/features/paging/delivery-store";
import { parseAlertmanagerWebhook } from "../src/features/paging/intake/alertmanager";
import { deleteByPrefix } from "../src/platform/redis/client";
import { STREAM_API_ROUTE } from "../tests/support/alerts";
import { freePort } from "../tests/support/ports";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TOKEN = "bench-token-0123456789abcdef";
const ALERTS = 10_000;
const CONCURRENCY = 16;
const STORED = 2_000;
const PER_DAY = 1_000;

const fixture = JSON.parse(
  readFileSync(join(ROOT, "tests/fixtures/payloads/alertmanager-v4-firing.json"), "utf8"),
) as { alerts: { status: string; endsAt: string }[] } & Record<string, unknown>;

/** Group `i` of the storm: a new alert each (the expensive path: route, store, page). */
function payload(i: number, status: "firing" | "resolved" = "firing"): Record<string, unknown> {
  return {
    ...fixture,
    status,
    groupKey: `{}:{alertname="HighErrorRate", job="stream-api", shard="${i}"}`,
    alerts: fixture.alerts.map((a) => ({
      ...a,
      status,
      endsAt: status === "resolved" ? "2026-11-24T21:30:00.000Z" : a.endsAt,
    })),
  };
}

function rssMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Started {
  readonly proc: ChildProcess;
  readonly url: string;
  readonly readyMs: number;
}

/** Starts `args` with the bot's settings and waits for /readyz 200 (or `path` for a baseline). */
async function start(args: string[], env: Record<string, string>, path = "/readyz"): Promise<Started> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${args.join(" ")} exited with ${proc.exitCode}`);
    const ok = await fetch(`${url}${path}`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { proc, url, readyMs: performance.now() - t0 };
    await sleep(20);
  }
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

async function storm(url: string): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ALERTS) {
        const i = next++;
        const res = await fetch(`${url}/webhooks/alertmanager`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify(payload(i)),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`webhook ${i} answered ${res.status}`);
      }
    }),
  );
  return performance.now() - t0;
}

/** The node arguments of package.json's `start` script: the bench measures exactly what it runs. */
function npmStartArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const m = /^(?:exec )?node (.+)$/.exec(pkg.scripts.start);
  if (!m) throw new Error(`npm start is not "node …": ${pkg.scripts.start}`);
  return m[1]!.split(/\s+/);
}

/** The V8 heap in use, from the bot's own /metrics (prom-client's default metrics). */
async function heapUsedMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^oncall_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return m ? Number(m[1]) / 1024 / 1024 : Number.NaN;
}

/** Idle: a moment after start-up, once the start-up work (queues, schedulers) has settled. */
async function idleRss(pid: number): Promise<number> {
  await sleep(3_000);
  return rssMb(pid).rss;
}

async function processFigures(slack: FakeSlack, redis: Redis): Promise<void> {
  const prefix = `bench-mem-${randomBytes(4).toString("hex")}:`;
  const env = {
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_SIGNING_SECRET: "bench-signing-secret-0123456789",
    SLACK_API_URL: slack.url,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    ONCALL_CONFIG_DIR: ROOT,
    ALERT_WEBHOOK_TOKEN: TOKEN,
    LOG_LEVEL: "silent",
  };
  const rows: string[] = [];
  const line = (name: string, startMs: number, idle: number, extra = "") =>
    `  ${name.padEnd(56)} ready in ${String(Math.round(startMs)).padStart(5)} ms   RSS idle ${idle.toFixed(0).padStart(4)} MB${extra}`;
  try {
    const bareScript = [
      'import { createServer } from "node:http";',
      'import { Redis } from "ioredis";',
      "const r = new Redis(process.env.REDIS_URL); await r.ping();",
      "createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');",
    ].join("\n");
    const bare = await start(["--input-type=module", "-e", bareScript], env, "/");
    rows.push(line("baseline: node + http server + ioredis", bare.readyMs, await idleRss(bare.proc.pid!)));
    await stop(bare.proc);

    const viaTsx = await start(["--import", "tsx", "src/main.ts"], env);
    rows.push(
      line("from TypeScript (tsx src/main.ts, before)", viaTsx.readyMs, await idleRss(viaTsx.proc.pid!)),
    );
    await stop(viaTsx.proc);
    await deleteByPrefix(redis, prefix);

    let stormMs = 0;
    for (const [name, args] of [
      ["node dist/main.js (V8's default heap sizes)", ["dist/main.js"]],
      [`npm start (node ${npmStartArgs().join(" ")})`, npmStartArgs()],
    ] as const) {
      const bot = await start([...args], env);
      const idle = await idleRss(bot.proc.pid!);
      stormMs = await storm(bot.url);
      await sleep(5_000);
      const after = rssMb(bot.proc.pid!);
      const heap = await heapUsedMb(bot.url);
      rows.push(
        line(
          name,
          bot.readyMs,
          idle,
          `\n  ${"".padEnd(56)} after ${ALERTS.toLocaleString("en")} alerts: RSS ${after.rss.toFixed(0)} MB (peak ${after.peak.toFixed(0)} MB), V8 heap in use ${heap.toFixed(0)} MB`,
        ),
      );
      await stop(bot.proc);
      await deleteByPrefix(redis, prefix);
    }
    console.log(
      `memory: one process (web + workers) against the fake Slack; ${ALERTS.toLocaleString("en")} new Alertmanager groups, ${CONCURRENCY} in flight (${((ALERTS / stormMs) * 1000).toFixed(0)} req/s)`,
    );
    for (const r of rows) console.log(r);
  } finally {
    await deleteByPrefix(redis, prefix);
  }
}

async function memoryUsage(redis: Redis, keys: readonly string[]): Promise<number> {
  let total = 0;
  for (let i = 0; i < keys.length; i += 500) {
    const pipe = redis.pipeline();
    for (const k of keys.slice(i, i + 500)) pipe.memory("USAGE", k, "SAMPLES", "0");
    for (const [, n] of (await pipe.exec()) ?? []) total += Number(n ?? 0);
  }
  return total;
}

async function keysOf(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    out.push(...keys);
    cursor = next;
  } while (cursor !== "0");
  return out;
}

async function redisFigures(redis: Redis): Promise<void> {
  const prefix = `bench-mem-${randomBytes(4).toString("hex")}:`;
  const store = new AlertStore(redis, prefix);
  const delivery = new DeliveryStore(redis, prefix);
  const deps = {
    route: async () => STREAM_API_ROUTE,
    hasRunbook: () => true,
  };
  try {
    // Two days at 1,000 alerts a day: paged (page, DM, thread cursor), then resolved by Alertmanager.
    const day0 = Date.parse("2026-11-24T00:00:00Z");
    for (let i = 0; i < STORED; i++) {
      const at = new Date(day0 + Math.floor((i * 86_400_000) / PER_DAY));
      const opened = await store.ingest(parseAlertmanagerWebhook(payload(i)), at, deps);
      const id = opened.alert!.id;
      await delivery.setPage(id, "C0ONCALL", `1764000000.${String(i).padStart(6, "0")}`);
      await delivery.setDm(id, "D0ONCALL", `1764000001.${String(i).padStart(6, "0")}`);
      await delivery.raise(id, "renderedVersion", 1);
      await delivery.raise(id, "threadCursor", 1);
      await store.ingest(
        parseAlertmanagerWebhook(payload(i, "resolved")),
        new Date(at.getTime() + 600_000),
        deps,
      );
    }
    const digestKeys = await keysOf(redis, `${prefix}alerts:digests:*`);
    const all = await keysOf(redis, `${prefix}*`);
    const digestBytes = await memoryUsage(redis, digestKeys);
    const alertBytes = await memoryUsage(
      redis,
      all.filter((k) => !digestKeys.includes(k)),
    );
    const perAlert = alertBytes / STORED;
    const perDigest = digestBytes / STORED;
    const year = 365 * PER_DAY;
    const kept = Math.min(365, DEFAULT_RETENTION_DAYS) * PER_DAY;
    const projected = kept * perAlert + Math.min(365, DEFAULT_REPORT_RETENTION_DAYS) * PER_DAY * perDigest;
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
    console.log(
      `memory: Redis (MEMORY USAGE), ${STORED.toLocaleString("en")} resolved Alertmanager alerts of 2 instances, paged and DMed`,
    );
    console.log(
      `  per stored alert (document, timeline, Slack bookkeeping, group)  ${perAlert.toFixed(0)} bytes`,
    );
    console.log(
      `  per report digest (kept ${DEFAULT_REPORT_RETENTION_DAYS} days)                         ${perDigest.toFixed(0)} bytes`,
    );
    console.log(
      `  a year at ${PER_DAY.toLocaleString("en")} alerts/day: ${mb(projected)} (${DEFAULT_RETENTION_DAYS} days of alerts + a year of digests); ` +
        `without retention ${mb(year * perAlert)}`,
    );
  } finally {
    await deleteByPrefix(redis, prefix);
  }
}

export async function run(): Promise<void> {
  // The bot as `npm start` runs it: build dist/ first if it is missing or stale.
  execFileSync(process.execPath, [join(ROOT, "scripts/build.mjs"), "--if-stale"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  const redis = new Redis(REDIS_URL);
  const slack = await FakeSlack.start();
  try {
    await processFigures(slack, redis);
    await redisFigures(redis);
  } finally {
    await slack.close();
    await redis.quit();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
