// Alerts in, pages out: webhooks -> Redis -> BullMQ -> (fake) Slack, through the real app.

import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { eventually, type Harness, isDmPost, startHarness } from "../support/harness";
import { spawnRedis } from "../support/redis";
import { settled } from "../support/settled";

// Copies of ../shared/fixtures, so the suite runs from any clone.
const FIXTURES = new URL("../fixtures/payloads/", import.meta.url);
const firingFixture = () =>
  JSON.parse(readFileSync(new URL("alertmanager-v4-firing.json", FIXTURES), "utf8"));
const resolvedFixture = () =>
  JSON.parse(readFileSync(new URL("alertmanager-v4-resolved.json", FIXTURES), "utf8"));
const grafanaFixture = () => JSON.parse(readFileSync(new URL("grafana-webhook.json", FIXTURES), "utf8"));

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const topLevelPosts = (hh: Harness, channel: string) =>
  hh.slack
    .callsTo("chat.postMessage")
    .filter((c) => c.args.channel === channel && !c.args.thread_ts && c.response.ok);

function blocksText(blocks: unknown): string {
  return JSON.stringify(blocks);
}

function allResolved(payload: ReturnType<typeof firingFixture>) {
  return {
    ...payload,
    status: "resolved",
    alerts: payload.alerts.map((a: Record<string, unknown>) => ({
      ...a,
      status: "resolved",
      endsAt: "2026-11-25T10:05:00Z",
    })),
  };
}

