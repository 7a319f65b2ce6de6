// The Lua scripts as files and the one module that runs them, against real Redis: every file is
// named for its key count and documents its keys, arguments and result; a script the server has
// not cached runs anyway (NOSCRIPT falls back to EVAL) and is cached afterwards.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  claimRemediationRun,
  loadScript,
  raiseField,
  releaseLock,
  renewLock,
  reserveIncidentNumber,
  runScript,
  SCRIPTS,
  settlePending,
} from "../../../src/platform/redis/scripts";
import { redisPerTest } from "../../support/redis";

const DIR = new URL("../../../src/platform/redis/scripts/", import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith(".lua"));

describe("the script files", () => {
  it("are all loaded by the scripts module, and it loads no other", () => {
    const loaded = Object.values(SCRIPTS).map((s) => `${s.name}-${s.numberOfKeys}.lua`);
    expect(loaded.sort()).toEqual([...files].sort());
  });

  it.each(files)("%s documents every key and argument it uses, and its output", (file) => {
    const text = readFileSync(new URL(file, DIR), "utf8");
    const header = /^--\[\[\n([\s\S]*?)\n\]\]\n/.exec(text);
    expect(header, "starts with a --[[ … ]] header").not.toBeNull();
    const [doc, body] = [header![1]!, text.slice(header![0].length)];
    expect(doc).toMatch(/\n {2}Input:\n/);
    expect(doc).toMatch(/\n {2}Output:\n/);
    const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)![1]);
    const documented = (kind: string) =>
      [...doc.matchAll(new RegExp(`^ {4}${kind}\\[(\\d+)(?:\\.\\.n)?\\]`, "gm"))].map((m) => Number(m[1]));
    expect(documented("KEYS")).toEqual(Array.from({ length: numberOfKeys }, (_, i) => i + 1));
    const argv = documented("ARGV");
    expect(argv).toEqual(Array.from({ length: argv.length }, (_, i) => i + 1));
    for (const m of body.matchAll(/KEYS\[(\d+)\]/g)) expect(Number(m[1])).toBeLessThanOrEqual(numberOfKeys);
    for (const m of body.matchAll(/ARGV\[(\d+)\]/g)) expect(argv).toContain(Number(m[1]));
  });

  it("refuses a file not named <name>-<numberOfKeys>.lua", () => {
    expect(() => loadScript("commit-alert.lua")).toThrow(/<name>-<numberOfKeys>\.lua/);
  });
});

const db = redisPerTest("scripts");
const connect = () => ({ redis: db.replica(), prefix: db.prefix });

describe("runScript", () => {
  it("runs a script the server has not cached, and caches it", async () => {
    const { redis, prefix } = connect();
    // A body no one else runs, so no other test can have cached it (no SCRIPT FLUSH on a shared Redis).
    const lua = `-- ${prefix}\nreturn redis.call('INCR', KEYS[1])`;
    const script = { ...SCRIPTS.raiseField, name: "fresh", lua, sha: sha1(lua) };
    expect(await redis.script("EXISTS", script.sha)).toEqual([0]);
    expect(await runScript(redis, script, [`${prefix}n`], [])).toBe(1);
    expect(await redis.script("EXISTS", script.sha)).toEqual([1]);
    expect(await runScript(redis, script, [`${prefix}n`], [])).toBe(2);
  });

  it("refuses a call with the wrong number of keys before sending it", async () => {
    const { redis, prefix } = connect();
    await expect(runScript(redis, SCRIPTS.commitAlert, [`${prefix}a`], [])).rejects.toThrow(
      "commit-alert takes 9 keys, was given 1",
    );
  });

  it("passes a script's own error through", async () => {
    const { redis, prefix } = connect();
    const lua = `-- ${prefix}\nreturn redis.error_reply('no good')`;
    const script = { ...SCRIPTS.raiseField, name: "failing", lua, sha: sha1(lua) };
    await expect(runScript(redis, script, [`${prefix}x`], [])).rejects.toThrow("no good");
  });
});

describe("the typed script functions", () => {
  it("raiseField raises a counter and never lowers it", async () => {
    const { redis, prefix } = connect();
    const key = `${prefix}delivery`;
    expect(await raiseField(redis, key, "renderedVersion", 3)).toBe(true);
    expect(await raiseField(redis, key, "renderedVersion", 2)).toBe(false);
    expect(await raiseField(redis, key, "renderedVersion", 3)).toBe(false);
    expect(await redis.hget(key, "renderedVersion")).toBe("3");
    expect(await raiseField(redis, key, "renderedVersion", 0)).toBe(false);
    expect(await raiseField(redis, key, "threadCursor", 0)).toBe(true);
  });

  it("reserveIncidentNumber gives a repeated declaration its first number", async () => {
    const { redis, prefix } = connect();
    const seq = `${prefix}seq`;
    const declared = `${prefix}declared:req-1`;
    expect(await reserveIncidentNumber(redis, { seq, declared }, 60)).toEqual({ number: 1, fresh: true });
    expect(await reserveIncidentNumber(redis, { seq, declared }, 60)).toEqual({ number: 1, fresh: false });
    expect(await reserveIncidentNumber(redis, { seq, declared: "" }, 60)).toEqual({ number: 2, fresh: true });
    expect(await redis.ttl(declared)).toBeGreaterThan(0);
  });

  it("claimRemediationRun stops at the limit and lets a recorded run through again", async () => {
    const { redis, prefix } = connect();
    const key = `${prefix}runs`;
    const claim = (runId: string, nowMs: number) =>
      claimRemediationRun(redis, key, { nowMs, windowStartMs: nowMs - 1000, runId, limit: 2, ttlMs: 5000 });
    expect(await claim("r1", 10_000)).toEqual({ allowed: true, runs: 1 });
    expect(await claim("r2", 10_100)).toEqual({ allowed: true, runs: 2 });
    expect(await claim("r3", 10_200)).toEqual({ allowed: false, runs: 2 });
    expect(await claim("r2", 10_300)).toEqual({ allowed: true, runs: 2 });
    // Once the first run falls out of the window there is room again.
    expect(await claim("r3", 11_050)).toEqual({ allowed: true, runs: 2 });
  });

  it("renewLock and releaseLock act only for the holder's token", async () => {
    const { redis, prefix } = connect();
    const key = `${prefix}lock`;
    await redis.set(key, "mine", "PX", 1000);
    expect(await renewLock(redis, key, "theirs", 60_000)).toBe(false);
    expect(await redis.pttl(key)).toBeLessThanOrEqual(1000);
    expect(await renewLock(redis, key, "mine", 60_000)).toBe(true);
    expect(await redis.pttl(key)).toBeGreaterThan(1000);
    expect(await releaseLock(redis, key, "theirs")).toBe(false);
    expect(await redis.get(key)).toBe("mine");
    expect(await releaseLock(redis, key, "mine")).toBe(true);
    expect(await redis.exists(key)).toBe(0);
  });
});

function sha1(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

describe("settlePending", () => {
  it("takes a member off once its version is done, but keeps one noted at a newer version meanwhile", async () => {
    const { redis, prefix } = connect();
    const key = `${prefix}pending`;
    await redis.zadd(key, 3, "a", 5, "b");
    expect(await settlePending(redis, key, "a", 3)).toBe(true);
    // b changed to version 5 while version 4 was being checked: it stays to be looked at again.
    expect(await settlePending(redis, key, "b", 4)).toBe(false);
    expect(await settlePending(redis, key, "gone", 9)).toBe(false);
    expect(await redis.zrange(key, 0, -1, "WITHSCORES")).toEqual(["b", "5"]);
  });
});
