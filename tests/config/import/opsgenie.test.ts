import { afterEach, describe, expect, it } from "vitest";
import { buildSample, importChecked, importSample, notesOf, read, removeOutDirs, summary } from "./helpers";

afterEach(removeOutDirs);

const IDS = new Map([
  ["b5b92115-bfe7-43eb-8c2a-e467f2e5ddc4", "U01AAA"],
  ["c1d2e3f4-0000-4abc-9def-000000000002", "U01BBB"],
  ["c1d2e3f4-0000-4abc-9def-000000000003", "U01CCC"],
  ["c1d2e3f4-0000-4abc-9def-000000000004", "U02AAA"],
  ["c1d2e3f4-0000-4abc-9def-000000000005", "U02BBB"],
  ["c1d2e3f4-0000-4abc-9def-000000000006", "U02CCC"],
]);

const build = () => buildSample("opsgenie", IDS);

describe("Opsgenie import", () => {
  it("turns the sample into config that passes config:check", async () => {
    const config = await importChecked("opsgenie");
    expect(config.teams.map((t) => [t.id, t.members, t.timezone, t.channel])).toEqual([
      ["payments", ["U01AAA", "U01BBB", "U01CCC"], "America/New_York", "C0PAYMENTS"],
      ["search", ["U02AAA", "U02BBB", "U02CCC"], "Europe/London", "C0SEARCH"],
    ]);
    // 2026-01-05T15:00Z is Monday 10:00 in New York: the first hand-off of the weekly "Primary" rotation.
    expect(config.rotations.map(summary)).toEqual([
      "payments-schedule: 1w from 2026-01-05, mon 10:00 America/New_York; U01AAA (payments), U01BBB (payments), U01CCC (payments)",
      "search-schedule: 1d from 2026-03-02, 09:00 Europe/London; U02AAA (search), U02BBB (search)",
    ]);
    expect(config.rotations.map((r) => [r.teams, r.admins])).toEqual([
      [["payments"], ["U01AAA"]],
      [["search"], ["U02BBB"]],
    ]);
    expect(config.fallbackRotation).toBe("payments-schedule");
  });

  it("keeps the override still to come, as a /oncall override command, and drops the past one", async () => {
    const result = build();
    const payments = result.rotations.find((r) => r.id === "payments-schedule")!;
    expect(payments.overrides).toHaveLength(1);
    expect(payments.overrides[0]).toMatchObject({ user: "U01BBB", who: "bob@example.com" });
    expect(payments.overrides[0]!.commands).toEqual([
      "/oncall override <@U01BBB> 2026-12-18T22:00Z 2026-12-21T14:00Z payments-schedule",
    ]);
    const dropped = notesOf(result, "dropped");
    expect(dropped).toContainEqual(
      expect.stringMatching(/^override by carol@example\.com 2026-11-20.*is over/),
    );

    const { dir } = await importSample("opsgenie");
    const yaml = read(dir, "schedules/rotations/payments-schedule.yaml");
    expect(yaml).toMatch(/^# OVERRIDES TO SET AGAIN.*\n# - bob@example\.com, 2026-12-18T22:00:00\.000Z/m);
    expect(yaml).toContain(
      "/oncall override <@U01BBB> 2026-12-18T22:00Z 2026-12-21T14:00Z payments-schedule",
    );
    expect(yaml).not.toMatch(/^#.*oncall override <@U01CCC>/m);
  });

  it("gives a schedule no team owns a team of its own, and says which team is left without a rotation", () => {
    const result = buildSample("opsgenie", IDS, {
      edit: (data: { schedules: { data: Record<string, unknown>[] } }) => {
        delete data.schedules.data[1]!.ownerTeam;
      },
    });
    expect(result.teams.map((t) => [t.id, t.members])).toEqual([
      ["payments", ["U01AAA", "U01BBB", "U01CCC"]],
      ["search", ["U02AAA", "U02BBB", "U02CCC"]],
      ["search-schedule", ["U02AAA", "U02BBB"]],
    ]);
    expect(result.rotations.find((r) => r.id === "search-schedule")?.teams).toEqual(["search-schedule"]);
    const toFill = notesOf(result, "fill-in");
    expect(toFill).toContain(
      'team "search" is in no rotation, so its alerts would page the fallback rotation: add it to a rotation\'s teams with a participant from its members',
    );
  });

  it("lists what the bot's model cannot express, in the output and in the YAML", async () => {
    const unsupported = notesOf(build(), "unsupported");
    expect(unsupported).toEqual([
      expect.stringMatching(
        /^layer "Business hours backup" .*only monday 09:00–friday 17:00\) is on call at the same time/,
      ),
      expect.stringMatching(
        /^alice@example\.com takes 2 turns per cycle in layer "Primary" \(a weighted rotation\)/,
      ),
      expect.stringMatching(/^a turn of nobody \(a gap\) in layer "Daily" cannot be given to one engineer/),
    ]);

    const { dir, text } = await importSample("opsgenie");
    expect(text).toContain('layer "Business hours backup"');
    expect(text).toContain("a weighted rotation");
    expect(read(dir, "schedules/rotations/payments-schedule.yaml")).toMatch(
      /^# NOT EXPRESSIBLE.*\n# - layer "Business hours backup"/m,
    );
    expect(read(dir, "schedules/rotations/search-schedule.yaml")).toContain("# - a turn of nobody (a gap)");
    expect(text).toMatch(/layer "Holiday cover 2025" .*ended 2026-01-05T15:00:00\.000Z; not imported/);
  });
});
