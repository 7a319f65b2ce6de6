// Heartbeats end to end: pings over Opsgenie's and the plain endpoint and as a Watchdog alert, a
// miss paged once and resolved by the next ping, across two replicas, a restart and a kill -9 of a
// bot process. The check runs on its real BullMQ job scheduler every 100 ms; the misses come from
// the injected clock, so nothing waits out a real interval.

import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { OncallApp } from "../../src/app";
import { HeartbeatStore } from "../../src/features/heartbeats/store";
import { groupIdOf } from "../../src/features/paging/intake/fingerprint";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness, ORG_DIR, slashCommand, WEBHOOK_TOKEN } from "../support/harness";
import { pendingJobs } from "../support/settled";
import { type BotProcess, spawnBot } from "../support/spawn-bot";
import { press } from "./alert-press";

const HEARTBEATS_YAML = `heartbeats:
  - name: prometheus-prod
    interval: 10s
    grace: 5s
    rotation: merged
    alertname: Watchdog
  - name: backup-cron
    interval: 1h
    team: search
`;

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The test org with schedules/heartbeats.yaml added. */
function orgWithHeartbeats(): string {
  const dir = mkdtempSync(join(tmpdir(), "oncall-heartbeats-"));
  dirs.push(dir);
  cpSync(ORG_DIR, dir, { recursive: true });
  writeFileSync(join(dir, "schedules", "heartbeats.yaml"), HEARTBEATS_YAML);
  cpSync(join(REPO_ROOT, "runbooks", "HeartbeatMissed.md"), join(dir, "runbooks", "HeartbeatMissed.md"));
  return dir;
}

const CHECK_MS = 100;
const T0 = "2026-11-25T10:00:00Z";
const bot = harnessPerTest();
const start = () =>
  bot.start({ now: T0, configDir: orgWithHeartbeats(), settings: { heartbeatCheckMs: CHECK_MS } });

const store = (h: Harness) => new HeartbeatStore(h.app.redis, h.prefix);

function pages(h: Harness, heartbeat = "prometheus-prod") {
  return h.slack
    .callsTo("chat.postMessage")
    .filter(
      (c) =>
        c.args.channel === "C0ONCALL" &&
        !c.args.thread_ts &&
        c.response.ok &&
        JSON.stringify([c.args.text, c.args.blocks]).includes(`HeartbeatMissed: ${heartbeat}`),
    );
}

const latestAlert = (app: OncallApp, heartbeat = "prometheus-prod") =>
  app.alerts.latestOfGroup(groupIdOf(`heartbeat:${heartbeat}`));

async function schedulerIterations(app: OncallApp): Promise<number> {
  const s = (await app.queues.schedule.getJobSchedulers(0, -1)).find((j) => j.key === "heartbeat-check");
  return s?.iterationCount ?? 0;
}

/** Waits until the heartbeat-check scheduler made `n` more iterations, whichever process runs it. */
async function moreIterations(app: OncallApp, n: number, what: string, ms = 10_000): Promise<void> {
  const from = await schedulerIterations(app);
  await eventually(async () => (await schedulerIterations(app)) >= from + n, ms, what);
}

/**
 * Waits until at least `n` more checks ran (a scheduler's next job is made when the last one starts,
 * so n + 1 new iterations mean n started after this call) and what they enqueued is done.
 */
async function afterChecks(h: Harness, n = 3): Promise<void> {
  await moreIterations(h.app, n + 1, `${n} checks`, 8_000);
  await eventually(
    async () => {
      const pending = await pendingJobs(h.app.queues, h.app.runtime.queueConnection, 1_000);
      delete pending.schedule;
      return Object.keys(pending).length === 0 && h.slack.inFlight === 0;
    },
    8_000,
    "the notify queue to drain",
  );
}

function genie(h: Harness, name: string, key: string | null, method = "GET") {
  return fetch(`${h.app.url}/v2/heartbeats/${name}/ping`, {
    method,
    headers: key === null ? {} : { authorization: `GenieKey ${key}` },
  });
}

