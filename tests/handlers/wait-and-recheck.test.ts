import { describe, expect, it } from "vitest";
import { parseWait, waitAndRecheckHandler } from "../../handlers/wait-and-recheck";
import { contextFor } from "./helpers";

describe("wait-and-recheck", () => {
  it("first asks the queue to call again after the wait, without checking or sleeping", async () => {
    let checked = false;
    const started = Date.now();
    const outcome = await waitAndRecheckHandler.run(
      contextFor(
        waitAndRecheckHandler,
        { wait: "1h" },
        {
          isResolved: async () => {
            checked = true;
            return true;
          },
        },
      ),
    );

    expect(outcome).toEqual({ waitMs: 3_600_000, summary: "waiting 1h, then checking again" });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(checked).toBe(false);
  });

  it("asks only for the rest of the wait when part of it is behind", async () => {
    const outcome = await waitAndRecheckHandler.run({
      ...contextFor(waitAndRecheckHandler, { wait: "2m" }),
      waitedMs: 30_000,
    });
    expect(outcome).toEqual({ waitMs: 90_000, summary: "waiting 2m, then checking again" });
  });

  it("is ok when the alert resolved during the wait", async () => {
    const outcome = await waitAndRecheckHandler.run({
      ...contextFor(waitAndRecheckHandler, { wait: "50ms" }, { isResolved: async () => true }),
      waitedMs: 50,
    });
    expect(outcome).toEqual({ ok: true, summary: "resolved by itself after 50ms" });
  });

  it("is not ok when the alert is still firing", async () => {
    const outcome = await waitAndRecheckHandler.run({
      ...contextFor(waitAndRecheckHandler, { wait: "50ms" }, { isResolved: async () => false }),
      waitedMs: 50,
    });
    expect(outcome).toEqual({ ok: false, summary: "still firing after 50ms" });
  });

  it("parses durations", () => {
    expect(parseWait("50ms")).toBe(50);
    expect(parseWait("30s")).toBe(30_000);
    expect(parseWait("2m")).toBe(120_000);
    expect(parseWait("1h")).toBe(3_600_000);
    expect(parseWait("1.5m")).toBeNull();
    expect(parseWait("2 m")).toBeNull();
    expect(parseWait("2d")).toBeNull();
  });
});
