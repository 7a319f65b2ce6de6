import { afterEach, describe, expect, it } from "vitest";
import { fitLength, localAnchor, overrideCommands, slug } from "../../../src/config/import/build";
import { shiftAt } from "../../../src/core/rotation";
import { importSample, load, NOW, removeOutDirs } from "./helpers";

afterEach(removeOutDirs);

describe("fitting a layer to a rotation", () => {
  it("maps turn lengths onto the bot's shifts, saying when it cannot", () => {
    expect(fitLength({ seconds: 604_800 * 2 })).toEqual({ shift: { unit: "w", amount: 2 }, inexact: null });
    expect(fitLength({ seconds: 86_400 * 3 })).toEqual({ shift: { unit: "d", amount: 3 }, inexact: null });
    expect(fitLength({ seconds: 28_800 })).toEqual({ shift: { unit: "h", amount: 8 }, inexact: null });
    expect(fitLength({ unit: "h", amount: 48 })).toEqual({ shift: { unit: "d", amount: 2 }, inexact: null });
    expect(fitLength({ unit: "d", amount: 14 })).toEqual({ shift: { unit: "w", amount: 2 }, inexact: null });
    expect(fitLength({ unit: "h", amount: 5 })).toEqual({
      shift: { unit: "h", amount: 4 },
      inexact: "turns of 5 hours are not supported (hour shifts must divide a day); imported as 4h",
    });
    expect(fitLength({ months: 1 }).inexact).toMatch(
      /^turns of 1 calendar month\(s\) are not supported; imported as 4w/,
    );
  });

  it("reads the first hand-off in the rotation's zone, on either side of a DST change", () => {
    // 10:00 in New York is 14:00Z in summer (EDT) and 15:00Z in winter (EST).
    expect(localAnchor(new Date("2026-07-06T14:00:00Z"), "America/New_York")).toMatchObject({
      start: "2026-07-06",
      day: "mon",
      time: "10:00",
    });
    expect(localAnchor(new Date("2026-01-04T23:30:00Z"), "Europe/Berlin")).toMatchObject({
      start: "2026-01-05",
      day: "mon",
      time: "00:30",
    });
  });

  it("writes an override as commands of at most 30 days each, from now when it is under way", () => {
    const now = new Date("2026-12-03T08:00:00Z");
    expect(
      overrideCommands(
        "U01AAA",
        new Date("2026-12-01T00:00:00Z"),
        new Date("2027-01-15T00:00:00Z"),
        "pay",
        now,
      ),
    ).toEqual([
      "/oncall override <@U01AAA> now 2027-01-02T08:00Z pay",
      "/oncall override <@U01AAA> 2027-01-02T08:00Z 2027-01-15T00:00Z pay",
    ]);
  });

  it("makes config ids of display names", () => {
    expect(slug("Payments – EU (Tier 1)", "team")).toBe("payments-eu-tier-1");
    expect(slug("Équipe Données", "team")).toBe("equipe-donnees");
    expect(slug("🚀", "team")).toBe("team");
  });
});

describe("the imported rotation hands off as the product did", () => {
  // Weekly turns of Alice, Bob, Carol from Monday 2026-01-05 10:00 New York: on 2026-12-03 it is
  // 47 whole weeks later (47 mod 3 = 2), so Carol's turn, which began Monday 2026-11-30 10:00 EST.
  // (Opsgenie's sample gives Alice a second turn per cycle, which the import lists as unsupported.)
  it.each(["pagerduty", "grafana-oncall"])("%s: the engineer on call now", async (product) => {
    const { dir } = await importSample(product);
    const rotation = load(dir).rotations[0]!;
    const shift = shiftAt(rotation, NOW, {});
    expect(shift).toMatchObject({ user: "U01CCC", team: "payments" });
    expect(shift!.start.toISOString()).toBe("2026-11-30T15:00:00.000Z");
    expect(shift!.end.toISOString()).toBe("2026-12-07T15:00:00.000Z");
  });
});
