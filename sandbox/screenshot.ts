// `npm run sandbox:screenshot [file]`: refreshes the README's picture of the sandbox (by default
// docs/sandbox.png). Starts the sandbox on this repository's config at a fixed bot time, fires the
// first example, acknowledges it as the on-call engineer, lets someone outside the rotation try to
// resolve it (the refusal only they see), opens the thread, and photographs the page.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../src/config/load";
import { shiftAt } from "../src/core/rotation";
import { createLogger } from "../src/platform/log";
import { ChromiumMissingError, findChromium, launchChromium } from "./chromium";
import { outsiderOf } from "./people";
import { ensureRedis, RedisUnavailableError } from "./redis-launch";
import { startSandbox } from "./server";

const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
// A Wednesday morning in Berlin: inside every team's working hours.
const NOW = new Date("2026-11-25T10:00:00Z");

async function main(): Promise<void> {
  const out = resolve(process.argv[2] ?? join(REPO, "docs", "sandbox.png"));
  const executablePath = findChromium();
  const config = loadConfig(REPO);
  const rotation = config.rotations[0];
  const oncall = rotation && shiftAt(rotation, NOW)?.user;
  if (!rotation || !oncall) throw new Error("the config's first rotation has nobody on call");
  const outsider = outsiderOf(config, "playback");

  const redis = await ensureRedis({
    url: process.env.REDIS_URL?.trim() || null,
    dataDir: join(REPO, ".sandbox"),
  });
  const sb = await startSandbox({
    config,
    redisUrl: redis.url,
    redisPrefix: "sandbox-screenshot:",
    port: 0,
    log: createLogger("silent"),
    logLevel: "silent",
  });
  const profile = mkdtempSync(join(tmpdir(), "sandbox-screenshot-"));
  try {
    sb.clock.set(NOW);
    const context = await launchChromium(profile, executablePath);
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(15_000);
      await page.goto(`${sb.pageUrl}?as=${oncall}&c=${rotation.channel}`);
      await page.locator("body[data-ready]").waitFor();
      await page.locator("#fire-btn").click();
      await page.locator("#fire-example").selectOption("stream-api-errors");
      await page.locator("#fire-submit").click();
      const alert = page.locator("#messages article.msg", { hasText: "HighErrorRate" }).first();
      await alert.getByRole("button", { name: "Acknowledge" }).click();
      await alert.getByRole("button", { name: "Acknowledge" }).waitFor({ state: "detached" });
      await page.locator("#as").selectOption(outsider);
      await alert.getByRole("button", { name: "Resolve" }).click();
      await page.locator("#messages article.ephemeral").waitFor();
      await alert.getByRole("button", { name: /repl/ }).click();
      await page.locator("#thread article.msg").nth(1).waitFor();
      await page.locator("#toasts").evaluate((el) => el.replaceChildren());
      await page.mouse.move(0, 0);
      // The acknowledgement's edit flashes the page for a moment; photograph it settled.
      await page.waitForFunction('document.querySelector(".flash") === null');
      await page.screenshot({ path: out });
    } finally {
      await context.close();
    }
  } finally {
    await sb.close();
    await redis.stop();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`wrote ${out}`);
}

main().catch((err: unknown) => {
  if (err instanceof ChromiumMissingError || err instanceof RedisUnavailableError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
