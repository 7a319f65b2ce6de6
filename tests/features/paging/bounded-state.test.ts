// Bounded state in real Redis: a resolved alert and everything kept for it expire after the
// retention period (PTTL asserted, and waited out for real with a one-second retention); the reports
// then read the per-day digests and give the same figures as the full alerts did; an alert whose
// group churns through thousands of pods stays a bounded document.

import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load";
import type { Alert, AlertRoute } from "../../../src/core/alert";
import {
  acknowledge,
  answerActionable,
  escalate,
  handOff,
  resolveByHand,
  type Transition,
} from "../../../src/core/alert-actions";
import type { IncomingGroup, IncomingInstance } from "../../../src/core/incoming";
import { alertOutcome } from "../../../src/core/outcome";
import { loadReport } from "../../../src/features/load/load";
import { noiseReport } from "../../../src/features/load/noise";
import { readOccurrences } from "../../../src/features/load/occurrences";
import { AlertStore } from "../../../src/features/paging/alert-store";
import { DeliveryStore } from "../../../src/features/paging/delivery-store";
import { parseGenericAlert } from "../../../src/features/paging/intake/generic";
import { redisPerTest } from "../../support/redis";

const config = loadConfig(new URL("../../fixtures/org", import.meta.url).pathname);
const DAY_S = 86_400;
const redis = redisPerTest("bounded");

const routeFor = (teamId: string | null): AlertRoute => ({
  rotationId: "merged",
  serviceId: teamId ? `${teamId}-svc` : null,
  teamId,
  unrouted: teamId === null,
  ejected: false,
  channel: "C0ONCALL",
  oncallUser: "U01AAA",
});

function store(opts: ConstructorParameters<typeof AlertStore>[2] = {}) {
  return new AlertStore(redis.replica(), redis.prefix, opts);
}

const at = (minutes: number) => new Date(Date.parse("2026-11-20T09:00:00Z") + minutes * 60_000);

function notification(group: string, status: "firing" | "resolved", name = "Boom") {
  return parseGenericAlert({ name, status, labels: { instance: "i-1" }, group });
}

async function fire(s: AlertStore, group: string, min: number, team: string | null, name = "Boom") {
  const r = await s.ingest(notification(group, "firing", name), at(min), {
    route: async () => routeFor(team),
    hasRunbook: (n) => n !== "NoBook",
  });
  if (r.kind !== "opened") throw new Error(`expected a new alert, got ${r.kind}`);
  return r.alert;
}

async function sourceResolves(s: AlertStore, group: string, min: number, name = "Boom") {
  const r = await s.ingest(notification(group, "resolved", name), at(min), {
    route: async () => routeFor(null),
    hasRunbook: () => true,
  });
  if (r.kind !== "updated" || r.alert.state !== "resolved")
    throw new Error(`expected a resolve, got ${r.kind}`);
  return r.alert;
}

async function apply(s: AlertStore, id: string, t: (a: Alert) => Transition) {
  const r = await s.update(id, t);
  if (!r.ok) throw new Error(r.reason);
  return r.alert;
}

const team = (id: string) => config.teams.find((t) => t.id === id)!;

