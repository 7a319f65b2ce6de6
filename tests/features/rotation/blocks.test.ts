// Who is on call, the coming shifts and overrides: every time is a Slack date token (each reader sees
// their own zone), with the same UTC fallback wherever it appears.

import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load";
import type { Override, Shift } from "../../../src/core/rotation";
import { overrideLine, rotationNowText, shiftLine, whoReply } from "../../../src/features/rotation/blocks";
import { ORG_DIR } from "../../support/harness";

const config = loadConfig(ORG_DIR);
const rotation = config.rotations[0]!;
const shift = (user: string, team: string, start: string, end: string): Shift => ({
  rotationId: rotation.id,
  user,
  team,
  start: new Date(start),
  end: new Date(end),
  scheduledUser: user,
  overrideId: null,
});
const current = shift("U02AAA", "search", "2026-11-23T09:00:00Z", "2026-11-30T09:00:00Z");
const next = shift("U03AAA", "payments", "2026-11-30T09:00:00Z", "2026-12-07T09:00:00Z");
const MON_30 = "<!date^1796029200^{date_short_pretty} {time}|2026-11-30 09:00 UTC>";
const MON_7 = "<!date^1796634000^{date_short_pretty} {time}|2026-12-07 09:00 UTC>";

describe("rotation blocks", () => {
  it("say who is on call until when, and who is next from when", () => {
    expect(rotationNowText(config, { rotation, current, next, ejected: [] }).split("\n")).toEqual([
      `*${rotation.name}* (\`${rotation.id}\`)`,
      `On call now: <@U02AAA> (Search) until ${MON_30}`,
      `Next: <@U03AAA> (Payments) from ${MON_30}`,
    ]);
    expect(whoReply(config, [{ rotation, current, next, ejected: [] }]).text).toBe(
      `On call — ${rotation.name}: <@U02AAA>`,
    );
  });

  it("write a shift and an override with the same dates", () => {
    expect(shiftLine(config, next)).toBe(`• ${MON_30} → ${MON_7} · <@U03AAA> (Payments)`);
    const o: Override = {
      id: "4",
      rotationId: rotation.id,
      user: "U01AAA",
      from: new Date("2026-11-30T09:00:00Z"),
      to: new Date("2026-12-07T09:00:00Z"),
      createdBy: "U01AAA",
    };
    expect(overrideLine(config, o, new Date("2026-11-25T10:00:00Z"))).toBe(
      `• \`4\` <@U01AAA> covers ${rotation.name} from ${MON_30} to ${MON_7}`,
    );
  });
});