describe("Alertmanager webhook to Slack page", () => {
  it("stores the group before answering, then pages the rotation channel and DMs the on-call engineer once", async () => {
    h = await startHarness({ now: "2026-11-25T10:00:00Z" });
    const res = await h.webhook("/webhooks/alertmanager", firingFixture());
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; alert: { id: string } };
    expect(body.status).toBe("opened");
    // Durable before the 2xx: the alert is readable the moment the answer arrives.
    const stored = await h.app.alerts.get(body.alert.id);
    expect(stored?.instances).toHaveLength(2);
    expect(stored?.route).toMatchObject({
      rotationId: "merged",
      teamId: "playback",
      serviceId: "stream-api",
    });

    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL",
    );
    const text = blocksText(page.args.blocks);
    // 2026-11-25 is in the 47th week since 2026-01-05: the second participant (search) is on call.
    expect(text).toContain("<@U02AAA>");
    expect(text).toContain("HighErrorRate · stream-api (Playback)");
    expect(text).toContain("2 of 2 instances firing");
    expect(text).toContain("stream-api-7f9c:8080");
    expect(text).toContain("Context:");
    expect(text).toContain("runbooks/HighErrorRate.md");
    for (const id of ["alert.ack", "alert.resolve", "alert.handoff", "alert.escalate", "alert.incident"]) {
      expect(text).toContain(id);
    }
    // Straight to the user id: a DM costs no conversations.open (Tier 3) per page.
    const dm = await h.slack.waitFor((c) => isDmPost(c) && c.response.ok);
    expect(dm.args.channel).toBe("U02AAA");
    expect(h.slack.callsTo("conversations.open")).toHaveLength(0);
    const delivery = await eventually(async () => (await h!.app.delivery.get(body.alert.id)).ts ?? undefined);
    expect(delivery).toBe(page.response.ts);
    expect(topLevelPosts(h, "C0ONCALL")).toHaveLength(1);
  });

  it("pages once for a repeated notification and notes the repeat in the thread", async () => {
    h = await startHarness();
    await h.webhook("/webhooks/alertmanager", firingFixture());
    await h.slack.waitFor((c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL");
    const again = await h.webhook("/webhooks/alertmanager", firingFixture());
    expect(((await again.json()) as { status: string }).status).toBe("updated");
    await h.slack.waitFor((c) => c.method === "chat.postMessage" && Boolean(c.args.thread_ts));
    await settled(h);
    expect(topLevelPosts(h, "C0ONCALL")).toHaveLength(1);
    const page = h.slack.messages("C0ONCALL")[0]!;
    expect(h.slack.thread("C0ONCALL", page.ts).map((m) => m.text)).toEqual([
      "Still firing: 2 of 2 instances",
    ]);
  });

  it("updates the page in place as instances resolve, resolves with the last, and pages anew when it fires again", async () => {
    h = await startHarness();
    const first = (await (await h.webhook("/webhooks/alertmanager", firingFixture())).json()) as {
      alert: { id: string };
    };
    await h.slack.waitFor((c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL");

    await h.webhook("/webhooks/alertmanager", resolvedFixture());
    const update = await h.slack.waitFor((c) => c.method === "chat.update");
    expect(blocksText(update.args.blocks)).toContain("1 of 2 instances firing");
    const page = h.slack.messages("C0ONCALL")[0]!;
    await eventually(() =>
      h!.slack.thread("C0ONCALL", page.ts).some((m) => m.text.includes("Resolved: stream-api-7f9c")),
    );

    const done = await h.webhook("/webhooks/alertmanager", allResolved(firingFixture()));
    expect(((await done.json()) as { alert: { state: string } }).alert.state).toBe("resolved");
    await eventually(() => h!.slack.message("C0ONCALL", page.ts)?.text.startsWith("✅"));
    expect((await h.app.alerts.get(first.alert.id))?.state).toBe("resolved");
    expect(await h.app.alerts.openIds({ rotationId: "merged" })).toEqual([]);

    const again = (await (await h.webhook("/webhooks/alertmanager", firingFixture())).json()) as {
      status: string;
      alert: { id: string };
    };
    expect(again.status).toBe("opened");
    expect(again.alert.id).not.toBe(first.alert.id);
    expect(again.alert.id.endsWith("-2")).toBe(true);
    await eventually(() => topLevelPosts(h!, "C0ONCALL").length === 2);
    const second = h.slack.messages("C0ONCALL").find((m) => m.ts !== page.ts)!;
    expect(JSON.stringify(second.blocks)).toContain(`previous: \`${first.alert.id}\``);
  });

  it("resolves the page when Alertmanager retries a resolve that was stored but answered 503", async () => {
    h = await startHarness();
    const first = (await (await h.webhook("/webhooks/alertmanager", firingFixture())).json()) as {
      alert: { id: string };
    };
    await h.slack.waitFor((c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL");
    const page = h.slack.messages("C0ONCALL")[0]!;
    // Redis fails between storing the resolve and handing it to the queues (first hook, once).
    let failures = 1;
    h.app.runtime.onAlertChange.unshift(async () => {
      if (failures-- > 0) throw new Error("Connection is closed.");
    });
    const failed = await h.webhook("/webhooks/alertmanager", allResolved(firingFixture()));
    expect(failed.status).toBe(503);
    expect((await h.app.alerts.get(first.alert.id))?.state).toBe("resolved");

    const retried = await h.webhook("/webhooks/alertmanager", allResolved(firingFixture()));
    expect(retried.status).toBe(200);
    await eventually(
      () => h!.slack.message("C0ONCALL", page.ts)?.text.startsWith("✅"),
      8_000,
      "page resolved",
    );
    await eventually(() =>
      h!.slack.thread("C0ONCALL", page.ts).some((m) => m.text.startsWith("Resolved: all 2 instances")),
    );
  });

  it("sends an alert that matches no service to the fallback rotation, marked unrouted", async () => {
    h = await startHarness();
    const payload = firingFixture();
    payload.groupKey = '{}:{alertname="Mystery"}';
    payload.commonLabels = { alertname: "Mystery", job: "unknown-job" };
    payload.alerts = payload.alerts.map((a: { labels: Record<string, string> }) => ({
      ...a,
      labels: { ...a.labels, alertname: "Mystery", job: "unknown-job" },
    }));
    const res = (await (await h.webhook("/webhooks/alertmanager", payload)).json()) as {
      alert: { id: string };
    };
    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL",
    );
    expect(blocksText(page.args.blocks)).toContain("Unrouted");
    expect((await h.app.alerts.get(res.alert.id))?.route).toMatchObject({ unrouted: true, teamId: null });
  });

  it("still pages an alert without a runbook entry, with a warning naming the file to add", async () => {
    h = await startHarness();
    const res = await h.webhook("/webhooks/generic", {
      name: "DiskFullSoon",
      status: "firing",
      labels: { job: "stream-api", instance: "db-1" },
      annotations: { summary: "disk 95% full" },
    });
    expect(res.status).toBe(200);
    const page = await h.slack.waitFor(
      (c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL",
    );
    expect(blocksText(page.args.blocks)).toContain("add `runbooks/DiskFullSoon.md`");
    const id = ((await res.json()) as { alert: { id: string } }).alert.id;
    expect((await h.app.alerts.get(id))?.missingRunbooks).toEqual(["DiskFullSoon"]);
  });

  it("accepts Grafana's webhook on the same route", async () => {
    h = await startHarness();
    const res = await h.webhook("/webhooks/alertmanager", grafanaFixture());
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { alert: { id: string } }).alert.id;
    expect((await h.app.alerts.get(id))?.source).toBe("grafana");
    await h.slack.waitFor((c) => c.method === "chat.postMessage" && c.args.channel === "C0ONCALL");
  });
});

describe("webhook refusals", () => {
  it("answers 401 without the bearer token or with a wrong one, and stores nothing", async () => {
    h = await startHarness();
    expect((await h.webhook("/webhooks/alertmanager", firingFixture(), { token: null })).status).toBe(401);
    expect(
      (await h.webhook("/webhooks/alertmanager", firingFixture(), { token: "wrong-token-wrong-token" }))
        .status,
    ).toBe(401);
    expect(await h.app.alerts.openIds({ rotationId: "merged" })).toEqual([]);
  });

  it("answers 400 naming the bad field, and for a body that is not JSON", async () => {
    h = await startHarness();
    const bad = firingFixture();
    bad.alerts[1].status = "pending";
    const res = await h.webhook("/webhooks/alertmanager", bad);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; field: string };
    expect(body.field).toBe("alerts[1].status");
    expect(body.error).toContain("alerts[1].status");
    const notJson = await h.webhook("/webhooks/generic", null, { raw: "{not json" });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toContain("not valid JSON");
  });

  it("answers 413 for a body over 1 MiB", async () => {
    h = await startHarness();
    const res = await h.webhook("/webhooks/alertmanager", null, {
      raw: `{"pad":"${"x".repeat(1024 * 1024)}"}`,
    });
    expect(res.status).toBe(413);
  });

  it("answers 503 when Redis is unavailable, so Alertmanager retries", async () => {
    const stderr = vi.spyOn(console, "error");
    const { port, proc: redis } = await spawnRedis();
    try {
      h = await startHarness({ redisUrl: `redis://127.0.0.1:${port}` });
      redis.kill("SIGKILL");
      await new Promise((r) => redis.once("exit", r));
      const res = await h.webhook("/webhooks/alertmanager", firingFixture());
      expect(res.status).toBe(503);
      const ready = await fetch(`${h.app.url}/readyz`);
      expect(ready.status).toBe(503);
      // Metrics matter most in an outage: the queue depth is skipped rather than waited for.
      const metrics = await fetch(`${h.app.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
      expect(metrics.status).toBe(200);
      // Connection errors go to the structured log, not raw to stderr (BullMQ's fallback).
      await new Promise((r) => setTimeout(r, 500));
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      redis.kill("SIGKILL");
      if (h) {
        // This harness's Redis is gone: stop what can be stopped, nothing to clean.
        await Promise.race([h.app.stop(), new Promise((r) => setTimeout(r, 3000))]);
        await h.slack.close();
        h = undefined;
      }
    }
  });
});

describe("Slack failures", () => {
  it("waits out a 429 with Retry-After and then posts exactly once", async () => {
    h = await startHarness();
    h.slack.failNext("chat.postMessage", { status: 429, retryAfterSec: 1 });
    const started = Date.now();
    await h.webhook("/webhooks/alertmanager", firingFixture());
    await eventually(() => topLevelPosts(h!, "C0ONCALL").length === 1, 10_000, "page after 429");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await settled(h);
    expect(topLevelPosts(h, "C0ONCALL")).toHaveLength(1);
    expect(h.slack.callsTo("chat.postMessage").filter((c) => c.status === 429)).toHaveLength(1);
  });

  it("retries a 500 and posts once", async () => {
    h = await startHarness();
    h.slack.failNext("chat.postMessage", { status: 500 }, 2);
    await h.webhook("/webhooks/alertmanager", firingFixture());
    await eventually(() => topLevelPosts(h!, "C0ONCALL").length === 1, 15_000, "page after 500s");
    await settled(h);
    expect(topLevelPosts(h, "C0ONCALL")).toHaveLength(1);
  });

  it("still DMs the on-call engineer when the DM failed after the page was posted", async () => {
    h = await startHarness();
    h.slack.failNext("chat.postMessage", { status: 500 }, 1, (args) => args.channel === "U02AAA");
    await h.webhook("/webhooks/alertmanager", firingFixture());
    const dm = await h.slack.waitFor((c) => isDmPost(c, "U02AAA") && c.response.ok, { timeoutMs: 10_000 });
    expect(String(dm.args.text)).toContain("You are on call");
    await settled(h);
    expect(topLevelPosts(h, "C0ONCALL")).toHaveLength(1);
    expect(h.slack.calls.filter((c) => isDmPost(c, "U02AAA") && c.response.ok)).toHaveLength(1);
  });

  it("records a DM Slack refuses for good once, and keeps the page's thread going", async () => {
    h = await startHarness();
    h.slack.failNext("chat.postMessage", { error: "user_not_found" }, 1, (args) => args.channel === "U02AAA");
    const res = (await (await h.webhook("/webhooks/alertmanager", firingFixture())).json()) as {
      alert: { id: string };
    };
    const failed = await eventually(async () =>
      (await h!.app.alerts.events(res.alert.id)).find((e) => e.type === "delivery_failed"),
    );
    expect(failed.text).toContain("user_not_found");
    await h.webhook("/webhooks/alertmanager", firingFixture());
    const page = h.slack.messages("C0ONCALL")[0]!;
    await eventually(() => h!.slack.thread("C0ONCALL", page.ts).length === 1, 8_000, "thread reply");
    expect(h.slack.calls.filter((c) => isDmPost(c, "U02AAA"))).toHaveLength(1);
  });

  it("records a permanent Slack error on the alert's timeline instead of retrying forever", async () => {
    h = await startHarness();
    h.slack.failNext("chat.postMessage", { error: "channel_not_found" });
    const res = (await (await h.webhook("/webhooks/alertmanager", firingFixture())).json()) as {
      alert: { id: string };
    };
    const events = await eventually(async () => {
      const ev = await h!.app.alerts.events(res.alert.id);
      return ev.find((e) => e.type === "delivery_failed");
    });
    expect(events.text).toContain("channel_not_found");
    await settled(h);
    expect(h.slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "C0ONCALL")).toHaveLength(1);
    const metrics = await (await fetch(`${h.app.url}/metrics`)).text();
    expect(metrics).toMatch(/oncall_pages_failed_total\{error="channel_not_found"\} 1/);
  });

  it("finds a page posted before a crash by its metadata instead of posting a second one", async () => {
    // A web-only replica stores the alert and queues the sync; no worker runs yet.
    h = await startHarness({ role: "web" });
    const res = (await (await h.webhook("/webhooks/alertmanager", firingFixture())).json()) as {
      alert: { id: string };
    };
    const id = res.alert.id;
    // The crash: Slack took the page, the worker died before storing its ts (its claim is left).
    const posted = (await fetch(`${h.slack.url}chat.postMessage`, {
      method: "POST",
      headers: { authorization: "Bearer xoxb-test", "content-type": "application/json" },
      body: JSON.stringify({
        channel: "C0ONCALL",
        text: "page",
        metadata: { event_type: "oncall_page", event_payload: { alert_id: id, occurrence: 1 } },
      }),
    }).then((r) => r.json())) as { ts: string };
    await h.app.delivery.setClaim(id, -1);

    await h.replica("worker");
    const ts = await eventually(async () => (await h!.app.delivery.get(id)).ts ?? undefined);
    expect(ts).toBe(posted.ts);
    await h.slack.waitFor((c) => isDmPost(c, "U02AAA"));
    expect(topLevelPosts(h, "C0ONCALL")).toHaveLength(1);
    // What the crashed run posted may be stale (here: a bare "page"); the found page is rewritten.
    await eventually(() => h!.slack.message("C0ONCALL", posted.ts)?.text.includes("HighErrorRate"));
  });
});
