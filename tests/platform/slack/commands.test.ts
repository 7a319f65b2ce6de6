// The command router's answers: help, usage errors, and a subcommand that fails on our side (the
// person gets what to do and a reference; the log line has the same reference and the error).

import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/platform/log";
import { CommandRouter, UsageError } from "../../../src/platform/slack/commands";

/** A logger that keeps its JSON lines. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger("info", sink), lines };
}

const BASE = { userId: "U01AAA", channelId: "C0ONCALL", triggerId: "T1" };

function router(run: () => Promise<never>) {
  const r = new CommandRouter();
  r.register("/oncall", { name: "boom", usage: "boom", summary: "fails", example: "/oncall boom", run });
  return r;
}

describe("CommandRouter.dispatch", () => {
  it("answers an internal failure with what to do and a reference, never the error's text", async () => {
    const { log, lines } = capturedLog();
    const secret = "connect ECONNREFUSED 10.1.2.3:6379 (key oncall:prod:ejections)";
    const reply = await router(async () => {
      throw new Error(secret);
    }).dispatch("/oncall", "boom now", BASE, log);

    const ref = /reference `([0-9a-f]{8})`/.exec(reply.text)?.[1];
    expect(ref).toBeDefined();
    expect(reply.text).toContain("`/oncall boom` failed on our side");
    expect(reply.text).toContain("Try again in a moment");
    expect(reply.text).not.toContain("ECONNREFUSED");
    expect(reply.text).not.toContain("10.1.2.3");
    expect(reply.inChannel).toBeUndefined();

    const line = lines.find((l) => l.msg === "slash command failed");
    expect(line).toMatchObject({ level: 50, ref, command: "/oncall", sub: "boom", user: "U01AAA" });
    // The error object itself, so the stack is kept.
    const err = line?.err as { message: string; stack: string; type: string };
    expect(err.message).toBe(secret);
    expect(err.type).toBe("Error");
    expect(err.stack).toContain("commands.test.ts");
  });

  it("gives each failure its own reference", async () => {
    const { log } = capturedLog();
    const r = router(async () => {
      throw new Error("x");
    });
    const a = (await r.dispatch("/oncall", "boom", BASE, log)).text;
    const b = (await r.dispatch("/oncall", "boom", BASE, log)).text;
    expect(a).not.toBe(b);
  });

  it("answers a usage error with its message and the usage, and logs nothing", async () => {
    const { log, lines } = capturedLog();
    const reply = await router(async () => {
      throw new UsageError("Name a rotation.");
    }).dispatch("/oncall", "boom", BASE, log);
    expect(reply.text).toBe("Name a rotation.\nUsage: `/oncall boom`\nExample: `/oncall boom`");
    expect(lines).toEqual([]);
  });
});
