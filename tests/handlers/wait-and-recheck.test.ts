import { describe, expect, it } from "vitest";
import { HandlerAbortedError } from "../../handlers/errors";
import { parseWait, waitAndRecheckHandler } from "../../handlers/wait-and-recheck";
import { contextFor } from "./helpers";

describe("wait-and-recheck", () => {
  it("is ok when the alert resolved during the wait", async () => {
    let checkedAt = 0;
    const started = Date.now();
    const outcome = await waitAndRecheckHandler.run(
      contextFor(
        waitAndRecheckHandler,
        { wait: "50ms" },
        {
          isResolved: async () => {
            checkedAt = Date.now();
            return true;
          },
        },
      ),
    );

    expect(outcome).toEqual({ ok: true, summary: "resolved by itself after 50ms" });
    expect(checkedAt - started).toBeGreaterThanOrEqual(45);
  });

  it("is not ok when the alert is still firing", async () => {
    const outcome = await waitAndRecheckHandler.run(
      contextFor(waitAndRecheckHandler, { wait: "50ms" }, { isResolved: async () => false }),
    );

    expect(outcome).toEqual({ ok: false, summary: "still firing after 50ms" });
  });

  it("stops waiting when the signal fires, without checking", async () => {
    let checked = false;
    const started = Date.now();
    const error = await waitAndRecheckHandler
      .run(
        contextFor(
          waitAndRecheckHandler,
          { wait: "1h" },
          {
            signal: AbortSignal.timeout(50),
            isResolved: async () => {
              checked = true;
              return true;
            },
          },
        ),
      )
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(HandlerAbortedError);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(checked).toBe(false);
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
