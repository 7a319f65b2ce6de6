// A rotation's own Alertmanager behind basic auth (Alertmanager's --web.config.file): the rotation's
// YAML names the variable holding the password, the bot signs its API calls with it, and a wrong
// password is told to the person without the password in it.

import { appendFileSync, cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningAlertmanager, startAlertmanager } from "../support/alertmanager";
import { eventually, type Harness, ORG_DIR, startHarness } from "../support/harness";
import { freePort } from "../support/ports";
import { newTriggerId, viewSubmissionBody } from "../support/slack-requests";
import { buttonIds, pageAlert, press } from "./alert-press";

const PASSWORD = "test-alertmanager-password";
/** bcrypt (cost 4) of PASSWORD, as Alertmanager's basic_auth_users wants it. */
const PASSWORD_HASH = "$2b$04$hZtrwJziLh4JxIPIcjSKsOWo.YPysa9VpgXGdc9aIlt/bK/2R6qb2";
const AUTHORIZATION = `Basic ${Buffer.from(`oncall:${PASSWORD}`).toString("base64")}`;
const PASSWORD_ENV = "ONCALL_TEST_AM_PASSWORD";

let am: RunningAlertmanager;
let org = "";

beforeAll(async () => {
  am = await startAlertmanager(await freePort(), "route:\n  receiver: none\nreceivers:\n  - name: none\n", {
    web: { config: `basic_auth_users:\n  oncall: ${PASSWORD_HASH}\n`, authorization: AUTHORIZATION },
  });
  org = mkdtempSync(join(tmpdir(), "oncall-org-"));
  cpSync(ORG_DIR, org, { recursive: true });
  appendFileSync(
    join(org, "schedules", "rotations", "merged.yaml"),
    `alertmanager:\n  url: ${am.url}\n  basic_auth: { username: oncall, password_env: ${PASSWORD_ENV} }\n`,
  );
}, 30_000);

afterAll(async () => {
  await am?.stop();
  if (org) rmSync(org, { recursive: true, force: true });
  delete process.env[PASSWORD_ENV];
});

/** Pages an alert in `h`, presses Silence as U02AAA and submits the modal for 1 hour. */
async function silenceOne(h: Harness) {
  const page = await pageAlert(h);
  expect(buttonIds(h.slack.message(page.channel, page.ts)?.blocks)).toContain("alert.silence");
  await press(h, "alert.silence", page, "U02AAA", { triggerId: newTriggerId() });
  const open = await eventually(() => h.slack.callsTo("views.open")[0], 8_000, "the Silence modal");
  const res = await h.slackPost(
    viewSubmissionBody({
      callbackId: "alert.silence",
      privateMetadata: String((open.args.view as Record<string, unknown>).private_metadata),
      values: { duration: { choice: { type: "static_select", selected_option: { value: "1h" } } } },
      userId: "U02AAA",
    }),
  );
  expect(res.status).toBe(200);
  return page;
}

describe("a rotation's own Alertmanager with basic auth", () => {
  it("signs the silence with the password from the variable the rotation names", async () => {
    process.env[PASSWORD_ENV] = PASSWORD;
    // Alertmanager works in real time: so does the bot's clock here.
    const h = await startHarness({ configDir: org, now: new Date().toISOString() });
    try {
      expect((await fetch(`${am.url}/api/v2/silences`)).status).toBe(401);
      const page = await silenceOne(h);
      const silence = await eventually(
        async () => (await h.app.alerts.get(page.id))?.silence,
        8_000,
        "the silence",
      );
      const all = (await (
        await fetch(`${am.url}/api/v2/silences`, { headers: { authorization: AUTHORIZATION } })
      ).json()) as { id: string; status: { state: string }; matchers: { name: string; value: string }[] }[];
      expect(all.find((s) => s.id === silence.id)).toMatchObject({
        status: { state: "active" },
        matchers: [
          { name: "alertname", value: "HighErrorRate" },
          { name: "job", value: "stream-api" },
        ],
      });
    } finally {
      await h.close();
    }
  });

  it("tells the person Alertmanager refused, without the password", async () => {
    process.env[PASSWORD_ENV] = "a-wrong-password";
    const h = await startHarness({ configDir: org, now: new Date().toISOString() });
    try {
      const page = await silenceOne(h);
      const told = await eventually(
        () => h.slack.ephemerals(page.channel, "U02AAA").find((e) => e.text.startsWith("Not silenced")),
        8_000,
        "the ephemeral error",
      );
      expect(told.text).toContain(`Alertmanager at ${am.url} answered 401`);
      expect(told.text).not.toContain("a-wrong-password");
      expect((await h.app.alerts.get(page.id))?.silence ?? null).toBeNull();
    } finally {
      await h.close();
    }
  });
});