/** A week of varied occurrences: every outcome the reports tell apart, flapping and a missing runbook. */
async function week(s: AlertStore): Promise<void> {
  // Resolved by itself, then again within the hour (flapping), answered noise afterwards.
  await fire(s, "flappy", 0, "playback");
  await sourceResolves(s, "flappy", 5);
  const again = await fire(s, "flappy", 30, "playback");
  await sourceResolves(s, "flappy", 40);
  await apply(s, again.id, (a) => answerActionable(a, "U01AAA", false, at(60)));
  // Acknowledged, resolved by hand, answered actionable.
  const acked = await fire(s, "acked", 100, "search");
  await apply(s, acked.id, (a) => acknowledge(a, "U02BBB", at(103)));
  await apply(s, acked.id, (a) => resolveByHand(a, "U02BBB", at(120)));
  await apply(s, acked.id, (a) => answerActionable(a, "U02BBB", true, at(121)));
  // Handed off during the team's workday, then the source resolved it; no runbook entry.
  const handed = await fire(s, "handed", 24 * 60 + 60, "playback", "NoBook");
  await apply(s, handed.id, (a) =>
    handOff(a, "U01AAA", at(24 * 60 + 62), { team: team("playback"), outsideWorkday: null }),
  );
  await sourceResolves(s, "handed", 24 * 60 + 90, "NoBook");
  // Escalated, then resolved by hand; after the acknowledgement of nobody.
  const escalated = await fire(s, "escalated", 2 * 24 * 60, "search");
  await apply(s, escalated.id, (a) => escalate(a, "U02BBB", "db down", at(2 * 24 * 60 + 4), team("search")));
  await apply(s, escalated.id, (a) => resolveByHand(a, "U02BBB", at(2 * 24 * 60 + 50)));
  // Unrouted, resolved by itself; and one still open at the end.
  await fire(s, "unrouted", 3 * 24 * 60, null);
  await sourceResolves(s, "unrouted", 3 * 24 * 60 + 2);
  await fire(s, "still-open", 4 * 24 * 60, "payments");
}

/** The reports from the full alerts and timelines, as they were read before digests existed. */
async function fullData(s: AlertStore, ids: readonly string[], from: Date, to: Date) {
  const alerts = await s.getMany(ids);
  const occurrences = await Promise.all(alerts.map(async (a) => alertOutcome(a, await s.events(a.id))));
  return reports(occurrences, [], from, to);
}

function reports(
  occurrences: Parameters<typeof noiseReport>[0]["occurrences"],
  earlier: Parameters<typeof noiseReport>[0]["earlier"],
  from: Date,
  to: Date,
) {
  return {
    noise: noiseReport({ occurrences, earlier: earlier ?? [], from, to }),
    load: loadReport({ config, occurrences, now: to, weeks: 1 }),
  };
}

