import { describe, expect, it } from "vitest";
import { parseClock, parseDurationWord, parseWhen, takeWhen, WhenError } from "../../src/core/when";

// Wednesday 2026-11-25, 11:00 in Berlin (CET, UTC+1).
const NOW = new Date("2026-11-25T10:00:00Z");
const berlin = { now: NOW, timeZone: "Europe/Berlin" };
const at = (text: string, opts: Partial<typeof berlin> & { after?: Date } = {}) =>
  parseWhen(text, { ...berlin, ...opts }).toISOString();

describe("parseWhen: absolute forms", () => {
  it("reads ISO local date-times in the user's zone, with a T or a space", () => {
    expect(at("2026-11-30T18:00")).toBe("2026-11-30T17:00:00.000Z");
    expect(at("2026-11-30 18:00")).toBe("2026-11-30T17:00:00.000Z");
    expect(at("2026-11-30T18:00:30")).toBe("2026-11-30T17:00:30.000Z");
    expect(at("2026-11-30T18:00", { timeZone: "America/New_York" })).toBe("2026-11-30T23:00:00.000Z");
  });

  it("takes an explicit Z or offset as absolute, whatever the user's zone", () => {
    expect(at("2026-11-30T18:00Z")).toBe("2026-11-30T18:00:00.000Z");
    expect(at("2026-11-30T18:00+05:30")).toBe("2026-11-30T12:30:00.000Z");
    expect(at("2026-11-30T18:00-0500", { timeZone: "Asia/Tokyo" })).toBe("2026-11-30T23:00:00.000Z");
  });

  it("reads a bare date as local midnight", () => {
    expect(at("2026-12-01")).toBe("2026-11-30T23:00:00.000Z");
  });

  it("keeps summer time for dates in summer (the offset is the date's, not today's)", () => {
    expect(at("2026-07-01 09:00")).toBe("2026-07-01T07:00:00.000Z");
  });
});

describe("parseWhen: relative forms", () => {
  it.each([
    // Today and tomorrow keep their date; today may lie in the past.
    ["today 18:00", "2026-11-25T17:00:00.000Z"],
    ["today 08:00", "2026-11-25T07:00:00.000Z"],
    ["tomorrow 18:00", "2026-11-26T17:00:00.000Z"],
    ["Tomorrow 9:30", "2026-11-26T08:30:00.000Z"],
    ["tomorrow", "2026-11-25T23:00:00.000Z"],
    // A weekday is the next such day, or today while that time is still ahead.
    ["mon 10:00", "2026-11-30T09:00:00.000Z"],
    ["monday 10:00", "2026-11-30T09:00:00.000Z"],
    // It is Wednesday 11:00: 12:00 today is still ahead, 10:00 today is not.
    ["wed 12:00", "2026-11-25T11:00:00.000Z"],
    ["wed 10:00", "2026-12-02T09:00:00.000Z"],
    ["fri", "2026-11-26T23:00:00.000Z"],
    // A bare time is the next time the clock shows it.
    ["18:00", "2026-11-25T17:00:00.000Z"],
    ["09:00", "2026-11-26T08:00:00.000Z"],
    ["6pm", "2026-11-25T17:00:00.000Z"],
    ["6:30am", "2026-11-26T05:30:00.000Z"],
    ["noon", "2026-11-25T11:00:00.000Z"],
    ["midnight", "2026-11-25T23:00:00.000Z"],
  ])("reads %s as %s", (text, iso) => {
    expect(at(text)).toBe(iso);
  });

  it("reads now and durations from the reference", () => {
    expect(at("now")).toBe(NOW.toISOString());
    expect(at("+2h")).toBe("2026-11-25T12:00:00.000Z");
    expect(at("90m")).toBe("2026-11-25T11:30:00.000Z");
    expect(at("1h30m")).toBe("2026-11-25T11:30:00.000Z");
    expect(at("1w")).toBe("2026-12-02T10:00:00.000Z");
    const after = new Date("2026-11-27T21:00:00Z");
    expect(at("+1d", { after })).toBe("2026-11-28T21:00:00.000Z");
  });

  it("counts bare times and weekdays of a range's end from its start", () => {
    const words = ["fri", "22:00", "02:00"];
    const from = takeWhen(words, 0, berlin);
    expect(from).toEqual({ at: new Date("2026-11-27T21:00:00Z"), used: 2 });
    const to = takeWhen(words, 2, { ...berlin, after: from.at });
    expect(to).toEqual({ at: new Date("2026-11-28T01:00:00Z"), used: 1 });
  });

  it("tells one-word and two-word times apart in a list of words", () => {
    const words = ["tomorrow", "18:00", "mon", "10:00", "merged"];
    const from = takeWhen(words, 0, berlin);
    expect(from.used).toBe(2);
    const to = takeWhen(words, 2, { ...berlin, after: from.at });
    expect(to).toEqual({ at: new Date("2026-11-30T09:00:00Z"), used: 2 });
    expect(takeWhen(["now", "+2h"], 0, berlin).used).toBe(1);
    expect(takeWhen(["mon", "tue"], 0, berlin)).toEqual({ at: new Date("2026-11-29T23:00:00Z"), used: 1 });
  });
});

