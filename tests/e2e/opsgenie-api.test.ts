// Opsgenie's Alert API on the bot's server, through real HTTP, Redis, BullMQ and Bolt, with the fake
// Slack: answers and errors in Opsgenie's shape, every endpoint's effect on the page.

import { describe, expect, it } from "vitest";
import { awaitingAck } from "../../src/core/alert-actions";
import { groupIdOf } from "../../src/features/paging/intake/fingerprint";
import { opsgenieGroupKey } from "../../src/features/paging/intake/opsgenie";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness, WEBHOOK_TOKEN } from "../support/harness";
import { spawnRedis } from "../support/redis";
import { settled } from "../support/settled";

const PAYMENTS_KEY = "payments-genie-key-0123456789";
const SEARCH_KEY = "search-genie-key-0123456789ab";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const bot = harnessPerTest();

function start() {
  return bot.start({
    settings: {
      opsgenieKeys: [
        { name: "payments", key: PAYMENTS_KEY, pin: { kind: "team", id: "payments" } },
        { name: "search", key: SEARCH_KEY, pin: { kind: "service", id: "search-api" } },
      ],
    },
  });
}

async function call(
  h: Harness,
  path: string,
  body?: unknown,
  opts: { method?: string; key?: string | null; authorization?: string } = {},
) {
  const key = opts.key === undefined ? WEBHOOK_TOKEN : opts.key;
  const authorization = opts.authorization ?? (key === null ? undefined : `GenieKey ${key}`);
  const res = await fetch(`${h.app.url}${path}`, {
    method: opts.method ?? "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

const byAlias = (h: Harness, alias: string) => h.app.alerts.latestOfGroup(groupIdOf(opsgenieGroupKey(alias)));

async function createStreamAlert(h: Harness, alias = "stream-api-errors") {
  const res = await call(h, "/v2/alerts", {
    alias,
    message: "HighErrorRate on stream-api",
    description: "5xx above 5% for 10 minutes",
    details: { alertname: "HighErrorRate", job: "stream-api", severity: "page" },
    tags: ["env:prod", "edge"],
    priority: "P2",
    entity: "stream-api-7f9c:8080",
    source: "http://alertmanager.example:9093",
  });
  expect(res.status).toBe(202);
  return res;
}

describe("Opsgenie alert API: answers and errors", () => {
  it("answers 202 with Opsgenie's result, took and requestId once the alert is stored", async () => {
    const h = await start();
    const res = await createStreamAlert(h);
    expect(res.body).toEqual({
      result: "Request will be processed",
      took: expect.any(Number),
      requestId: expect.stringMatching(UUID),
    });
    expect(res.headers.get("x-request-id")).toBe(res.body.requestId);
    // Durable before the 2xx.
    const alert = await byAlias(h, "stream-api-errors");
    expect(alert).toMatchObject({
      source: "opsgenie",
      name: "HighErrorRate",
      state: "firing",
      route: { rotationId: "merged", serviceId: "stream-api", teamId: "playback" },
      commonLabels: {
        job: "stream-api",
        env: "prod",
        tags: "edge",
        priority: "P2",
        instance: "stream-api-7f9c:8080",
      },
    });
  });

  it("refuses a wrong key, a Bearer token or no key with 401 in Opsgenie's shape", async () => {
    const h = await start();
    const body = { message: "m" };
    for (const opts of [
      { key: "wrong-key-0123456789abcdef" },
      { authorization: `Bearer ${WEBHOOK_TOKEN}` },
      { key: null },
    ]) {
      const res = await call(h, "/v2/alerts", body, opts);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        message: expect.stringContaining("Could not authenticate"),
        took: expect.any(Number),
        requestId: expect.stringMatching(UUID),
      });
    }
    const close = await call(
      h,
      "/v2/alerts/x/close?identifierType=alias",
      {},
      { key: "nope-nope-nope-nope" },
    );
    expect(close.status).toBe(401);
    await settled(h);
    expect(h.slack.callsTo("chat.postMessage")).toHaveLength(0);
  });

  it("refuses a bad body with 422 naming the fields, and bad JSON with 400", async () => {
    const h = await start();
    const res = await call(h, "/v2/alerts", { alias: "a", priority: "urgent" });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      message: "Request body is not processable. Please check the errors.",
      errors: {
        message: "expected a string, got nothing (the field is missing)",
        priority: 'expected "P1", "P2", "P3", "P4" or "P5", got "urgent"',
      },
      took: expect.any(Number),
      requestId: expect.stringMatching(UUID),
    });
    const raw = await fetch(`${h.app.url}/v2/alerts`, {
      method: "POST",
      headers: { authorization: `GenieKey ${WEBHOOK_TOKEN}` },
      body: "{not json",
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as { message: string }).message).toContain("Could not parse the JSON body");
    const notes = await call(h, "/v2/alerts/a/notes?identifierType=alias", {});
    expect(notes.status).toBe(422);
    expect(notes.body.errors).toEqual({ note: "expected a string, got nothing (the field is missing)" });
    const type = await call(h, "/v2/alerts/a/close?identifierType=name", {});
    expect(type.status).toBe(422);
    expect(type.body.errors).toEqual({ identifierType: 'must be id, alias or tiny, got "name"' });
    const encoding = await call(h, "/v2/alerts/%E0%A4%A/close?identifierType=alias", {});
    expect(encoding.status).toBe(422);
    expect(encoding.body.errors).toEqual({ identifier: 'is not valid percent-encoding: "%E0%A4%A"' });
    const tiny = await call(h, "/v2/alerts/42/close?identifierType=tiny", {});
    expect(tiny.status).toBe(422);
    expect(String((tiny.body.errors as Record<string, string>).identifierType)).toContain(
      "use identifierType=alias",
    );
  });

  it("answers 404 for an alert it does not know and for paths it does not serve, 405 for a wrong method", async () => {
    const h = await start();
    const unknown = await call(h, "/v2/alerts/nothing-here/close?identifierType=alias", {});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      message: "Alert with alias [nothing-here] does not exist",
      requestId: expect.stringMatching(UUID),
    });
    const byId = await call(h, "/v2/alerts/3f2a9c-1/acknowledge", {});
    expect(byId.status).toBe(404);
    expect(byId.body.message).toBe("Alert with id [3f2a9c-1] does not exist");
    expect((await call(h, "/v2/alerts/x/snooze", {})).status).toBe(404);
    const get = await call(h, "/v2/alerts", undefined, { method: "GET" });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
  });
});

