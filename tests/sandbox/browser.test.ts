// The sandbox page in a real browser: an installed Chromium (CHROMIUM_PATH or a common path),
// headless, driven by playwright-core (no browser download). Starts the sandbox on the
// repository's own config as `npm run sandbox` does, fires an alert, acknowledges it as the
// on-call engineer, sees the refusal as someone who may not act, escalates through the modal.
// Its screenshot goes to a temporary folder; `npm run sandbox:screenshot` refreshes the README's.

import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_PATHS, findChromium, HOW_TO_GET_CHROMIUM, launchChromium } from "../../sandbox/chromium";
import { outsiderOf } from "../../sandbox/people";
import { type Sandbox, startSandbox } from "../../sandbox/server";
import { loadConfig } from "../../src/config/load";
import type { OncallConfig } from "../../src/core/config";
import { shiftAt } from "../../src/core/rotation";
import { createLogger } from "../../src/platform/log";
import { REDIS_URL } from "../support/harness";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// A Wednesday morning in Berlin: inside every team's working hours.
const NOW = new Date("2026-11-25T10:00:00Z");

let sb: Sandbox;
let context: BrowserContext;
let page: Page;
let profile: string;
let shots: string;
let config: OncallConfig;

beforeAll(async () => {
  const executablePath = findChromium();
  config = loadConfig(REPO);
  sb = await startSandbox({
    config,
    redisUrl: REDIS_URL,
    redisPrefix: `test-sandbox-ui-${randomBytes(5).toString("hex")}:`,
    port: 0,
    log: createLogger("silent"),
    logLevel: "silent",
  });
  sb.clock.set(NOW);
  profile = mkdtempSync(join(tmpdir(), "sandbox-chromium-"));
  shots = mkdtempSync(join(tmpdir(), "sandbox-shots-"));
  context = await launchChromium(profile, executablePath);
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
}, 60_000);

afterAll(async () => {
  await context?.close();
  await sb?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (shots) rmSync(shots, { recursive: true, force: true });
});

