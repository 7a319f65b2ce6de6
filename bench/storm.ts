// An alert storm against a fake Slack that enforces Slack's rate limits: 1,000 new Alertmanager
// groups at 50 per second into one channel. Prints the accounting lag (webhook 2xx → the group is
// visible in Slack as a page of its own, or counted by a storm digest) p50/p99, the share of Slack
// calls answered 429, the top-level posts in the channel, then how long "Acknowledge all" and
// resolving everything take to show, and how soon the next alert gets its own page. Baseline in the
// same run: the same storm sent by a naive one-post-per-alert sender that waits out each 429's
// Retry-After (what Alertmanager's Slack receiver does), against its own fake Slack.
//   npx tsx bench/storm.ts     or     npm run bench -- storm
// ONCALL_BENCH_STORM=<groups>/<per second> changes the storm (default 1000/50).

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { type FakeMessage, FakeSlack } from "../sandbox/slack-api";
import { blockActionsBody, postToSlackEndpoint } from "../sandbox/slack-payloads";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config/load";
import { createLogger } from "../src/platform/log";
import { deleteByPrefix } from "../src/platform/redis/client";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const TOKEN = "bench-token-0123456789abcdef";
const SECRET = "bench-signing-secret-0123456789";
const CHANNEL = "C0ONCALL";
const ADMIN = "U0ADMIN";
const [GROUPS, PER_SECOND] = (process.env.ONCALL_BENCH_STORM ?? "1000/50").split("/").map(Number) as [
  number,
  number,
];

const fixture = JSON.parse(
  readFileSync(new URL("../tests/fixtures/payloads/alertmanager-v4-firing.json", import.meta.url), "utf8"),
) as { alerts: Record<string, unknown>[] } & Record<string, unknown>;

/** Group `i` of the storm; `run` keeps two runs' groups apart. */
function payload(run: string, i: number, status: "firing" | "resolved"): string {
  const when = new Date().toISOString();
  return JSON.stringify({
    ...fixture,
    status,
    groupKey: `{}:{alertname="HighErrorRate", job="stream-api", shard="${run}-${i}"}`,
    alerts: fixture.alerts.slice(0, 1).map((a) => ({
      ...a,
      status,
      labels: { ...(a.labels as object), shard: `${run}-${i}` },
      fingerprint: `${run}${i.toString(16).padStart(8, "0")}`,
      ...(status === "resolved" ? { endsAt: when } : {}),
    })),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : Number.NaN;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Waits until `done()` holds (polled every 50 ms) or `timeoutMs` passes; the time it took, or null. */
async function until(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await done()) return Date.now() - started;
    await sleep(50);
  }
  return null;
}

interface Payload {
  readonly alert_id?: string;
  readonly storm_id?: string;
  readonly alerts?: number;
  readonly firing?: number;
  readonly acknowledged?: number;
}
const payloadOf = (m: FakeMessage) => (m.metadata?.event_payload ?? {}) as Payload;
const pagesIn = (slack: FakeSlack) =>
  slack.messages(CHANNEL).filter((m) => m.metadata?.event_type === "oncall_page");
const stormsIn = (slack: FakeSlack) =>
  slack.messages(CHANNEL).filter((m) => m.metadata?.event_type === "oncall_storm");

/**
 * When each group became visible: a page carrying its alert id, or a digest count that reaches it.
 * Digests count groups, not names, so the folded groups are taken as counted in arrival order.
 */
function trackAccounting(slack: FakeSlack, sentAt: Map<string, number>, order: string[]) {
  const seenAt = new Map<string, number>();
  const look = () => {
    const now = Date.now();
    const paged = new Set(pagesIn(slack).map((m) => payloadOf(m).alert_id ?? ""));
    for (const id of paged) if (sentAt.has(id) && !seenAt.has(id)) seenAt.set(id, now);
    let counted = stormsIn(slack).reduce((n, m) => n + (payloadOf(m).alerts ?? 0), 0);
    for (const id of order) {
      if (counted <= 0) break;
      if (paged.has(id)) continue;
      counted--;
      if (!seenAt.has(id)) seenAt.set(id, now);
    }
  };
  const timer = setInterval(look, 25);
  return {
    seenAt,
    stop: () => clearInterval(timer),
    lags: () =>
      order
        .filter((id) => seenAt.has(id))
        .map((id) => seenAt.get(id)! - sentAt.get(id)!)
        .sort((a, b) => a - b),
  };
}

/** Sends group i at i/PER_SECOND s from now; `answered` gets each 2xx's alert id and time. */
async function sendStorm(
  url: string,
  run: string,
  status: "firing" | "resolved",
  answered: (i: number, id: string, at: number) => void,
): Promise<void> {
  const started = Date.now();
  await Promise.all(
    Array.from({ length: GROUPS }, async (_, i) => {
      await sleep(Math.max(0, started + (i * 1000) / PER_SECOND - Date.now()));
      for (;;) {
        const res = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
          body: payload(run, i, status),
        });
        const body = (await res.json()) as { alert?: { id: string } | null };
        if (res.ok && body.alert) return answered(i, body.alert.id, Date.now());
        // What Alertmanager does with a 5xx: try again shortly.
        await sleep(500);
      }
    }),
  );
}

