// Webhook intake throughput and latency: Alertmanager notifications over HTTP until each is routed and
// stored in Redis (the point where the bot answers 200). Baseline in the same run: a bare node:http
// server that parses the JSON and SETs the body in Redis — the least any durable intake must do.
//   npx tsx bench/intake.ts     or     npm run bench -- intake

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { FakeSlack } from "../sandbox/slack-api";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config/load";
import { createLogger } from "../src/platform/log";
import { deleteByPrefix } from "../src/platform/redis/client";

const REQUESTS = 2_000;
const CONCURRENCY = 16;
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TOKEN = "bench-token-0123456789abcdef";

const fixture = JSON.parse(
  readFileSync(new URL("../tests/fixtures/payloads/alertmanager-v4-firing.json", import.meta.url), "utf8"),
) as Record<string, unknown>;

/** Distinct groups, so every request opens a new alert (the expensive path: routing + new page). */
function payload(i: number): string {
  return JSON.stringify({
    ...fixture,
    groupKey: `{}:{alertname="HighErrorRate", job="stream-api", shard="${i}"}`,
  });
}

async function drive(
  url: string,
  headers: Record<string, string>,
): Promise<{ perSec: number; p50: number; p99: number }> {
  const bodies = Array.from({ length: REQUESTS }, (_, i) => payload(i));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < REQUESTS) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSec: (REQUESTS / elapsed) * 1000, p50: at(0.5), p99: at(0.99) };
}

export async function run(): Promise<void> {
  const prefix = `bench-${randomBytes(4).toString("hex")}:`;
  const redis = new Redis(REDIS_URL);
  const slack = await FakeSlack.start();
  const config = loadConfig(new URL("../tests/fixtures/org", import.meta.url).pathname);
  // Web role only: this measures intake up to the durable store, not Slack delivery.
  const app = await startApp({
    settings: {
      slackBotToken: "xoxb-bench",
      slackSigningSecret: "bench-secret",
      slackAppToken: null,
      slackApiUrl: slack.url,
      redisUrl: REDIS_URL,
      redisPrefix: prefix,
      port: 0,
      configDir: "",
      alertWebhookToken: TOKEN,
      runbookBaseUrl: null,
      logLevel: "silent",
      remediationConcurrency: 2,
      remediationLoopGuard: { runs: 3, windowMs: 3_600_000 },
    },
    config,
    log: createLogger("silent"),
    role: "web",
    port: 0,
    host: "127.0.0.1",
  });

  const bare = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { groupKey: string };
    await redis.set(`${prefix}bare:${body.groupKey}`, JSON.stringify(body));
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((r) => bare.listen(0, "127.0.0.1", r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

  try {
    const base = await drive(bareUrl, {});
    const ours = await drive(`${app.url}/webhooks/alertmanager`, { authorization: `Bearer ${TOKEN}` });
    console.log(
      `intake: ${REQUESTS} Alertmanager notifications (new groups, 2 instances each), ${CONCURRENCY} in flight`,
    );
    const line = (name: string, r: typeof base) =>
      `  ${name.padEnd(44)} ${r.perSec.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms`;
    console.log(line("baseline: parse JSON + SET in Redis", base));
    console.log(
      `${line("shared-oncall: auth, parse, route, CAS store", ours)}   ${(base.perSec / ours.perSec).toFixed(1)}x baseline time`,
    );
  } finally {
    await app.stop();
    await new Promise((r) => bare.close(r));
    await slack.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