describe("the sandbox page in Chromium", () => {
  it("walks an alert from firing to acknowledged, shows a refusal, and escalates through the modal", async () => {
    const rotation = config.rotations[0];
    if (!rotation) throw new Error("the example config has no rotation");
    const oncall = shiftAt(rotation, NOW)?.user;
    if (!oncall) throw new Error("nobody on call");
    const outsider = outsiderOf(config, "playback");
    const names = (await (await fetch(`${sb.botUrl}/sandbox/api/meta`)).json()) as {
      users: { id: string; name: string }[];
    };
    const nameOf = (id: string) => names.users.find((u) => u.id === id)?.name ?? id;

    await page.goto(`${sb.pageUrl}?as=${oncall}&c=${rotation.channel}`);
    await page.locator("body[data-ready]").waitFor();
    await expect.poll(() => page.locator("#as").inputValue()).toBe(oncall);

    // Fire the first example (HighErrorRate on stream-api) from the dialog, with the keyboard.
    await page.keyboard.press("f");
    await page.locator("#fire-dialog[open]").waitFor();
    await page.locator("#fire-example").selectOption("stream-api-errors");
    await page.locator("#fire-submit").click();

    const alertMsg = page.locator("#messages article.msg", { hasText: "HighErrorRate" }).first();
    await alertMsg.waitFor();
    // The on-call engineer is mentioned by name, highlighted because that is who we act as.
    await expect.poll(() => alertMsg.locator(".mention.me").first().textContent()).toBe(`@${nameOf(oncall)}`);
    expect(await alertMsg.locator(".b-header").textContent()).toContain("🔴");

    // Acknowledge: the same message is rewritten in place.
    const ts = await alertMsg.getAttribute("data-ts");
    const sameMsg = page.locator(`#messages article.msg[data-ts="${ts}"]`);
    await sameMsg.getByRole("button", { name: "Acknowledge" }).click();
    await expect.poll(() => sameMsg.locator(".b-header").textContent()).toContain("🟠");
    await expect.poll(() => sameMsg.getByRole("button", { name: "Acknowledge" }).count()).toBe(0);
    expect(await sameMsg.locator(".b-context").first().textContent()).toContain("acknowledged");
    expect(await page.locator("#messages article.msg", { hasText: "HighErrorRate" }).count()).toBe(1);
    // The edit flashes once and is then read: no lasting highlight, no unread mark on the channel.
    await expect.poll(() => sameMsg.getAttribute("class"), { timeout: 5_000 }).toBe("msg");
    const channelItem = page.locator(`#sidebar [data-conv="${rotation.channel}"]`);
    expect(await channelItem.getAttribute("class")).not.toContain("unread");
    expect(await channelItem.locator(".badge").count()).toBe(0);

    // Someone outside the rotation and the owning team presses Resolve: only they see the refusal.
    await page.locator("#as").selectOption(outsider);
    await expect.poll(() => page.url()).toContain(`as=${outsider}`);
    await sameMsg.getByRole("button", { name: "Resolve" }).click();
    const refusal = page.locator("#messages article.ephemeral", { hasText: "may act on this alert" });
    await refusal.waitFor();
    expect(await refusal.locator(".only-you").textContent()).toContain("Only visible to you");
    expect(await sameMsg.locator(".b-header").textContent()).toContain("🟠");

    // The picture for the README: the page, the refusal, and the thread beside them.
    await sameMsg.getByRole("button", { name: /repl/ }).click();
    await page.locator("#thread article.msg").nth(1).waitFor();
    await page.locator("#toasts").evaluate((el) => el.replaceChildren());
    await page.mouse.move(0, 0);
    const shot = join(shots, "sandbox.png");
    await page.screenshot({ path: shot });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    await page.locator("#thread-close").click();

    // Back as the on-call engineer: the refusal is not theirs to see; escalate through the modal.
    await page.locator("#as").selectOption(oncall);
    await expect.poll(() => page.locator("#messages article.ephemeral").count()).toBe(0);
    await sameMsg.getByRole("button", { name: "Escalate" }).click();
    const modal = page.locator("dialog#modal[open]");
    await modal.waitFor();
    expect(await modal.locator("#modal-title").textContent()).toBe("Escalate");
    const reason = modal.locator("select").first();
    const firstReason = await reason.locator("option").nth(1).getAttribute("value");
    await reason.selectOption(firstReason ?? "");
    await modal.locator("textarea").fill("Rolled back the deploy; errors still at 6%.");
    await modal.locator("button[type=submit]").click();
    await modal.waitFor({ state: "detached" }).catch(() => undefined);
    await expect.poll(() => page.locator("dialog#modal[open]").count()).toBe(0);
    await expect.poll(() => sameMsg.locator(".b-header").textContent()).toContain("🚨");

    // The thread beside the page holds the history.
    await sameMsg.getByRole("button", { name: /repl/ }).click();
    const thread = page.locator("#thread");
    await expect.poll(() => thread.locator("article.msg").count()).toBeGreaterThan(2);
    expect(await thread.textContent()).toContain("acknowledged");
  }, 60_000);

  it("keeps each message's time when the bot's clock moves later", async () => {
    const rotation = config.rotations[0];
    if (!rotation) throw new Error("the example config has no rotation");
    const oncall = shiftAt(rotation, NOW)?.user ?? "";
    await page.goto(`${sb.pageUrl}?as=${oncall}&c=${rotation.channel}`);
    await page.locator("body[data-ready]").waitFor();
    const first = page.locator("#messages article.msg").first();
    const before = await first.locator(".meta time").textContent();
    expect(before).toBe("11:00"); // 10:00 UTC in Berlin
    try {
      const res = await fetch(`${sb.botUrl}/sandbox/api/clock`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ at: "2026-11-25T17:30:00Z" }),
      });
      expect(res.status).toBe(200);
      await expect.poll(() => page.locator("#clock").textContent()).toContain("18:30");
      expect(await first.locator(".meta time").textContent()).toBe(before);
    } finally {
      sb.clock.set(NOW);
    }
  }, 30_000);

  it("shows the answer to a command typed on the Home tab there", async () => {
    await page.locator("#home-link").click();
    await expect.poll(() => page.locator("#conv-title").textContent()).toBe("Home");
    await page.locator("#command").fill("/oncall help");
    await page.locator("#command").press("Enter");
    const answer = page.locator("#home-answers article.ephemeral");
    await answer.first().waitFor();
    expect(await answer.first().textContent()).toContain("/oncall");
    expect(await answer.first().locator(".only-you").count()).toBe(1);
  }, 30_000);

  it("shows the webhook token and a curl that uses it", async () => {
    await page.locator("#webhook summary").click();
    expect(await page.locator("#webhook-token").textContent()).toBe(sb.settings.alertWebhookToken);
    const curl = await page.locator("#webhook-curl").textContent();
    expect(curl).toContain(`Bearer ${sb.settings.alertWebhookToken}`);
    expect(curl).toContain(`${new URL(sb.pageUrl).origin}/webhooks/generic`);
  });

  it("describes the review channel as the review's, not a team's", async () => {
    const review = config.review?.channel;
    if (!review) throw new Error("the example config has no review");
    await page.locator(`#sidebar [data-conv="${review}"]`).click();
    const sub = await page.locator("#conv-sub").textContent();
    expect(sub).toContain("review");
    expect(sub).not.toContain("Hand-offs");
  });
});

describe("finding Chromium", () => {
  it("takes CHROMIUM_PATH first, then the first common path that exists", () => {
    const real = CHROMIUM_PATHS.find((p) => existsSync(p)) ?? process.execPath;
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
    expect(findChromium({}, ["/nonexistent/chromium", real])).toBe(real);
  });

  it("says in one line how to get one when there is none", () => {
    expect(() => findChromium({}, ["/nonexistent/chromium"])).toThrow(HOW_TO_GET_CHROMIUM);
    expect(() => findChromium({ CHROMIUM_PATH: "/nonexistent/chrome" })).toThrow(
      /CHROMIUM_PATH=\/nonexistent\/chrome/,
    );
    expect(HOW_TO_GET_CHROMIUM).not.toContain("\n");
    expect(HOW_TO_GET_CHROMIUM).toContain("CHROMIUM_PATH");
  });
});