function plain(h: Harness, name: string, token: string | null = WEBHOOK_TOKEN, method = "POST") {
  return fetch(`${h.app.url}/heartbeats/${name}`, {
    method,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

function watchdog(status: "firing" | "resolved" = "firing") {
  return {
    version: "4",
    groupKey: '{}:{alertname="Watchdog"}',
    truncatedAlerts: 0,
    status,
    receiver: "oncall",
    groupLabels: { alertname: "Watchdog" },
    commonLabels: { alertname: "Watchdog", severity: "none" },
    commonAnnotations: { summary: "An alert that always fires, to prove the pipeline works" },
    externalURL: "http://alertmanager.example:9093",
    alerts: [
      {
        status,
        labels: { alertname: "Watchdog", severity: "none" },
        annotations: { summary: "An alert that always fires, to prove the pipeline works" },
        startsAt: "2026-11-25T09:00:00Z",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.example:9090/graph",
        fingerprint: "0123456789abcdef",
      },
    ],
  };
}

describe("heartbeat pings", () => {
  it("answers Opsgenie's GET and POST ping as Opsgenie does, and refuses a wrong key and an unknown heartbeat", async () => {
    const h = await start();
    const res = await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    expect(res.status).toBe(202);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.result).toBe("PONG - Heartbeat received");
    expect(typeof body.took).toBe("number");
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await store(h).get("prometheus-prod")).lastPingAt).toBe(Date.parse(T0));

    h.clock.advance(4_000);
    expect((await genie(h, "prometheus-prod", WEBHOOK_TOKEN, "POST")).status).toBe(202);
    expect((await store(h).get("prometheus-prod")).lastPingAt).toBe(Date.parse(T0) + 4_000);

    h.clock.advance(4_000);
    for (const key of ["wrong-key-0123456789abcdef", null]) {
      const refused = await genie(h, "prometheus-prod", key);
      expect(refused.status).toBe(401);
      const err = (await refused.json()) as Record<string, unknown>;
      expect(err.message).toMatch(/Could not authenticate/);
      expect(typeof err.requestId).toBe("string");
    }
    // A bearer token is not a GenieKey, even the right one.
    const bearer = await fetch(`${h.app.url}/v2/heartbeats/prometheus-prod/ping`, {
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}` },
    });
    expect(bearer.status).toBe(401);
    const unknown = await genie(h, "nosuch", WEBHOOK_TOKEN);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { message: string }).message).toBe(
      "Heartbeat with name [nosuch] does not exist. Define it in schedules/heartbeats.yaml.",
    );
    expect((await genie(h, "prometheus-prod", WEBHOOK_TOKEN, "DELETE")).status).toBe(405);
    // None of the refused requests counted.
    expect((await store(h).get("prometheus-prod")).lastPingAt).toBe(Date.parse(T0) + 4_000);
  });

  it("takes an OPSGENIE_KEYS integration key as a GenieKey too", async () => {
    const key = "payments-integration-key-0123456789";
    const h = await bot.start({
      now: T0,
      configDir: orgWithHeartbeats(),
      settings: { heartbeatCheckMs: CHECK_MS, opsgenieKeys: [{ name: "payments", key, pin: null }] },
    });
    expect((await genie(h, "prometheus-prod", key)).status).toBe(202);
    expect((await store(h).get("prometheus-prod")).lastPingAt).toBe(Date.parse(T0));
  });

  it("takes POST /heartbeats/<name> with the webhook bearer token as a ping", async () => {
    const h = await start();
    h.clock.advance(2_000);
    const res = await plain(h, "backup-cron");
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "received", heartbeat: "backup-cron" });
    expect((await store(h).get("backup-cron")).lastPingAt).toBe(Date.parse(T0) + 2_000);

    expect((await plain(h, "backup-cron", "wrong-token-0123456789abcdef")).status).toBe(401);
    expect((await plain(h, "backup-cron", null)).status).toBe(401);
    expect((await plain(h, "backup-cron", WEBHOOK_TOKEN, "GET")).status).toBe(405);
    const unknown = await plain(h, "nosuch");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain(
      "known: prometheus-prod, backup-cron",
    );
    expect((await store(h).get("prometheus-prod")).lastPingAt).toBeNull();
  });

  it("counts a firing Watchdog alert from any webhook as a ping, and stores and pages nothing for it", async () => {
    const h = await start();
    h.clock.advance(3_000);
    const res = await h.webhook("/webhooks/alertmanager", watchdog());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ignored", alert: null });
    expect((await store(h).get("prometheus-prod")).lastPingAt).toBe(Date.parse(T0) + 3_000);

    h.clock.advance(3_000);
    const generic = await h.webhook("/webhooks/generic", { name: "Watchdog", status: "firing", labels: {} });
    expect(generic.status).toBe(200);
    expect((await store(h).get("prometheus-prod")).lastPingAt).toBe(Date.parse(T0) + 6_000);

    // Alertmanager's resolved Watchdog (it is shutting down) is no alert either, and no ping.
    h.clock.advance(3_000);
    expect((await h.webhook("/webhooks/alertmanager", watchdog("resolved"))).status).toBe(200);
    expect((await store(h).get("prometheus-prod")).lastPingAt).toBe(Date.parse(T0) + 6_000);

    await afterChecks(h);
    expect(await h.app.alerts.latestOfGroup(groupIdOf('{}:{alertname="Watchdog"}'))).toBeNull();
    expect(h.slack.callsTo("chat.postMessage")).toHaveLength(0);
  });
});

describe("a missed heartbeat", () => {
  it("pages once, resolves the page on the next ping, and pages the next outage again", async () => {
    const h = await start();
    expect((await genie(h, "prometheus-prod", WEBHOOK_TOKEN)).status).toBe(202);
    // Within interval and grace: nothing.
    h.clock.advance(15_000);
    await afterChecks(h);
    expect(pages(h)).toHaveLength(0);

    h.clock.advance(1_000);
    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL" && !c.args.thread_ts,
    );
    const text = JSON.stringify([page.args.text, page.args.blocks]);
    expect(text).toContain("HeartbeatMissed: prometheus-prod, last ping 16s ago");
    // Its runbook entry gives the page its context.
    expect(text).toContain("*Context:* The bot pages this when a heartbeat");
    expect(text).not.toContain("No runbook entry");
    for (const id of ["alert.ack", "alert.resolve"]) expect(text).toContain(id);
    const alert = await latestAlert(h.app);
    expect(alert).toMatchObject({
      state: "firing",
      name: "HeartbeatMissed",
      route: { rotationId: "merged" },
    });

    // Later checks find the same miss: still the one page.
    h.clock.advance(60_000);
    await afterChecks(h);
    expect(pages(h)).toHaveLength(1);
    expect((await latestAlert(h.app))?.id).toBe(alert!.id);

    expect((await genie(h, "prometheus-prod", WEBHOOK_TOKEN)).status).toBe(202);
    expect((await latestAlert(h.app))?.state).toBe("resolved");
    await h.slack.waitFor(
      (c) =>
        c.method === "chat.update" &&
        c.args.ts === page.response.ts &&
        String(c.args.text).startsWith("✅ HeartbeatMissed"),
    );
    await afterChecks(h);
    expect(pages(h)).toHaveLength(1);

    // A new outage is a new alert and a new page.
    h.clock.advance(16_000);
    await eventually(() => pages(h).length === 2, 8_000, "the second outage's page");
    const second = await latestAlert(h.app);
    expect(second?.state).toBe("firing");
    expect(second?.id).not.toBe(alert!.id);
  });

  it("pages an outage once even when someone resolves the page by hand before pings return", async () => {
    const h = await start();
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    h.clock.advance(16_000);
    await eventually(() => pages(h).length === 1, 8_000, "the page");
    const alert = (await latestAlert(h.app))!;
    const page = pages(h)[0]!;
    // U02AAA is on call in the test org's merged rotation on this day.
    const pressed = await press(
      h,
      "alert.resolve",
      { id: alert.id, channel: "C0ONCALL", ts: String(page.response.ts) },
      "U02AAA",
    );
    expect(pressed.status).toBe(200);
    await eventually(async () => (await latestAlert(h.app))?.state === "resolved", 8_000, "resolved by hand");
    h.clock.advance(60_000);
    await afterChecks(h);
    expect(pages(h)).toHaveLength(1);
    expect((await latestAlert(h.app))?.id).toBe(alert.id);
  });

  it("pages a heartbeat that never pinged one interval after the bot started, to its team's rotation", async () => {
    const h = await start();
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    h.clock.advance(3_600_000);
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    await afterChecks(h);
    expect(pages(h, "backup-cron")).toHaveLength(0);
    h.clock.advance(1_000);
    await eventually(() => pages(h, "backup-cron").length === 1, 8_000, "the backup-cron page");
    expect(JSON.stringify(pages(h, "backup-cron")[0]!.args)).toContain(
      "HeartbeatMissed: backup-cron, no ping yet",
    );
    expect(await latestAlert(h.app, "backup-cron")).toMatchObject({
      state: "firing",
      route: { rotationId: "merged", teamId: "search" },
    });
  });

  it("pages exactly once with two replicas checking on one Redis", async () => {
    const h = await start();
    const other = await h.replica("all");
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    h.clock.advance(16_000);
    await eventually(() => pages(h).length === 1, 8_000, "the page");
    h.clock.advance(30_000);
    await afterChecks(h, 6);
    expect(pages(h)).toHaveLength(1);
    // The ping reaches the other replica: it resolves the one page.
    const res = await fetch(`${other.url}/v2/heartbeats/prometheus-prod/ping`, {
      method: "POST",
      headers: { authorization: `GenieKey ${WEBHOOK_TOKEN}` },
    });
    expect(res.status).toBe(202);
    expect((await latestAlert(h.app))?.state).toBe("resolved");
    await afterChecks(h, 6);
    expect(pages(h)).toHaveLength(1);
  });

  it("after a restart during an outage, neither pages it again nor resolves it before a ping", async () => {
    const h = await start();
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    h.clock.advance(16_000);
    await eventually(() => pages(h).length === 1, 8_000, "the page");
    await h.restart();
    // Start-up grace, then the same miss again: still one page, still firing.
    await afterChecks(h);
    expect((await latestAlert(h.app))?.state).toBe("firing");
    h.clock.advance(20_000);
    await afterChecks(h);
    expect(pages(h)).toHaveLength(1);
    expect((await latestAlert(h.app))?.state).toBe("firing");
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    expect((await latestAlert(h.app))?.state).toBe("resolved");
  });

  it("gives senders one interval after a restart: downtime longer than the interval is no miss", async () => {
    const h = await start();
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    await h.app.stop();
    // The bot was down for ten minutes: pings sent meanwhile were lost.
    h.clock.advance(600_000);
    await h.restart();
    h.clock.advance(14_000);
    await afterChecks(h);
    expect(pages(h)).toHaveLength(0);
    // The sender is back within the grace: no page at all.
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    h.clock.advance(14_000);
    await afterChecks(h);
    expect(pages(h)).toHaveLength(0);
    // It is not: the miss pages once the grace is over.
    h.clock.advance(2_000);
    await eventually(() => pages(h).length === 1, 8_000, "the page after the grace");
    expect(JSON.stringify(pages(h)[0]!.args)).toContain("last ping 16s ago");
  });
});

describe("/oncall heartbeats", () => {
  it("lists every heartbeat with its status and last ping, only to whoever asked", async () => {
    const h = await start();
    h.clock.advance(5_000);
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    h.clock.advance(120_000);
    const reply = await slashCommand(h, "/oncall", "U01AAA", "heartbeats");
    expect(reply.args.response_type).toBe("ephemeral");
    const text = String(reply.args.text);
    const ping = Math.floor((Date.parse(T0) + 5_000) / 1000);
    expect(text).toContain(`*prometheus-prod* — :red_circle: missed since`);
    expect(text).toContain(
      `last ping 2m ago (<!date^${ping}^{date_short_pretty} {time}|2026-11-25 10:00 UTC>)`,
    );
    expect(text).toContain(
      "Every 10s + 5s grace, or alert `Watchdog`; a miss pages rotation Merged on-call.",
    );
    expect(text).toContain("*backup-cron* — :hourglass_flowing_sand: waiting for a first ping");
    expect(text).toContain("no ping yet. Every 1h 00m; a miss pages team Search.");
  });
});

describe("heartbeat metrics", () => {
  it("exports the seconds since each heartbeat's last ping", async () => {
    const h = await start();
    await genie(h, "prometheus-prod", WEBHOOK_TOKEN);
    h.clock.advance(7_000);
    await afterChecks(h, 2);
    const metrics = await (await fetch(`${h.app.url}/metrics`)).text();
    expect(metrics).toContain('oncall_heartbeat_seconds_since_ping{heartbeat="prometheus-prod"} 7');
    expect(metrics).not.toContain('oncall_heartbeat_seconds_since_ping{heartbeat="backup-cron"}');
  });
});

// A bot process killed with SIGKILL: no stop, no clean-up. Its clock is a file the test writes.
describe("kill -9", () => {
  let child: BotProcess | undefined;
  afterEach(async () => {
    await child?.kill();
    child = undefined;
  });

  it("a bot killed mid-outage and started again pages no second time, and no false miss during its grace", async () => {
    // The harness serves HTTP but runs no workers: the checks and pages are the process's.
    const h = await bot.start({ now: T0, configDir: orgWithHeartbeats(), role: "web" });
    const clockFile = join(dirs[dirs.length - 1]!, "clock");
    const setClock = (ms: number) => {
      h.clock.current = new Date(ms);
      writeFileSync(clockFile, new Date(ms).toISOString());
    };
    const t0 = Date.parse(T0);
    setClock(t0);
    const spawn = async () => {
      const b = await spawnBot(h, clockFile, { HEARTBEAT_CHECK_EVERY: "1s" });
      child = b;
      return b;
    };
    const ping = (url: string) =>
      fetch(`${url}/v2/heartbeats/prometheus-prod/ping`, {
        headers: { authorization: `GenieKey ${WEBHOOK_TOKEN}` },
      });

    let bot1 = await spawn();
    expect((await ping(bot1.url)).status).toBe(202);
    setClock(t0 + 16_000);
    await eventually(() => pages(h).length === 1, 10_000, "the page from the bot process");
    await bot1.kill();

    // Started again after a long downtime: one interval of grace, then the same outage, paged already.
    setClock(t0 + 600_000);
    bot1 = await spawn();
    // Checks while the process is in its start-up grace, then after it: the same outage, paged already.
    await moreIterations(h.app, 3, "checks after the restart");
    expect(pages(h)).toHaveLength(1);
    setClock(t0 + 630_000);
    await moreIterations(h.app, 3, "checks after the grace");
    expect(pages(h)).toHaveLength(1);
    const hbStore = new HeartbeatStore(h.app.redis, h.prefix);
    expect((await hbStore.get("prometheus-prod")).outage).not.toBeNull();
    expect((await ping(bot1.url)).status).toBe(202);
    expect((await hbStore.get("prometheus-prod")).outage).toBeNull();
    expect((await latestAlert(h.app))?.state).toBe("resolved");

    // Killed again while all is well and down for ten minutes, so the pings sent meanwhile were lost:
    // no false miss while the sender has its interval to reach the restarted bot.
    await bot1.kill();
    setClock(t0 + 1_230_000);
    bot1 = await spawn();
    await moreIterations(h.app, 3, "checks in the grace");
    expect(pages(h)).toHaveLength(1);
    expect((await latestAlert(h.app))?.state).toBe("resolved");
    expect((await ping(bot1.url)).status).toBe(202);
  }, 90_000);
});
