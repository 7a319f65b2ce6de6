// The production build: `npm run build` bundles into a folder that runs with plain `node` (no tsx),
// carrying what the code reads at run time (the Lua scripts), and `--if-stale` (npm's prestart)
// leaves a fresh build alone. The built bot is started as `npm start` starts it and must serve
// /readyz 200 against the fake Slack and store a webhook (which runs a Lua script read from the build).

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlack } from "../sandbox/slack-api";
import { deleteKeys, REDIS_URL } from "./support/harness";
import { freePort } from "./support/ports";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
// Inside the repository, so the bundle's package imports resolve from its node_modules/.
const OUT = join(ROOT, "node_modules", ".cache", `oncall-build-${randomBytes(4).toString("hex")}`);
const TOKEN = "build-test-webhook-token-0123456789";
const build = (...args: string[]) =>
  promisify(execFile)(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--out", OUT, ...args], {
    cwd: ROOT,
    timeout: 120_000,
  });

let slack: FakeSlack;
let bot: ChildProcess | undefined;
const prefix = `test-build-${randomBytes(5).toString("hex")}:`;
const cwd = mkdtempSync(join(tmpdir(), "oncall-build-cwd-"));

beforeAll(async () => {
  slack = await FakeSlack.start();
  await build();
}, 120_000);

afterAll(async () => {
  if (bot && bot.exitCode === null) {
    bot.kill("SIGKILL");
    await new Promise((r) => bot!.once("exit", r));
  }
  await slack?.close();
  await deleteKeys(prefix);
  rmSync(OUT, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

describe("npm run build", () => {
  it("bundles the entry and copies every Lua script beside it", () => {
    expect(existsSync(join(OUT, "main.js"))).toBe(true);
    const lua = readdirSync(join(ROOT, "src", "platform", "redis", "scripts")).filter((f) =>
      f.endsWith(".lua"),
    );
    expect(lua.length).toBeGreaterThan(0);
    expect(readdirSync(join(OUT, "scripts")).sort()).toEqual(lua.sort());
    // Plain JavaScript: no TypeScript left for a loader to strip; the one file it imports is the
    // per-country date-holidays, copied beside it with the data split per country.
    const main = readFileSync(join(OUT, "main.js"), "utf8");
    expect(main).not.toMatch(/from "\.\.?\/(?!date-holidays\.js")/);
    expect(main).toContain('from "./date-holidays.js"');
    expect(main).not.toContain('from "date-holidays"');
    expect(existsSync(join(OUT, "holidays", "DE.json"))).toBe(true);
  });

  it("answers holidays as date-holidays does, reading only the countries asked for", async () => {
    const { default: Real } = await import("date-holidays");
    const { default: Built, loadedCountries } = (await import(
      pathToFileURL(join(OUT, "date-holidays.js")).href
    )) as { default: typeof Real; loadedCountries: () => string[] };
    new Built().getCountries();
    new Built().getStates("DE");
    new Built("DE", "BE").getHolidays(2026);
    expect(loadedCountries()).toEqual(["DE"]);
    // Regions whose rules refer to other countries' days (_days: AS → US, ES-CN-GC → IC, DE-BY-A →
    // a region of its own state) and the lunar, Islamic and Hebrew calendars.
    const regions: [string, string?, string?][] = [
      ["DE", "BE"],
      ["DE", "BY", "A"],
      ["GB", "ENG"],
      ["US", "NY"],
      ["AS"],
      ["ES", "CN", "GC"],
      ["CN"],
      ["SA"],
      ["IL"],
    ];
    for (const r of regions)
      for (const year of [2025, 2026, 2027])
        expect(new Built(r[0], r[1] ?? "", r[2] ?? "").getHolidays(year), `${r.join("-")} ${year}`).toEqual(
          new Real(r[0], r[1] ?? "", r[2] ?? "").getHolidays(year),
        );
    for (const lang of [undefined, "en", "de"])
      expect(new Built().getCountries(lang)).toEqual(new Real().getCountries(lang));
    expect(new Built().getStates("DE")).toEqual(new Real().getStates("DE"));
    expect(new Built().getRegions("DE", "BY")).toEqual(new Real().getRegions("DE", "BY"));
    expect(new Built("XX").getHolidays(2026)).toEqual(new Real("XX").getHolidays(2026));
  });

  it("leaves a build newer than every source alone with --if-stale", async () => {
    const before = statSync(join(OUT, "main.js")).mtimeMs;
    await build("--if-stale");
    expect(statSync(join(OUT, "main.js")).mtimeMs).toBe(before);
  });

  it("runs with plain node: /readyz answers 200 and a webhook is stored", async () => {
    const port = await freePort();
    // Only what the test sets: no .env in the working folder, nothing inherited that names the bot.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(SLACK_|ALERT_|PORT$|REDIS_|ONCALL_|LOG_LEVEL$|REMEDIATION_|NODE_OPTIONS$)/.test(k),
      ),
    );
    bot = spawn(process.execPath, ["--enable-source-maps", join(OUT, "main.js")], {
      cwd,
      env: {
        ...env,
        SLACK_BOT_TOKEN: "xoxb-test",
        SLACK_SIGNING_SECRET: "test-signing-secret-0123456789",
        SLACK_API_URL: slack.url,
        REDIS_URL,
        REDIS_PREFIX: prefix,
        PORT: String(port),
        ONCALL_CONFIG_DIR: join(ROOT, "tests", "fixtures", "org"),
        ALERT_WEBHOOK_TOKEN: TOKEN,
        LOG_LEVEL: "silent",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    bot.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    let ready = 0;
    while (Date.now() < deadline && bot.exitCode === null) {
      ready = await fetch(`${url}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready, `the built bot never got ready: ${stderr}`).toBe(200);

    const payload = JSON.parse(
      readFileSync(join(ROOT, "tests", "fixtures", "payloads", "alertmanager-v4-firing.json"), "utf8"),
    );
    const res = await fetch(`${url}/webhooks/alertmanager`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(payload),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("opened");

    bot.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => bot!.once("exit", r));
    expect(code).toBe(0);
  }, 60_000);
});
