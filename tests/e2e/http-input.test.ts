// What senders outside the org put in front of the bot: malformed request targets, alert labels
// written to ping a channel, groups too big for one Slack message, alerts that leave out their start.
// Each gets an answer that names the problem (never a 500), and every page still reaches Slack, as
// text that pings nobody.

import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { harnessPerTest } from "../support/e2e";
import { eventually } from "../support/harness";
import { settled } from "../support/settled";

const bot = harnessPerTest();

/** Sends a request line fetch() would refuse to build, e.g. a target of "//[". */
function rawRequest(url: string, method: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      );
    });
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk.toString("utf8");
    });
    socket.on("error", reject);
    socket.on("end", () => {
      const [head = "", body = ""] = data.split("\r\n\r\n");
      resolve({ status: Number(head.split(" ")[1]), body });
    });
  });
}

describe("malformed HTTP requests", () => {
  it("answers 400, not 500, for a request target that is no URL", async () => {
    const h = await bot.start();
    for (const [method, target] of [
      ["GET", "//["],
      ["POST", "http://[::1/webhooks/alertmanager"],
    ] as const) {
      const res = await rawRequest(h.app.url, method, target);
      expect(res.status).toBe(400);
      expect(res.body).toContain("malformed request target");
    }
    expect((await fetch(`${h.app.url}/healthz`)).status).toBe(200);
  });

  it("answers 404 naming no calendar for a calendar path with a broken escape", async () => {
    const h = await bot.start();
    const res = await fetch(`${h.app.url}/calendar/%E0%A4%A.ics`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("/oncall schedule");
  });
});

describe("hostile alerts", () => {
  it("pages a group of 60 alert names with labels that try to ping, within Slack's limits", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const alerts = Array.from({ length: 60 }, (_, i) => ({
      status: "firing",
      labels: { alertname: `Broken${i}<!channel>`, job: "stream-api", instance: `<!here>-${i}` },
      annotations: { summary: "<@U0ADMIN> <!channel>" },
      startsAt: "2026-11-25T09:58:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus/graph",
      fingerprint: `f${i}`,
    }));
    const res = await h.webhook("/webhooks/alertmanager", {
      version: "4",
      groupKey: '{}:{job="stream-api"}',
      status: "firing",
      receiver: "oncall",
      groupLabels: { job: "stream-api" },
      commonLabels: { job: "stream-api" },
      commonAnnotations: { summary: "<!channel> everything is on fire & <@U0ADMIN>" },
      externalURL: "http://alertmanager",
      alerts,
    });
    expect(res.status).toBe(200);
    // The fake Slack refuses what Slack refuses (over 50 blocks, sections over 3000 characters).
    const page = await eventually(
      () =>
        h.slack
          .callsTo("chat.postMessage")
          .find((c) => c.args.channel === "C0ONCALL" && Boolean(c.args.metadata) && c.response.ok),
      8_000,
      "the page, accepted by Slack",
    );
    // Headers are plain text, which Slack never reads for mentions; everything else is mrkdwn.
    const blocks = (page.args.blocks as { type: string }[]).filter((b) => b.type !== "header");
    const shown = JSON.stringify([page.args.text, blocks]);
    for (const raw of ["<!channel>", "<!here>", "<@U0ADMIN>"]) expect(shown).not.toContain(raw);
    expect(shown).toContain("&lt;!channel&gt; everything is on fire &amp; &lt;@U0ADMIN&gt;");
  });
});

describe("the generic webhook", () => {
  it("stamps an alert without startsAt with the app's clock, not the machine's", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const res = await h.webhook("/webhooks/generic", {
      name: "QueueBacklog",
      status: "firing",
      labels: { job: "stream-api" },
    });
    expect(res.status).toBe(200);
    const { alert } = (await res.json()) as { alert: { id: string } };
    const stored = await h.app.alerts.get(alert.id);
    expect(stored?.instances[0]?.startsAt).toBe("2026-11-25T10:00:00.000Z");
  });

  it("answers 400 naming a misspelt top-level field, and pages nothing", async () => {
    const h = await bot.start();
    const res = await h.webhook("/webhooks/generic", {
      name: "QueueBacklog",
      status: "firing",
      label: { job: "stream-api" },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'label: unknown field; did you mean "labels"?',
      field: "label",
    });
    await settled(h);
    expect(h.slack.callsTo("chat.postMessage")).toEqual([]);
  });
});

describe("the Alertmanager webhook", () => {
  it("lists every problem of a bad payload in its 400", async () => {
    const h = await bot.start();
    // Six problems: more than the five the answer used to show before "and 1 more problem".
    const alert = () => ({
      status: "pending",
      labels: { job: "stream-api" },
      startsAt: "2026-11-25T10:00:00Z",
    });
    const res = await h.webhook("/webhooks/alertmanager", {
      version: "4",
      groupKey: "{}:{}",
      status: "firing",
      receiver: "oncall",
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: "http://alertmanager.example",
      alerts: [alert(), alert(), alert()],
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: string };
    for (const i of [0, 1, 2]) {
      for (const field of ["status", "labels.alertname"]) expect(error).toContain(`alerts[${i}].${field}: `);
    }
    expect(error).not.toMatch(/more problem/);
  });
});
