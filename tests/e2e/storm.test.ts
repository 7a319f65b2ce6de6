// Alert storms through the running app: a burst of groups into one channel folds into one storm
// message, every alert accounted for once (a page or the storm's metadata count); Acknowledge all,
// the Show alerts modal, the close once everything resolved, and storm-aware escalation.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StormStore } from "../../src/features/storm/store";
import { fireGeneric, harnessPerTest } from "../support/e2e";
import { eventually, type Harness } from "../support/harness";
import { blockActionsBody, newTriggerId } from "../support/slack-requests";
import { type BotProcess, spawnBot } from "../support/spawn-bot";
import { dmsTo, ephemeralTo, orgWithEscalation, stored } from "./alert-press";

const CHANNEL = "C0ONCALL";
const JOBS = ["stream-api", "search-api", "checkout"];
const bot = harnessPerTest();
const SETTINGS = { settings: { storm: { digestEveryMs: 1_000 } } };

interface StormPayload {
  readonly storm_id: string;
  readonly alerts: number;
  readonly firing: number;
  readonly acknowledged: number;
}

const topLevel = (h: Harness) => h.slack.messages(CHANNEL);
const pageIds = (h: Harness) =>
  topLevel(h)
    .filter((m) => m.metadata?.event_type === "oncall_page")
    .map((m) => String(m.metadata!.event_payload.alert_id));
const stormMessage = (h: Harness) => topLevel(h).find((m) => m.metadata?.event_type === "oncall_storm");
const stormPayload = (h: Harness) => stormMessage(h)?.metadata?.event_payload as StormPayload | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `n` distinct groups into the rotation's channel over about `spreadMs`; their alert ids. */
async function burst(h: Harness, n: number, spreadMs: number, tag = "s"): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(await fireGeneric(h, `Storm${i % 7}`, { job: JOBS[i % 3]!, instance: `${tag}-${i}` }));
    await sleep(spreadMs / n);
  }
  return ids;
}

/** Waits until every alert is on a page or counted by the storm, and checks none is both. */
async function accountedFor(h: Harness, ids: readonly string[]) {
  const store = new StormStore(h.app.redis, h.prefix);
  await eventually(
    () => pageIds(h).length + (stormPayload(h)?.alerts ?? 0) === ids.length,
    15_000,
    "every alert on a page or in the storm",
  );
  const storm = stormPayload(h)!;
  const members = await store.alertIds(storm.storm_id);
  const pages = pageIds(h);
  expect(new Set([...members, ...pages])).toEqual(new Set(ids));
  expect(members.filter((m) => pages.includes(m))).toEqual([]);
  expect(new Set(pages).size).toBe(pages.length);
  return { storm, members, pages, store };
}

function pressStorm(h: Harness, actionId: string, user: string, value: string, triggerId = newTriggerId()) {
  const msg = stormMessage(h)!;
  return h.slackPost(
    blockActionsBody({ actionId, value, userId: user, channelId: CHANNEL, messageTs: msg.ts, triggerId }),
  );
}

function pressInModal(h: Harness, actionId: string, user: string, value: string) {
  const v = h.slack.views().at(-1)!;
  return h.slackPost(
    blockActionsBody({ actionId, value, userId: user, view: { ...v.view, id: v.id }, blockId: "storm" }),
  );
}