describe("Opsgenie alert API: the alert's life", () => {
  it("pages once per alias, updates on a repeat, and resolves on close by alias", async () => {
    const h = await start();
    await createStreamAlert(h);
    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL" && !c.args.thread_ts,
    );
    const blocks = JSON.stringify(page.args.blocks);
    expect(blocks).toContain("HighErrorRate · stream-api (Playback)");
    expect(blocks).toContain("HighErrorRate on stream-api");
    expect(blocks).toContain("stream-api-7f9c:8080");
    expect(blocks).toContain("alert.ack");
    expect(blocks).toContain("runbooks/HighErrorRate.md");

    await createStreamAlert(h);
    await settled(h);
    const tops = h.slack
      .callsTo("chat.postMessage")
      .filter((c) => c.args.channel === "C0ONCALL" && !c.args.thread_ts);
    expect(tops).toHaveLength(1);
    const alert = await byAlias(h, "stream-api-errors");
    expect(alert?.occurrence).toBe(1);
    expect((await h.app.alerts.events(alert!.id)).map((e) => e.type)).toEqual(["opened", "repeat"]);

    const close = await call(h, "/v2/alerts/stream-api-errors/close?identifierType=alias", {
      source: "http://alertmanager.example:9093",
    });
    expect(close.status).toBe(202);
    const closed = await byAlias(h, "stream-api-errors");
    expect(closed).toMatchObject({ state: "resolved", resolvedBy: "opsgenie" });
    await eventually(() => h.slack.message("C0ONCALL", page.response.ts as string)?.text.startsWith("✅"));
    // A second close (a retry, or after a resolve by hand) changes nothing and is still accepted.
    expect((await call(h, "/v2/alerts/stream-api-errors/close?identifierType=alias", {})).status).toBe(202);
    // Firing again after the close opens a new page.
    await createStreamAlert(h);
    expect((await byAlias(h, "stream-api-errors"))?.occurrence).toBe(2);
  });

  it("rewrites the page's text on /message and /description, once per change", async () => {
    const h = await start();
    await createStreamAlert(h);
    const alert = (await byAlias(h, "stream-api-errors"))!;
    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL" && !c.args.thread_ts,
    );
    const ts = page.response.ts as string;

    const msg = await call(
      h,
      `/v2/alerts/${alert.id}/message`,
      { message: "[FIRING:3] HighErrorRate <!channel>" },
      { method: "PUT" },
    );
    expect(msg.status).toBe(202);
    await eventually(() =>
      JSON.stringify(h.slack.message("C0ONCALL", ts)?.blocks).includes(
        "[FIRING:3] HighErrorRate &lt;!channel&gt;",
      ),
    );
    const desc = await call(
      h,
      "/v2/alerts/stream-api-errors/description?identifierType=alias",
      { description: "now 7%" },
      { method: "PUT" },
    );
    expect(desc.status).toBe(202);
    expect((await h.app.alerts.get(alert.id))?.commonAnnotations.description).toBe("now 7%");
    const version = (await h.app.alerts.get(alert.id))!.version;
    // Alertmanager's update_alerts repeats both after every notification: the same text is no change.
    expect(
      (
        await call(
          h,
          "/v2/alerts/stream-api-errors/description?identifierType=alias",
          { description: "now 7%" },
          { method: "PUT" },
        )
      ).status,
    ).toBe(202);
    expect((await h.app.alerts.get(alert.id))!.version).toBe(version);
  });

  it("adds a note to the page's thread, escaped", async () => {
    const h = await start();
    await createStreamAlert(h);
    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL" && !c.args.thread_ts,
    );
    const res = await call(h, "/v2/alerts/stream-api-errors/notes?identifierType=alias", {
      note: "rolling back <@U0OUTSIDER>",
      user: "deploy-bot",
    });
    expect(res.status).toBe(202);
    const reply = await eventually(() =>
      h.slack.thread("C0ONCALL", page.response.ts as string).find((m) => m.text.includes("rolling back")),
    );
    expect(reply.text).toBe("Note through the Opsgenie API (deploy-bot): rolling back &lt;@U0OUTSIDER&gt;");
  });

  it("acknowledges for the engineer paged, or for the Slack user named, so the re-pages stop", async () => {
    const h = await start();
    await createStreamAlert(h);
    const res = await call(h, "/v2/alerts/stream-api-errors/acknowledge?identifierType=alias", {
      user: "grafana",
      source: "grafana",
    });
    expect(res.status).toBe(202);
    const acked = (await byAlias(h, "stream-api-errors"))!;
    expect(acked).toMatchObject({ state: "acked", assignee: "U02AAA" });
    // An owner: the escalation timers stop, as for a press of Acknowledge.
    expect(awaitingAck(acked)).toBe(false);
    const events = await h.app.alerts.events(acked.id);
    expect(events.at(-1)?.text).toBe(
      "<@U02AAA> acknowledged (as the engineer paged) through the Opsgenie API (grafana)",
    );
    // Already taken: accepted, nothing changes.
    expect((await call(h, `/v2/alerts/${acked.id}/acknowledge`, { user: "U01AAA" })).status).toBe(202);
    expect((await h.app.alerts.get(acked.id))?.assignee).toBe("U02AAA");

    await createStreamAlert(h, "second");
    const second = (await byAlias(h, "second"))!;
    // A user who may act on the alert (a participant of its rotation) is taken as they are.
    expect(
      (await call(h, `/v2/alerts/${second.id}/acknowledge?identifierType=id`, { user: "U01AAA" })).status,
    ).toBe(202);
    const byUser = (await h.app.alerts.get(second.id))!;
    expect(byUser.assignee).toBe("U01AAA");
    expect((await h.app.alerts.events(second.id)).at(-1)?.text).toBe(
      "<@U01AAA> acknowledged through the Opsgenie API",
    );
  });

  it("routes a pinned key's alerts to its team or service, whatever the labels say", async () => {
    const h = await start();
    const res = await call(
      h,
      "/v2/alerts",
      { alias: "pinned", message: "Card declines", details: { job: "stream-api" } },
      { key: PAYMENTS_KEY },
    );
    expect(res.status).toBe(202);
    expect((await byAlias(h, "pinned"))?.route).toMatchObject({
      teamId: "payments",
      serviceId: null,
      unrouted: false,
    });
    await call(
      h,
      "/v2/alerts",
      { alias: "pinned-service", message: "Slow queries", details: { job: "stream-api" } },
      { key: SEARCH_KEY },
    );
    expect((await byAlias(h, "pinned-service"))?.route).toMatchObject({
      teamId: "search",
      serviceId: "search-api",
      unrouted: false,
    });
    // ALERT_WEBHOOK_TOKEN routes the same labels by the services.
    await call(h, "/v2/alerts", {
      alias: "by-labels",
      message: "Card declines",
      details: { job: "stream-api" },
    });
    expect((await byAlias(h, "by-labels"))?.route).toMatchObject({
      teamId: "playback",
      serviceId: "stream-api",
    });
  });
});

describe("Opsgenie alert API: storage", () => {
  it("answers 503 in Opsgenie's shape when Redis is unavailable, so the sender retries", async () => {
    const { port, proc: redis } = await spawnRedis();
    try {
      const h = await bot.start({ redisUrl: `redis://127.0.0.1:${port}` });
      const exited = new Promise((r) => redis.once("exit", r));
      redis.kill("SIGKILL");
      await exited;
      const res = await call(h, "/v2/alerts", { alias: "x", message: "m" });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.body).toEqual({
        message: "Temporarily unable to store the request; retry",
        took: expect.any(Number),
        requestId: expect.stringMatching(UUID),
      });
    } finally {
      redis.kill("SIGKILL");
    }
  }, 30_000);
});
