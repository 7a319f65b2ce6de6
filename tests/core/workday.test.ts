import { describe, expect, it } from "vitest";
import type { Team, Workdays } from "../../src/core/config";
import { isInWorkday, isPublicHoliday, nextWorkdayStart } from "../../src/core/workday";

type Owner = Pick<Team, "timezone" | "workdays">;

function team(timezone = "Europe/Berlin", patch: Partial<Workdays> = {}): Owner {
  return {
    timezone,
    workdays: {
      days: ["mon", "tue", "wed", "thu", "fri"],
      hours: { startMinute: 9 * 60, endMinute: 18 * 60 },
      holidays: "DE",
      ...patch,
    },
  };
}

const d = (iso: string) => new Date(iso);
const next = (owner: Owner, iso: string) => nextWorkdayStart(owner, d(iso)).toISOString();

describe("isInWorkday", () => {
  const berlin = team();

  const allDay = team("Europe/Berlin", { hours: { startMinute: 0, endMinute: 1440 } });
  const saturdays = team("Europe/Berlin", { days: ["sat"] });
  it.each([
    // Starts at 09:00 inclusive and ends at 18:00 exclusive, local time: Wednesday 2026-01-07, CET.
    { owner: berlin, at: "2026-01-07T08:59:59.999+01:00", working: false },
    { owner: berlin, at: "2026-01-07T09:00:00+01:00", working: true },
    { owner: berlin, at: "2026-01-07T13:00:00+01:00", working: true },
    { owner: berlin, at: "2026-01-07T17:59:59.999+01:00", working: true },
    { owner: berlin, at: "2026-01-07T18:00:00+01:00", working: false },
    // Summer time in summer: 09:00 CEST is 07:00Z.
    { owner: berlin, at: "2026-07-01T06:59:00Z", working: false },
    { owner: berlin, at: "2026-07-01T07:00:00Z", working: true },
    { owner: berlin, at: "2026-07-01T15:59:00Z", working: true },
    { owner: berlin, at: "2026-07-01T16:00:00Z", working: false },
    // Not at weekends, unless the team works then.
    { owner: berlin, at: "2026-01-10T12:00:00+01:00", working: false },
    { owner: berlin, at: "2026-01-11T12:00:00+01:00", working: false },
    { owner: saturdays, at: "2026-01-10T12:00:00+01:00", working: true },
    // 00:00-24:00 covers the whole day, Monday to Friday.
    { owner: allDay, at: "2026-01-07T00:00:00+01:00", working: true },
    { owner: allDay, at: "2026-01-07T23:59:59.999+01:00", working: true },
    { owner: allDay, at: "2026-01-09T23:59:59.999+01:00", working: true },
    { owner: allDay, at: "2026-01-10T00:00:00+01:00", working: false },
    { owner: allDay, at: "2026-01-06T23:59:59.999+01:00", working: true },
    { owner: allDay, at: "2026-01-05T23:59:59.999+01:00", working: true },
    { owner: allDay, at: "2026-01-04T23:59:59.999+01:00", working: false },
  ])("at $at: $working", ({ owner, at, working }) => {
    expect(isInWorkday(owner, d(at))).toBe(working);
  });

  it("is false on a public holiday of the team's region", () => {
    // Friday 2026-12-25, Christmas Day.
    expect(isInWorkday(berlin, d("2026-12-25T12:00:00+01:00"))).toBe(false);
    // Christmas Eve is not a public holiday in Germany.
    expect(isInWorkday(berlin, d("2026-12-24T12:00:00+01:00"))).toBe(true);
    // Tuesday 2026-01-06, Epiphany: a holiday in Bavaria, not in Berlin.
    expect(isInWorkday(team("Europe/Berlin", { holidays: "DE-BY" }), d("2026-01-06T12:00:00+01:00"))).toBe(
      false,
    );
    expect(isInWorkday(team("Europe/Berlin", { holidays: "DE-BE" }), d("2026-01-06T12:00:00+01:00"))).toBe(
      true,
    );
    expect(isInWorkday(team("Europe/Berlin", { holidays: null }), d("2026-12-25T12:00:00+01:00"))).toBe(true);
  });

  it("judges each team in its own time zone", () => {
    const newYork = team("America/New_York", {
      hours: { startMinute: 9 * 60, endMinute: 17 * 60 },
      holidays: "US-NY",
    });
    const tokyo = team("Asia/Tokyo", { holidays: null });
    // 14:00Z on Wednesday 2026-01-07: 09:00 in New York, 15:00 in Berlin, 23:00 in Tokyo.
    const at = d("2026-01-07T14:00:00Z");
    expect(isInWorkday(newYork, at)).toBe(true);
    expect(isInWorkday(berlin, at)).toBe(true);
    expect(isInWorkday(tokyo, at)).toBe(false);
    // 22:30Z: 17:30 in New York (after 17:00), Thursday 07:30 in Tokyo.
    expect(isInWorkday(newYork, d("2026-01-07T22:30:00Z"))).toBe(false);
    expect(isInWorkday(tokyo, d("2026-01-08T00:30:00Z"))).toBe(true);
    // Friday 23:30 in New York is already Saturday in UTC; the local weekday decides.
    const lateFriday = team("America/New_York", {
      hours: { startMinute: 0, endMinute: 1440 },
      holidays: null,
    });
    expect(isInWorkday(lateFriday, d("2026-01-10T04:30:00Z"))).toBe(true);
    // Independence Day observed on Friday 2026-07-03 in New York.
    expect(isInWorkday(newYork, d("2026-07-03T12:00:00-04:00"))).toBe(false);
  });
});