async function bot() {
  const prefix = `bench-storm-${randomBytes(4).toString("hex")}:`;
  const slack = await FakeSlack.start({ rateLimits: true });
  const config = loadConfig(new URL("../tests/fixtures/org", import.meta.url).pathname);
  const app = await startApp({
    settings: {
      slackBotToken: "xoxb-bench",
      slackSigningSecret: SECRET,
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
    port: 0,
    host: "127.0.0.1",
  });
  return { prefix, slack, app };
}

async function ours(): Promise<void> {
  const { prefix, slack, app } = await bot();
  const redis = new Redis(REDIS_URL);
  const run = randomBytes(3).toString("hex");
  const sentAt = new Map<string, number>();
  const order: string[] = [];
  const track = trackAccounting(slack, sentAt, order);
  try {
    const started = Date.now();
    await sendStorm(`${app.url}/webhooks/alertmanager`, run, "firing", (_i, id, at) => {
      if (!sentAt.has(id)) order.push(id);
      sentAt.set(id, at);
    });
    const sendMs = Date.now() - started;
    await until(() => track.seenAt.size >= order.length, 60_000);
    track.stop();
    const lags = track.lags();
    const calls = slack.calls.filter((c) => c.method !== "response_url");
    const limited = calls.filter((c) => c.status === 429).length;
    const top = slack.messages(CHANNEL).length;
    console.log(
      `storm: ${GROUPS} new Alertmanager groups at ${PER_SECOND}/s into one channel (sent in ${seconds(sendMs)}), fake Slack with Slack's rate limits`,
    );
    console.log(
      `  shared-oncall   accounted ${lags.length}/${order.length}   lag p50 ${seconds(quantile(lags, 0.5))}  p99 ${seconds(quantile(lags, 0.99))}   429s ${limited}/${calls.length} calls (${((100 * limited) / Math.max(1, calls.length)).toFixed(1)}%)   top-level posts ${top} (${pagesIn(slack).length} pages, ${stormsIn(slack).length} storm digests)`,
    );

    // Acknowledge all, pressed by a rotation admin on each digest.
    const ackStarted = Date.now();
    for (const digest of stormsIn(slack)) {
      const stormId = payloadOf(digest).storm_id ?? "";
      await postToSlackEndpoint(
        app.url,
        blockActionsBody({
          actionId: "storm.ack",
          value: stormId,
          userId: ADMIN,
          channelId: CHANNEL,
          messageTs: digest.ts,
        }),
        { secret: SECRET },
      );
    }
    const folded = () =>
      stormsIn(slack).reduce(
        (n, m) => ({
          alerts: n.alerts + (payloadOf(m).alerts ?? 0),
          ack: n.ack + (payloadOf(m).acknowledged ?? 0),
        }),
        { alerts: 0, ack: 0 },
      );
    const ackMs = await until(() => {
      const f = folded();
      return f.alerts > 0 && f.ack >= f.alerts;
    }, 30_000);
    console.log(
      `  acknowledge all: every digest shows its alerts acknowledged after ${ackMs === null ? "more than 30 s" : seconds(ackMs)} (from the first press ${seconds(Date.now() - ackStarted)} ago)`,
    );

    // Resolve everything: digests at firing 0, own pages marked resolved.
    const resolveStarted = Date.now();
    await sendStorm(`${app.url}/webhooks/alertmanager`, run, "resolved", () => undefined);
    const resolvedMs = await until(async () => {
      const firing = stormsIn(slack).reduce((n, m) => n + (payloadOf(m).firing ?? 0), 0);
      if (firing > 0) return false;
      for (const page of pagesIn(slack)) {
        const alert = await app.alerts.get(payloadOf(page).alert_id ?? "");
        if (alert && alert.state !== "resolved") return false;
      }
      return true;
    }, 90_000);
    console.log(
      `  resolving all ${GROUPS}: shown ${resolvedMs === null ? "not within 90 s" : `${seconds(Date.now() - resolveStarted)} after the first resolve was sent`}`,
    );

    // The next alert after the storm gets its own page.
    const pagesBefore = pagesIn(slack).length;
    let nextAt = 0;
    let nextId = "";
    await (async () => {
      const res = await fetch(`${app.url}/webhooks/alertmanager`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: payload(`${run}-after`, 0, "firing"),
      });
      nextAt = Date.now();
      nextId = ((await res.json()) as { alert: { id: string } }).alert.id;
    })();
    const nextMs = await until(
      () =>
        pagesIn(slack).some((m) => payloadOf(m).alert_id === nextId) && pagesIn(slack).length > pagesBefore,
      30_000,
    );
    console.log(
      `  the next alert after the storm: its own page ${nextMs === null ? "not within 30 s" : `${seconds(Date.now() - nextAt)} after its 2xx`}`,
    );
  } finally {
    track.stop();
    await app.stop();
    await slack.close();
    await deleteByPrefix(redis, prefix);
    await redis.quit();
  }
}

