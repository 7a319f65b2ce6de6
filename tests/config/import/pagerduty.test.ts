import { afterEach, describe, expect, it } from "vitest";
import {
  buildSample,
  importChecked,
  importSample,
  load,
  notesOf,
  read,
  removeOutDirs,
  summary,
} from "./helpers";

afterEach(removeOutDirs);

const IDS = new Map([
  ["PXPGF42", "U01AAA"],
  ["PAM4FGS", "U01BBB"],
  ["PQ6HN1C", "U01CCC"],
  ["PD4V1EO", "U02AAA"],
  ["PE8R2IN", "U02BBB"],
  ["PF7RANK", "U02CCC"],
]);

const build = (merge = false) => buildSample("pagerduty", IDS, { merge });

describe("PagerDuty import", () => {
  it("turns the sample into config that passes config:check", async () => {
    const config = await importChecked("pagerduty");
    expect(config.teams.map((t) => [t.id, t.name, t.members])).toEqual([
      ["payments", "Payments", ["U01AAA", "U01BBB", "U01CCC"]],
      ["search", "Search", ["U02AAA", "U02BBB", "U02CCC"]],
    ]);
    // Layer 1: rotation_virtual_start 10:00 New York, turns of 604800 s; the search layer: 43200 s turns
    // from 08:00 UTC (08:00 in London in February). Escalation comes from each escalation policy.
    expect(config.rotations.map(summary)).toEqual([
      "checkout-primary: 1w from 2026-01-05, mon 10:00 America/New_York; U01AAA (payments), U01BBB (payments), U01CCC (payments)",
      "search-on-call: 12h from 2026-02-02, 08:00 Europe/London; U02AAA (search), U02BBB (search)",
    ]);
    const [checkout, search] = config.rotations;
    expect(checkout).toMatchObject({
      teams: ["payments"],
      escalation: { ackTimeoutMs: 10 * 60_000, repeats: 2 },
      admins: ["U01AAA"],
    });
    expect(search).toMatchObject({
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
    const result = buildSample("pagerduty", IDS, {
      edit: (data: { overrides: Record<string, unknown> }) => {
        data.overrides.PGONE99 = { overrides: [] };
      },
    });
    expect(result.notes).toContainEqual({
      kind: "unsupported",
      file: "",
      message:
        'overrides listed for schedule "PGONE99", which is not in the schedules response; not imported',
    });
  });

  it("lists the time-restricted layer and the services to map, in the output and the YAML", async () => {
    const unsupported = notesOf(build(), "unsupported");
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
