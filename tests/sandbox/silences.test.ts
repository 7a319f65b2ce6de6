// The sandbox with an Alertmanager (as `npm run sandbox` starts one from PATH): a page fired from
// the sandbox offers Silence, and the visitor's clicks through the modal silence the group in the
// real Alertmanager and show on the page.

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAlertmanager, type SandboxAlertmanager } from "../../sandbox/alertmanager-launch";
import { type Sandbox, startSandbox } from "../../sandbox/server";
import { loadConfig } from "../../src/config/load";
import { createLogger } from "../../src/platform/log";
import { eventually, ORG_DIR, REDIS_URL } from "../support/harness";
import { freePort } from "../support/ports";

let sb: Sandbox;
let am: SandboxAlertmanager;

beforeAll(async () => {
  am = await ensureAlertmanager(null, freePort);
  expect(am.note).toContain("pages offer Silence");
  // The bot's clock stays the real one: Alertmanager's silences run in real time.
  sb = await startSandbox({
    alertmanagerUrl: am.url,
    config: loadConfig(ORG_DIR),
    port: 0,
    redisUrl: REDIS_URL,
    redisPrefix: `test-sandbox-silences-${randomBytes(5).toString("hex")}:`,
    logLevel: "silent",
    log: createLogger("silent"),
  });
}, 30_000);

afterAll(async () => {
  await sb?.close();
  await am?.stop();
});

async function api(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sb.botUrl}/sandbox/api/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

describe("Silence in the sandbox", () => {
  it("silences a fired page's group in Alertmanager through the modal", async () => {
    const fired = await api("fire", {
      labels: { alertname: "HighErrorRate", job: "stream-api", instance: "sandbox-silence:8080" },
      annotations: { summary: "sandbox silence" },
      status: "firing",
    });
    expect(fired).toMatchObject({ status: 200 });
    const page = await eventually(
      () => sb.slack.messages("C0ONCALL").find((m) => JSON.stringify(m.blocks).includes("sandbox-silence")),
      8_000,
      "the page",
    );
    const blockIndex = (page.blocks ?? []).findIndex((b) => (b as { type: string }).type === "actions");
    const elements = ((page.blocks ?? [])[blockIndex] as { elements: { action_id: string }[] }).elements;
    const element = elements.findIndex((e) => e.action_id === "alert.silence");
    expect(element).toBeGreaterThanOrEqual(0);
    await api("action", {
      as: "U02AAA",
      surface: { kind: "message", channel: "C0ONCALL", ts: page.ts },
      blockIndex,
      element,
      actionId: "alert.silence",
    });
    const modal = await eventually(() => sb.slack.views()[0], 8_000, "the Silence modal");
    // What a visitor does: keep "1 hour" and say why.
    const submitted = await api("view-submit", {
      as: "U02AAA",
      viewId: modal.id,
      values: {
        duration: { choice: { type: "static_select", selected_option: { value: "1h" } } },
        comment: { text: { type: "plain_text_input", value: "trying the sandbox" } },
      },
    });
    expect(submitted).toMatchObject({ status: 200, closed: true });
    await eventually(
      () =>
        JSON.stringify(sb.slack.messages("C0ONCALL").find((m) => m.ts === page.ts)?.blocks).includes(
          "Silenced in Alertmanager until",
        ),
      8_000,
      "the page to show the silence",
    );
    const silences = (await (await fetch(`${am.url}/api/v2/silences`)).json()) as {
      status: { state: string };
      comment: string;
    }[];
    expect(silences).toEqual([
      expect.objectContaining({
        status: { state: "active" },
        comment: expect.stringContaining("trying the sandbox"),
      }),
    ]);
  });
});
