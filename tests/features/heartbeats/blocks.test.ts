import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load";
import type { Heartbeat, OncallConfig } from "../../../src/core/config";
import { heartbeatLines, heartbeatsReply } from "../../../src/features/heartbeats/blocks";

const ORG = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "org");
const org = loadConfig(ORG);
const heartbeat = (
  name: string,
  intervalMs: number,
  graceMs: number,
  target: Heartbeat["target"],
  alertname: string | null,
): Heartbeat => ({ name, intervalMs, graceMs, target, alertname });
const config: OncallConfig = {
  ...org,
  heartbeats: [
    heartbeat("prom", 300_000, 60_000, { kind: "rotation", id: "merged" }, "Watchdog"),
    heartbeat("backup", 86_400_000, 0, { kind: "team", id: "payments" }, null),
  ],
};
const NOW = Date.parse("2026-11-25T10:00:00Z");

describe("heartbeatLines", () => {
  it("gives each heartbeat its status, last ping as a date token and how long ago, and where a miss pages", () => {
    const lines = heartbeatLines(config, new Map([["prom", NOW - 12 * 60_000]]), NOW - 86_400_000, NOW);
    expect(lines).toEqual([
      "• *prom* — :red_circle: missed since <!date^1795600440^{date_short_pretty} {time}|2026-11-25 09:54 UTC>; last ping 12m ago (<!date^1795600080^{date_short_pretty} {time}|2026-11-25 09:48 UTC>). Every 5m + 1m grace, or alert `Watchdog`; a miss pages rotation Merged on-call.",
      "• *backup* — :hourglass_flowing_sand: waiting for a first ping since the bot started; no ping yet. Every 1d 0h; a miss pages team Payments.",
    ]);
  });

  it("says ok for a heartbeat within its interval", () => {
    const [line] = heartbeatLines(config, new Map([["prom", NOW - 60_000]]), NOW - 86_400_000, NOW);
    expect(line).toContain("*prom* — :large_green_circle: ok; last ping 1m ago");
  });
});

describe("heartbeatsReply", () => {
  it("says how to add heartbeats when there are none", () => {
    expect(heartbeatsReply([]).text).toContain("Add schedules/heartbeats.yaml");
  });

  it("lists the lines under a count", () => {
    const reply = heartbeatsReply(["• a", "• b"]);
    expect(reply.text).toBe("*Heartbeats* (2)\n• a\n• b");
    expect(reply.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: reply.text } }]);
  });
});
