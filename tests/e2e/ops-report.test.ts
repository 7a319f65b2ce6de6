// The weekly ops report quotes alert names, which come from whoever sends the webhook: a name
// written to ping the review channel must read as text.

import { describe, expect, it } from "vitest";
import { opsReport } from "../../src/features/incidents/ops-report";
import { harnessPerTest } from "../support/e2e";

const MIN = 60_000;

const bot = harnessPerTest();

describe("ops report", () => {
  it("escapes alert names among the noisiest alerts", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const name = "Boom<!channel>";
    const alert = { name, labels: { job: "stream-api" }, annotations: { summary: "x" } };
    expect((await h.webhook("/webhooks/generic", { ...alert, status: "firing" })).status).toBe(200);
    h.clock.advance(5 * MIN);
    // Resolved before anyone acknowledged it: noisy, so it is listed and marked fix or delete.
    expect((await h.webhook("/webhooks/generic", { ...alert, status: "resolved" })).status).toBe(200);
    h.clock.advance(5 * MIN);

    const report = await opsReport(h.app.runtime, h.clock.now());
    const blocks = JSON.stringify(report.blocks);
    expect(blocks).toContain("*Boom&lt;!channel&gt;*");
    expect(report.text).toContain("Fix or delete: Boom&lt;!channel&gt;.");
    expect(blocks).not.toContain("<!channel>");
    expect(report.text).not.toContain("<!channel>");
  });
});