/**
 * Alertmanager's way: one post per alert as it comes, each 429 waited out, then the same post again.
 * At one post a second it would take as many seconds as groups, so it stops a minute after the last.
 */
async function naive(): Promise<void> {
  const slack = await FakeSlack.start({ rateLimits: true });
  const lags: number[] = [];
  const started = Date.now();
  const stopAt = started + (GROUPS * 1000) / PER_SECOND + 60_000;
  try {
    await Promise.all(
      Array.from({ length: GROUPS }, async (_, i) => {
        await sleep(Math.max(0, started + (i * 1000) / PER_SECOND - Date.now()));
        const sent = Date.now();
        for (;;) {
          if (Date.now() > stopAt) return;
          const res = await fetch(`${slack.url}chat.postMessage`, {
            method: "POST",
            headers: { authorization: "Bearer xoxb-naive", "content-type": "application/json" },
            body: JSON.stringify({ channel: CHANNEL, text: `HighErrorRate shard ${i}` }),
          });
          await res.arrayBuffer();
          if (res.status !== 429) break;
          await sleep(Number(res.headers.get("retry-after") ?? "1") * 1000);
        }
        lags.push(Date.now() - sent);
      }),
    );
    lags.sort((a, b) => a - b);
    const calls = slack.calls.length;
    const limited = slack.calls.filter((c) => c.status === 429).length;
    console.log(`  naive sender    posted ${lags.length}/${GROUPS} a minute after the last was sent`);
    console.log(
      `  naive sender    accounted ${lags.length}/${GROUPS}   lag p50 ${seconds(quantile(lags, 0.5))}  p99 ${lags.length < GROUPS ? "over a minute (not all posted)" : seconds(quantile(lags, 0.99))}   429s ${limited}/${calls} calls (${((100 * limited) / Math.max(1, calls)).toFixed(1)}%)   top-level posts ${slack.messages(CHANNEL).length}`,
    );
  } finally {
    await slack.close();
  }
}

export async function run(): Promise<void> {
  await ours();
  await naive();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