describe("nextWorkdayStart", () => {
  const berlin = team();

  it("skips the weekend", () => {
    expect(next(berlin, "2026-01-09T18:30:00+01:00")).toBe("2026-01-12T08:00:00.000Z");
    expect(next(berlin, "2026-01-10T12:00:00+01:00")).toBe("2026-01-12T08:00:00.000Z");
    expect(next(berlin, "2026-01-12T08:59:00+01:00")).toBe("2026-01-12T08:00:00.000Z");
  });

  it("returns the same day's start before hours and the next day's from inside or at the start", () => {
    expect(next(berlin, "2026-01-07T07:00:00+01:00")).toBe("2026-01-07T08:00:00.000Z");
    expect(next(berlin, "2026-01-07T09:00:00+01:00")).toBe("2026-01-08T08:00:00.000Z");
    expect(next(berlin, "2026-01-07T12:00:00+01:00")).toBe("2026-01-08T08:00:00.000Z");
  });

  it("skips public holidays", () => {
    // Thursday evening before Christmas: Fri 25th holiday, weekend, so Monday the 28th.
    expect(next(berlin, "2026-12-24T19:00:00+01:00")).toBe("2026-12-28T08:00:00.000Z");
    // Epiphany on Tuesday 2026-01-06 only counts in Bavaria.
    const bavaria = team("Europe/Berlin", { holidays: "DE-BY" });
    const berlinState = team("Europe/Berlin", { holidays: "DE-BE" });
    expect(next(bavaria, "2026-01-05T19:00:00+01:00")).toBe("2026-01-07T08:00:00.000Z");
    expect(next(berlinState, "2026-01-05T19:00:00+01:00")).toBe("2026-01-06T08:00:00.000Z");
    // New Year's Day 2027 is a Friday: from Thursday evening, the next workday is Monday the 4th.
    expect(next(berlin, "2026-12-31T19:00:00+01:00")).toBe("2027-01-04T08:00:00.000Z");
  });

  it("answers in the team's time zone, across its DST change", () => {
    const newYork = team("America/New_York", {
      hours: { startMinute: 9 * 60, endMinute: 17 * 60 },
      holidays: "US-NY",
    });
    // Friday 18:00 EST -> Monday 09:00 EDT (clocks went forward on Sunday 2026-03-08).
    expect(next(newYork, "2026-03-06T18:00:00-05:00")).toBe("2026-03-09T13:00:00.000Z");
    // Friday 18:00 EST (23:00Z) in January -> Monday 09:00 EST.
    expect(next(newYork, "2026-01-09T23:00:00Z")).toBe("2026-01-12T14:00:00.000Z");
    // Saturday 01:00 in Tokyo is still Friday in UTC; Tokyo's next workday is Monday 09:00 JST.
    const tokyo = team("Asia/Tokyo", { holidays: null });
    expect(next(tokyo, "2026-01-09T16:00:00Z")).toBe("2026-01-12T00:00:00.000Z");
  });

  it("starts whole-day workdays at local midnight", () => {
    const allDay = team("Europe/Berlin", { hours: { startMinute: 0, endMinute: 1440 } });
    expect(next(allDay, "2026-01-10T12:00:00+01:00")).toBe("2026-01-11T23:00:00.000Z");
  });

  it("starts a workday whose start time is skipped by spring-forward at the transition", () => {
    // 02:30 does not exist in Berlin on Sunday 2026-03-29: the period starts at 03:00 CEST (01:00Z).
    const night = team("Europe/Berlin", {
      days: ["sun"],
      hours: { startMinute: 150, endMinute: 360 },
      holidays: null,
    });
    expect(next(night, "2026-03-28T12:00:00Z")).toBe("2026-03-29T01:00:00.000Z");
    expect(isInWorkday(night, d("2026-03-29T00:59:59Z"))).toBe(false);
    expect(isInWorkday(night, d("2026-03-29T01:00:00Z"))).toBe(true);
    expect(isInWorkday(night, d("2026-03-29T03:59:59Z"))).toBe(true);
    expect(isInWorkday(night, d("2026-03-29T04:00:00Z"))).toBe(false);
  });

  it("throws a clear error when no workday can come", () => {
    expect(() => nextWorkdayStart(team("Europe/Berlin", { days: [] }), d("2026-01-07T12:00:00Z"))).toThrow(
      /No workday starts within 400 days/,
    );
    expect(() =>
      nextWorkdayStart(
        team("Europe/Berlin", { hours: { startMinute: 600, endMinute: 600 } }),
        d("2026-01-07T12:00:00Z"),
      ),
    ).toThrow(/Invalid working hours/);
  });
});

describe("isPublicHoliday", () => {
  it("counts only public holidays of the given region", () => {
    expect(isPublicHoliday("DE", "2026-12-25")).toBe(true);
    expect(isPublicHoliday("DE", "2026-12-24")).toBe(false);
    expect(isPublicHoliday("DE-BY", "2026-01-06")).toBe(true);
    expect(isPublicHoliday("DE-BE", "2026-01-06")).toBe(false);
    expect(isPublicHoliday("DE", "2026-01-06")).toBe(false);
    // Observances (Valentine's Day) are not days off; substitute days are.
    expect(isPublicHoliday("US-NY", "2026-02-14")).toBe(false);
    expect(isPublicHoliday("US-NY", "2026-07-03")).toBe(true);
    expect(isPublicHoliday("DE", "2026-12-23")).toBe(false);
  });

  it("rejects unknown regions and malformed dates instead of guessing", () => {
    expect(() => isPublicHoliday("XX", "2026-01-01")).toThrow(/Unknown holiday region "XX"/);
    expect(() => isPublicHoliday("DE-ZZ", "2026-01-01")).toThrow(/no state "ZZ"/);
    expect(() => isPublicHoliday("DE", "2026-1-1")).toThrow(/YYYY-MM-DD/);
  });
});