describe("retention of resolved alerts", () => {
  it("sets the retention period on a resolved alert, its timeline, Slack bookkeeping and group pointer", async () => {
    const s = store({ retentionSeconds: 90 * DAY_S });
    const delivery = new DeliveryStore(s.redis, redis.prefix);
    const opened = await fire(s, "g", 0, "playback");
    await delivery.setPage(opened.id, "C0ONCALL", "1.0001");
    const k = s.keys;
    const perAlert = [
      k.alert(opened.id),
      k.events(opened.id),
      k.delivery(opened.id),
      k.group(opened.groupId),
    ];
    // Open: nothing expires.
    for (const key of perAlert) expect(await s.redis.pttl(key), key).toBe(-1);
    expect(await s.redis.zscore(k.alertsByTime(), opened.id)).not.toBeNull();

    await sourceResolves(s, "g", 10);
    const keys = [...perAlert, k.sentMessages(opened.id)];
    for (const key of keys) {
      const pttl = await s.redis.pttl(key);
      expect(pttl, key).toBeGreaterThan((90 * DAY_S - 60) * 1000);
      expect(pttl, key).toBeLessThanOrEqual(90 * DAY_S * 1000);
    }
    // Off the open indexes; its digest stands in for it in the reports.
    expect(await s.redis.zscore(k.alertsByTime(), opened.id)).toBeNull();
    expect(await s.openIds({ rotationId: "merged" })).toEqual([]);
    expect(await s.redis.hexists(k.alertDigests("2026-11-20"), opened.id)).toBe(1);
  });

  it("keeps the expiry on what is written after the resolve (the page's update, a sent message)", async () => {
    const s = store({ retentionSeconds: 30 * DAY_S });
    const delivery = new DeliveryStore(s.redis, redis.prefix);
    const opened = await fire(s, "late", 0, "search");
    await sourceResolves(s, "late", 1);
    // The notify job posts after the resolve: the hashes existed already, with their expiry.
    await delivery.setPage(opened.id, "C0ONCALL", "1.0002");
    await delivery.raise(opened.id, "renderedVersion", 2);
    await delivery.recordSent(opened.id, "team", { channel: "C0TEAM", ts: "1.0003", version: 2 });
    await s.appendEvents(opened.id, [
      { at: at(2).toISOString(), type: "note", actor: "bot", text: "x", thread: false },
    ]);
    for (const key of [
      s.keys.delivery(opened.id),
      s.keys.sentMessages(opened.id),
      s.keys.events(opened.id),
    ]) {
      expect(await s.redis.pttl(key), key).toBeGreaterThan((30 * DAY_S - 60) * 1000);
    }
    expect((await delivery.get(opened.id)).ts).toBe("1.0002");
    expect((await delivery.sent(opened.id)).messages.get("team")?.ts).toBe("1.0003");
  });

  it("lets a new occurrence keep its group pointer while the resolved one expires", async () => {
    const s = store({ retentionSeconds: 7 * DAY_S });
    const first = await fire(s, "again", 0, null);
    await sourceResolves(s, "again", 1);
    expect(await s.redis.pttl(s.keys.group(first.groupId))).toBeGreaterThan(0);
    const second = await fire(s, "again", 120, null);
    expect(second.occurrence).toBe(2);
    expect(await s.redis.pttl(s.keys.group(first.groupId))).toBe(-1);
    expect(await s.redis.pttl(s.keys.alert(first.id))).toBeGreaterThan(0);
    expect(await s.redis.pttl(s.keys.alert(second.id))).toBe(-1);
  });

  it("keeps a day's digests for the report retention, counted from the start of that day", async () => {
    const s = store({ reportRetentionSeconds: 400 * DAY_S });
    await fire(s, "d", 0, null);
    await sourceResolves(s, "d", 30); // at 09:30 on 2026-11-20, 9.5 hours into the day
    const pttl = await s.redis.pttl(s.keys.alertDigests("2026-11-20"));
    expect(Math.abs(pttl - (400 * DAY_S - 9.5 * 3600) * 1000)).toBeLessThan(5_000);
    // A resolve whose day is already past the report retention writes no digest at all.
    const short = new AlertStore(s.redis, `${redis.prefix}short:`, { reportRetentionSeconds: 3600 });
    await fire(short, "d", 0, null);
    await sourceResolves(short, "d", 61);
    expect(await s.redis.exists(short.keys.alertDigests("2026-11-20"))).toBe(0);
    await s.redis.del(...(await s.redis.keys(`${redis.prefix}short:*`)));
  });

  it("expires for real, and the reports read from the digests give the same figures as the full alerts", {
    timeout: 20_000,
  }, async () => {
    const s = store({ retentionSeconds: 3 });
    await week(s);
    const from = at(-60);
    const to = at(7 * 24 * 60);
    // Everything ever stored, read the way the reports read alerts before digests existed.
    const allIds = (await s.redis.keys(`${redis.prefix}alert:*`))
      .filter((k) => !k.includes(":", redis.prefix.length + "alert:".length))
      .map((k) => k.slice(redis.prefix.length + "alert:".length));
    expect(allIds).toHaveLength(7);
    const before = await fullData(s, allIds, from, to);
    expect(before.noise.fired).toBe(7);
    expect(before.noise.noisy).toBeGreaterThan(0);
    expect(before.noise.rows.some((r) => r.flapping > 0)).toBe(true);

    // A three-second retention, waited out: the resolved alerts are gone from Redis.
    const deadline = Date.now() + 10_000;
    while ((await s.getMany(allIds)).length > 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const left = await s.getMany(allIds);
    expect(left.map((a) => a.state)).toEqual(["firing"]);
    for (const id of allIds.filter((id) => id !== left[0]!.id)) {
      expect(await s.redis.exists(s.keys.events(id), s.keys.delivery(id), s.keys.sentMessages(id))).toBe(0);
    }

    const data = await readOccurrences(s, from, to);
    expect(data.occurrences).toHaveLength(7);
    const after = reports(data.occurrences, data.earlier, from, to);
    expect(after.noise).toEqual(before.noise);
    expect(after.load).toEqual(before.load);
  });
});

// --- a group that churns ------------------------------------------------------------------------

const hex16 = (n: number) => n.toString(16).padStart(16, "0");

function pod(round: number, i: number, status: "firing" | "resolved"): IncomingInstance {
  const name = `stream-api-${round}-${i.toString(36).padStart(5, "0")}`;
  return {
    fingerprint: hex16(round * 100_000 + i),
    status,
    labels: {
      alertname: "PodCrashLooping",
      namespace: "streaming",
      pod: name,
      container: "api",
      job: "kube-state-metrics",
      node: `node-${i % 40}`,
      severity: "page",
    },
    annotations: {
      summary: `Pod streaming/${name} is crash looping`,
      description: `Pod streaming/${name} (api) restarted 5 times in the last 10 minutes.`,
    },
    startsAt: at(round * 60).toISOString(),
    endsAt: status === "resolved" ? at(round * 60 + 30).toISOString() : null,
    generatorUrl: "https://prometheus.example.com/graph?g0.expr=kube_pod_container_status_restarts_total",
    links: {},
  };
}

function churn(round: number, pods: number): IncomingGroup {
  const instances: IncomingInstance[] = [];
  // This round's pods fire; the previous round's are reported resolved (as Alertmanager does).
  for (let i = 0; i < pods; i++) instances.push(pod(round, i, "firing"));
  if (round > 0) for (let i = 0; i < pods; i++) instances.push(pod(round - 1, i, "resolved"));
  return {
    source: "alertmanager",
    groupKey: '{}:{alertname="PodCrashLooping"}',
    groupId: "c0ffee00c0ffee00",
    status: "firing",
    groupLabels: { alertname: "PodCrashLooping" },
    commonLabels: { alertname: "PodCrashLooping", namespace: "streaming", severity: "page" },
    commonAnnotations: {},
    externalUrl: null,
    instances,
    title: null,
    truncatedAlerts: 0,
  };
}

describe("an alert whose group churns", () => {
  it("stays bounded through 1,000 new pods six times, counting what it no longer lists", async () => {
    const s = store({ instanceLimit: 50 });
    const deps = { route: async () => routeFor("playback"), hasRunbook: () => true };
    const sizes: number[] = [];
    let last: Alert | null = null;
    for (let round = 0; round < 6; round++) {
      const r = await s.ingest(churn(round, 1_000), at(round * 60 + 1), deps);
      if (r.kind === "ignored") throw new Error(r.reason);
      last = r.alert;
      sizes.push(Buffer.byteLength((await s.redis.hget(s.keys.alert(last.id), "doc")) ?? ""));
    }
    expect(last!.occurrence).toBe(1);
    expect(last!.instances).toHaveLength(50);
    expect(last!.instances.every((i) => i.status === "firing")).toBe(true);
    // 1,000 firing now; of the 5,000 resolved, the most recent 2,000 are remembered by fingerprint.
    expect(last!.truncated?.firing).toHaveLength(950);
    expect(last!.truncated?.resolved).toHaveLength(2_000);
    // Bounded: the document stops growing once the fingerprint lists are full, far below the
    // megabytes every instance in full would take (about 600 bytes each, 6,000 of them).
    const max = Math.max(...sizes);
    expect(max).toBeLessThan(150_000);
    expect(sizes[5]).toBeLessThanOrEqual(sizes[3]! + 1_000);
    const events = await s.events(last!.id);
    // Known pods that fire again are not announced as joining again.
    const again = await s.ingest(churn(5, 1_000), at(6 * 60), deps);
    expect(again.kind === "updated" && again.events.map((e) => e.type)).toEqual(["repeat"]);
    expect(events.length).toBeLessThan(20);
  });
});