describe("parseWhen: daylight saving", () => {
  it("moves a time skipped by spring-forward to the transition", () => {
    expect(at("2026-03-29 02:30")).toBe("2026-03-29T01:00:00.000Z");
  });

  it("takes the first of a time that occurs twice at fall-back", () => {
    expect(at("2026-10-25 02:30")).toBe("2026-10-25T00:30:00.000Z");
  });

  it("keeps the wall-clock time across a change for a weekday", () => {
    const now = new Date("2026-03-26T12:00:00Z"); // Thursday before the spring change
    expect(at("mon 10:00", { now })).toBe("2026-03-30T08:00:00.000Z");
  });
});

describe("parseWhen: errors say what to type", () => {
  const error = (text: string, tz = "Europe/Berlin") => {
    try {
      parseWhen(text, { now: NOW, timeZone: tz });
    } catch (err) {
      expect(err).toBeInstanceOf(WhenError);
      return (err as Error).message;
    }
    throw new Error(`"${text}" was accepted`);
  };

  it("refuses words that are no time, with examples", () => {
    expect(error("soonish")).toContain('cannot read "soonish" as a time');
    expect(error("soonish")).toContain("tomorrow 18:00");
    expect(error("")).toContain("a time is missing");
  });

  it.each([
    // Impossible dates and times.
    { text: "2026-02-30 10:00", says: "2026-02-30 is not a date" },
    { text: "25:00", says: "25:00 is not a time of day" },
    { text: "today 24:30", says: "not a time of day" },
    { text: "13pm", says: "not a time of day" },
    { text: "2026-11-30T25:00", says: "no such time of day" },
    // A duration too long for a date, an offset no zone has.
    { text: "+99999999999w", says: "too far away" },
    { text: "9999999999999999999999m", says: "too far away" },
    { text: "2026-11-30T18:00+25:00", says: "no such UTC offset" },
    { text: "2026-11-30T18:00-0575", says: "no such UTC offset" },
  ])("refuses $text: $says", ({ text, says }) => {
    expect(error(text)).toContain(says);
  });

  it("refuses trailing words and unknown zones", () => {
    expect(error("tomorrow 18:00 please")).toContain("as one time");
    expect(error("18:00", "Mars/Olympus")).toContain('Unknown time zone "Mars/Olympus"');
  });

  it("refuses an empty duration", () => {
    expect(() => parseDurationWord("0h")).toThrow(WhenError);
    expect(parseDurationWord("tomorrow")).toBeNull();
    expect(parseClock("12am")).toBe(0);
    expect(parseClock("12pm")).toBe(12 * 60);
  });
});
