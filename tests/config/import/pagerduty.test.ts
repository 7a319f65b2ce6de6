import { afterEach, describe, expect, it } from "vitest";
import { buildConfig } from "../../../src/config/import/build";
import { pagerdutySource, parsePagerduty } from "../../../src/config/import/pagerduty";
import { check, importSample, load, NOW, read, readFixture, removeOutDirs } from "./helpers";

afterEach(removeOutDirs);

const IDS = new Map([
  ["PXPGF42", "U01AAA"],
  ["PAM4FGS", "U01BBB"],
  ["PQ6HN1C", "U01CCC"],
  ["PD4V1EO", "U02AAA"],
  ["PE8R2IN", "U02BBB"],
  ["PF7RANK", "U02CCC"],
]);

function build(merge = false) {
  return buildConfig(pagerdutySource(parsePagerduty(readFixture("pagerduty.json"), "pagerduty.json")), {
    now: NOW,
    slackIds: IDS,
    merge,
  });
}

describe("PagerDuty import", () => {
  it("turns the sample into config that passes config:check", async () => {
    const { dir, run, text } = await importSample("pagerduty");
    expect(run.exitCode, text).toBe(0);
    expect(check(dir)).toMatchObject({ exitCode: 0 });

    const config = load(dir);
    expect(config.teams.map((t) => [t.id, t.name, t.members])).toEqual([
      ["payments", "Payments", ["U01AAA", "U01BBB", "U01CCC"]],
      ["search", "Search", ["U02AAA", "U02BBB", "U02CCC"]],
    ]);
    const [checkout, search] = config.rotations;
    // Layer 1: rotation_virtual_start 10:00 New York, turns of 604800 s; escalation from the policy.
    expect(checkout).toMatchObject({
      id: "checkout-primary",
      teams: ["payments"],
      start: "2026-01-05",
      handoff: { day: "mon", time: { hour: 10, minute: 0 } },
      shift: { unit: "w", amount: 1 },
      participants: [
        { user: "U01AAA", team: "payments" },
        { user: "U01BBB", team: "payments" },
        { user: "U01CCC", team: "payments" },
      ],
      escalation: { ackTimeoutMs: 10 * 60_000, repeats: 2 },
      admins: ["U01AAA"],
    });
    // 43200 s turns from 08:00 UTC (08:00 in London in February).
    expect(search).toMatchObject({
      id: "search-on-call",
      timezone: "Europe/London",
      start: "2026-02-02",
      handoff: { time: { hour: 8, minute: 0 } },
      shift: { unit: "h", amount: 12 },
      escalation: { ackTimeoutMs: 30 * 60_000, repeats: 0 },
      admins: ["U02BBB"],
    });
  });

  it("keeps the override still to come and drops the past one", () => {
    const result = build();
    const checkout = result.rotations.find((r) => r.id === "checkout-primary")!;
    expect(checkout.overrides.map((o) => [o.user, o.from.toISOString(), o.to.toISOString()])).toEqual([
      ["U01BBB", "2026-12-18T22:00:00.000Z", "2026-12-21T14:00:00.000Z"],
    ]);
    expect(checkout.overrides[0]!.commands).toEqual([
      "/oncall override <@U01BBB> 2026-12-18T22:00Z 2026-12-21T14:00Z checkout-primary",
    ]);
    expect(result.notes).toContainEqual({
      kind: "dropped",
      file: "schedules/rotations/checkout-primary.yaml",
      message:
        "override by carol@example.com 2026-11-20T14:00:00.000Z – 2026-11-22T14:00:00.000Z is over; not imported",
    });
  });

  it("says so when overrides name a schedule the export does not have", () => {
    const data = readFixture("pagerduty.json") as { overrides: Record<string, unknown> };
    data.overrides.PGONE99 = { overrides: [] };
    const result = buildConfig(pagerdutySource(parsePagerduty(data, "pagerduty.json")), {
      now: NOW,
      slackIds: IDS,
    });
    expect(result.notes).toContainEqual({
      kind: "unsupported",
      file: "",
      message:
        'overrides listed for schedule "PGONE99", which is not in the schedules response; not imported',
    });
  });

  it("lists the time-restricted layer and the services to map, in the output and the YAML", async () => {
    const unsupported = build()
      .notes.filter((n) => n.kind === "unsupported")
      .map((n) => n.message);
    expect(unsupported).toEqual([
      expect.stringMatching(
        /^layer "Weeknight cover" .*only every day from 18:00 for 14h\) takes over from the imported layer at those times/,
      ),
    ]);
    const { dir, text } = await importSample("pagerduty");
    expect(text).toContain(
      'PagerDuty routes "Checkout API", "Billing worker" to schedule "Checkout primary"',
    );
    expect(read(dir, "schedules/rotations/checkout-primary.yaml")).toContain('# - layer "Weeknight cover"');
    expect(read(dir, "schedules/services.yaml")).toContain('# - PagerDuty routes "Search API"');
  });

  it("--merge pools both teams into one rotation, taking engineers from each team in turn", async () => {
    const merged = build(true);
    expect(merged.rotations).toHaveLength(1);
    expect(merged.rotations[0]).toMatchObject({
      id: "merged",
      teams: ["payments", "search"],
      participants: [
        { user: "U01AAA", team: "payments" },
        { user: "U02AAA", team: "search" },
        { user: "U01BBB", team: "payments" },
        { user: "U02BBB", team: "search" },
        { user: "U01CCC", team: "payments" },
      ],
    });
    expect(merged.rotations[0]!.overrides[0]!.commands).toEqual([
      "/oncall override <@U01BBB> 2026-12-18T22:00Z 2026-12-21T14:00Z merged",
    ]);
    expect(merged.notes.some((n) => n.file === "schedules/rotations/checkout-primary.yaml")).toBe(false);

    const { dir, run, text } = await importSample("pagerduty", ["--merge"]);
    expect(run.exitCode, text).toBe(0);
    expect(load(dir).rotations.map((r) => r.id)).toEqual(["merged"]);
  });
});
