// A slash command that fails on our side, through the real app (real Redis, BullMQ and Bolt; the
// fake Slack): the person is told what to do and given a reference, never the internal error.

import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, REDIS_URL, slashCommand, startHarness } from "../support/harness";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("a command that fails on our side", () => {
  it("tells the person to try again with a reference, and none of the internal error", async () => {
    h = await startHarness();
    // The ejections hash replaced by a string: every read of the rotation state fails in Redis.
    const redis = new Redis(REDIS_URL);
    try {
      await redis.set(h.app.rotationState.keys.ejections(), "not a hash");
    } finally {
      redis.disconnect();
    }
    const reply = await slashCommand(h, "/oncall", "U01AAA", "who");
    expect(reply.args.response_type).toBe("ephemeral");
    const text = String(reply.args.text);
    expect(text).toMatch(/^Sorry, `\/oncall who` failed on our side; .*Try again in a moment\./);
    expect(text).toMatch(/reference `[0-9a-f]{8}`\.$/);
    expect(text).not.toContain("WRONGTYPE");
  });
});