describe("a storm of alerts into one channel", () => {
  it("folds 30 groups in 2 s into a few pages and one storm message, each alert once", async () => {
    const h = await bot.start(SETTINGS);
    const ids = await burst(h, 30, 2_000);
    const { storm, members } = await accountedFor(h, ids);
    expect(topLevel(h).length).toBeLessThanOrEqual(6);
    expect(members.length).toBeGreaterThanOrEqual(24);
    await eventually(() => stormPayload(h)?.firing === members.length, 8_000, "storm counts current");
    expect(storm.acknowledged).toBe(0);
    const text = JSON.stringify(stormMessage(h)!.blocks);
    expect(text).toContain("Storm0");
    expect(text).toContain("search-api");
    expect(text).toContain("storm.ack");
    // One DM for the storm, none for its alerts; no thread note per alert.
    const oncall = (await stored(h, members[0]!)).route.oncallUser!;
    await eventually(() => dmsTo(h, oncall).some((m) => m.text.includes("alert storm started")));
    const dms = dmsTo(h, oncall);
    expect(dms.filter((m) => m.text.includes("alert storm started"))).toHaveLength(1);
    expect(dms.length).toBe(1 + ids.length - members.length);
    expect(h.slack.thread(CHANNEL, stormMessage(h)!.ts)).toHaveLength(0);
    // At most one digest update per storm per slot (1 s here), however many alerts joined.
    const updates = h.slack.callsTo("chat.update").filter((c) => c.args.ts === stormMessage(h)!.ts);
    expect(updates.length).toBeLessThanOrEqual(8);
  });

  it("stays within Slack's limits: no call answered 429 while 60 groups arrive in 3 s", async () => {
    const h = await bot.start(SETTINGS);
    h.slack.setRateLimits(true);
    const ids = await burst(h, 60, 3_000, "limits");
    const { members } = await accountedFor(h, ids);
    expect(members.length).toBeGreaterThanOrEqual(50);
    await eventually(() => stormPayload(h)?.firing === members.length, 10_000, "storm counts current");
    expect(topLevel(h).length).toBeLessThanOrEqual(6);
    expect(h.slack.rateLimited()).toBe(0);
  }, 60_000);

  it("two replicas sharing one Redis stay within Slack's limits together, each alert once", async () => {
    const h = await bot.start(SETTINGS);
    h.slack.setRateLimits(true);
    const other = await h.replica("all");
    // Alertmanager's webhooks land on either replica; both replicas' workers sync and post.
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const url = i % 2 ? other.url : h.app.url;
      const res = await fetch(`${url}/webhooks/generic`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${h.settings.alertWebhookToken}`,
        },
        body: JSON.stringify({
          name: `Storm${i % 7}`,
          status: "firing",
          labels: { job: JOBS[i % 3]!, instance: `two-${i}` },
          annotations: { summary: "two replicas" },
        }),
      });
      expect(res.status).toBe(200);
      ids.push(((await res.json()) as { alert: { id: string } }).alert.id);
      await sleep(50);
    }
    const { members } = await accountedFor(h, ids);
    await eventually(() => stormPayload(h)?.firing === members.length, 10_000, "storm counts current");
    expect(topLevel(h).length).toBeLessThanOrEqual(6);
    expect(topLevel(h).filter((m) => m.metadata?.event_type === "oncall_storm")).toHaveLength(1);
    expect(h.slack.rateLimited()).toBe(0);
  }, 60_000);

  it("a bot killed with kill -9 mid-storm and started again loses nothing and pages nothing twice", async () => {
    // The harness only takes webhooks (role web); the bot process does every sync and post.
    const h = await bot.start({ ...SETTINGS, role: "web" });
    h.slack.setRateLimits(true);
    const dir = mkdtempSync(join(tmpdir(), "oncall-storm-kill-"));
    const clockFile = join(dir, "clock");
    writeFileSync(clockFile, h.clock.now().toISOString());
    const env = { STORM_DIGEST_EVERY: "1s" };
    let proc: BotProcess = await spawnBot(h, clockFile, env);
    try {
      const ids = await burst(h, 25, 1_000, "before");
      // Mid-storm: pages, the digest and its updates are in flight.
      await proc.kill();
      ids.push(...(await burst(h, 25, 1_000, "down")));
      proc = await spawnBot(h, clockFile, env);
      ids.push(...(await burst(h, 10, 500, "after")));
      const { members } = await accountedFor(h, ids);
      await eventually(() => stormPayload(h)?.firing === members.length, 15_000, "storm counts current");
      expect(topLevel(h).filter((m) => m.metadata?.event_type === "oncall_storm")).toHaveLength(1);
      expect(topLevel(h).length).toBeLessThanOrEqual(6);
      // No DM twice either: one storm DM and one per own page.
      const oncall = (await stored(h, ids[0]!)).route.oncallUser!;
      const dms = dmsTo(h, oncall);
      expect(dms.filter((m) => m.text.includes("alert storm started"))).toHaveLength(1);
      expect(dms.length).toBe(1 + ids.length - members.length);
    } finally {
      await proc.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  it("Acknowledge all acknowledges every alert for someone who may act; others are refused", async () => {
    const h = await bot.start(SETTINGS);
    const ids = await burst(h, 12, 500);
    const { storm, members } = await accountedFor(h, ids);
    await pressStorm(h, "storm.ack", "U0OUTSIDER", storm.storm_id);
    await ephemeralTo(h, "U0OUTSIDER", "Only the participants and admins");
    expect((await stored(h, members[0]!)).state).toBe("firing");
    await pressStorm(h, "storm.ack", "U02AAA", storm.storm_id);
    await ephemeralTo(h, "U02AAA", `You acknowledged ${members.length} alerts`);
    for (const id of members)
      expect(await stored(h, id)).toMatchObject({ state: "acked", assignee: "U02AAA" });
    await eventually(
      () => stormPayload(h)?.acknowledged === members.length && stormPayload(h)?.firing === 0,
      8_000,
      "digest shows them acknowledged",
    );
    expect(JSON.stringify(stormMessage(h)!.blocks)).not.toContain("storm.ack");
    // The paged alerts kept their own pages and stayed firing.
    for (const id of pageIds(h)) expect((await stored(h, id)).state).toBe("firing");
  });

  it("Show alerts lists them in pages; one is acknowledged, one opened as its own page", async () => {
    const h = await bot.start(SETTINGS);
    const ids = await burst(h, 30, 1_000);
    const { storm, members, store } = await accountedFor(h, ids);
    const triggerId = newTriggerId();
    h.slack.registerTrigger(triggerId, "U01AAA");
    await pressStorm(h, "storm.show", "U01AAA", storm.storm_id, triggerId);
    const first = await eventually(() => h.slack.views().at(-1));
    const blocks = () => JSON.stringify(h.slack.views().at(-1)!.view.blocks);
    expect((h.slack.views().at(-1)!.view.blocks as unknown[]).length).toBeLessThan(100);
    expect(blocks()).toContain("page 1 of 2");
    expect(blocks()).toContain("storm.page.next");
    await pressInModal(h, "storm.page.next", "U01AAA", `${storm.storm_id}:1`);
    await eventually(() => blocks().includes("page 2 of 2"), 8_000, "second page");
    expect(h.slack.views().at(-1)!.id).toBe(first.id);
    // Acknowledge one alert from the modal, open another as its own page.
    const [toAck, toPage] = [...members].sort();
    await pressInModal(h, "storm.alert.ack", "U01AAA", toAck!);
    await eventually(async () => (await stored(h, toAck!)).assignee === "U01AAA");
    await pressInModal(h, "storm.alert.page", "U01AAA", toPage!);
    await eventually(() => pageIds(h).includes(toPage!), 10_000, "its own page");
    expect(await store.alertIds(storm.storm_id)).not.toContain(toPage);
    await eventually(() => stormPayload(h)?.alerts === members.length - 1, 8_000, "storm count without it");
    // An outsider's press in the modal changes nothing and says why.
    await pressInModal(h, "storm.alert.ack", "U0OUTSIDER", [...members].sort()[2]!);
    await eventually(() => blocks().includes("Only the participants"), 8_000, "refusal on the modal");
    expect((await stored(h, [...members].sort()[2]!)).state).toBe("firing");
  });

  it("closes once every alert resolved; the next alert gets its own page", async () => {
    const h = await bot.start(SETTINGS);
    const names: [string, Record<string, string>][] = Array.from({ length: 10 }, (_, i) => [
      `Storm${i % 7}`,
      { job: JOBS[i % 3]!, instance: `c-${i}` },
    ]);
    const ids: string[] = [];
    for (const [name, labels] of names) ids.push(await fireGeneric(h, name, labels));
    const { storm, members } = await accountedFor(h, ids);
    for (const [name, labels] of names) await fireGeneric(h, name, labels, { status: "resolved" });
    await eventually(
      () => stormMessage(h)?.text.includes("Alert storm over") && stormPayload(h)?.firing === 0,
      10_000,
      "storm closed",
    );
    expect(stormPayload(h)).toMatchObject({ storm_id: storm.storm_id, alerts: members.length, firing: 0 });
    await eventually(
      () => h.slack.thread(CHANNEL, stormMessage(h)!.ts).length === 1,
      // Background work, paced behind the channel's pages and their thread replies.
      20_000,
      "one summary note",
    );
    expect(h.slack.thread(CHANNEL, stormMessage(h)!.ts)[0]!.text).toContain("Storm over");
    const next = await fireGeneric(h, "AfterTheStorm", { job: "checkout", instance: "after" });
    await eventually(() => pageIds(h).includes(next), 10_000, "the next alert paged");
    expect(topLevel(h).filter((m) => m.metadata?.event_type === "oncall_storm")).toHaveLength(1);
  }, 60_000);
});

describe("escalation during a storm", () => {
  let org: ReturnType<typeof orgWithEscalation>;
  beforeAll(() => {
    org = orgWithEscalation("{ ack_timeout: 1s, repeats: 1 }");
  });
  afterAll(() => org.remove());

  it("re-pages the on-call engineer once per storm and broadcasts once per team", async () => {
    const h = await bot.start({ ...SETTINGS, configDir: org.dir });
    const ids = await burst(h, 12, 300);
    const { members } = await accountedFor(h, ids);
    const oncall = (await stored(h, members[0]!)).route.oncallUser!;
    // Every alert escalates to its team after one re-page.
    await eventually(
      async () =>
        (await Promise.all(members.map((id) => stored(h, id)))).every((a) => a.state === "escalated"),
      15_000,
      "storm alerts escalated",
    );
    await eventually(() => dmsTo(h, "U01BBB").some((m) => m.text.includes("unacknowledged alert storm")));
    await sleep(1_500);
    const repages = dmsTo(h, oncall).filter((m) => m.text.includes("the alert storm in"));
    expect(repages).toHaveLength(1);
    const members4 = ["U01BBB", "U01CCC", "U02BBB", "U03BBB"];
    const heard = (u: string) => dmsTo(h, u).filter((m) => m.text.includes("unacknowledged alert storm"));
    await eventually(() => members4.every((u) => heard(u).length > 0), 10_000, "every member told");
    const teamPosts = (channel: string) =>
      h.slack.messages(channel).filter((m) => m.text.includes("unacknowledged alert storm"));
    const channels = ["C0PLAYBACK", "C0SEARCH", "C0PAYMENTS"];
    await eventually(() => channels.every((c) => teamPosts(c).length > 0), 8_000, "a post per team");
    await sleep(1_000);
    for (const channel of channels) expect(teamPosts(channel)).toHaveLength(1);
    for (const u of members4) expect(heard(u)).toHaveLength(1);
    expect(dmsTo(h, oncall).filter((m) => m.text.includes("the alert storm in"))).toHaveLength(1);
  });
});
