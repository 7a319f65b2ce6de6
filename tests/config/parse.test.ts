import { describe, expect, it } from "vitest";
import {
  ParseError,
  parseDuration,
  parseLocalDate,
  parseShiftLength,
  parseTimeOfDay,
  parseWeekday,
  parseWorkHours,
} from "../../src/config/parse";

function parseErrorOf(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error("expected a ParseError");
}

describe("parseDuration", () => {
  it.each([
    ["30s", 30_000],
    ["15m", 900_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["2w", 1_209_600_000],
    [" 5m ", 300_000],
  ])("%s", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(["", "15", "m", "1.5h", "-5m", "0m", "15 m", "1h30m", "15M"])("refuses %j", (text) => {
    const error = parseErrorOf(() => parseDuration(text));
    expect(error.kind).toBe("duration");
    expect(error.input).toBe(text);
    expect(error.message).toContain('e.g. "15m"');
  });
});

describe("parseTimeOfDay", () => {
  it("parses HH:MM and H:MM", () => {
    expect(parseTimeOfDay("10:00")).toEqual({ hour: 10, minute: 0 });
    expect(parseTimeOfDay("00:00")).toEqual({ hour: 0, minute: 0 });
    expect(parseTimeOfDay("23:59")).toEqual({ hour: 23, minute: 59 });
    expect(parseTimeOfDay("9:05")).toEqual({ hour: 9, minute: 5 });
  });

  it.each(["24:00", "12:60", "1000", "10:0", "7pm", ""])("refuses %j", (text) => {
    expect(parseErrorOf(() => parseTimeOfDay(text)).message).toContain("HH:MM");
  });
});

describe("parseWorkHours", () => {
  it("parses a range in minutes from midnight; 24:00 ends the day", () => {
    expect(parseWorkHours("09:00-18:00")).toEqual({ startMinute: 540, endMinute: 1080 });
    expect(parseWorkHours("00:00-24:00")).toEqual({ startMinute: 0, endMinute: 1440 });
    expect(parseWorkHours("9:30 - 17:15")).toEqual({ startMinute: 570, endMinute: 1035 });
  });

  it("refuses ranges that are empty, reversed or malformed", () => {
    expect(parseErrorOf(() => parseWorkHours("18:00-09:00")).message).toContain(
      "start must be before the end",
    );
    expect(parseErrorOf(() => parseWorkHours("09:00-09:00")).message).toContain(
      "start must be before the end",
    );
    expect(parseErrorOf(() => parseWorkHours("24:00-24:00")).message).toContain("HH:MM-HH:MM");
    expect(parseErrorOf(() => parseWorkHours("09:00")).kind).toBe("work-hours");
  });
});

describe("parseShiftLength", () => {
  it("parses hours that divide a day, days and weeks", () => {
    expect(parseShiftLength("12h")).toEqual({ unit: "h", amount: 12 });
    expect(parseShiftLength("1d")).toEqual({ unit: "d", amount: 1 });
    expect(parseShiftLength("2w")).toEqual({ unit: "w", amount: 2 });
  });

  it("refuses hours that do not divide 24 and other units", () => {
    expect(parseErrorOf(() => parseShiftLength("5h")).message).toContain("divide a day");
    expect(parseErrorOf(() => parseShiftLength("30m")).message).toContain("not a shift length");
    expect(parseErrorOf(() => parseShiftLength("0w")).message).toContain("not a shift length");
  });
});

describe("parseWeekday and parseLocalDate", () => {
  it("accepts mon..sun in any case", () => {
    expect(parseWeekday("mon")).toBe("mon");
    expect(parseWeekday("Sun")).toBe("sun");
    expect(parseErrorOf(() => parseWeekday("monday")).message).toContain("mon, tue, wed");
  });

  it("accepts only dates that exist", () => {
    expect(parseLocalDate("2026-01-05")).toBe("2026-01-05");
    expect(parseLocalDate("2028-02-29")).toBe("2028-02-29");
    expect(parseErrorOf(() => parseLocalDate("2026-02-29")).kind).toBe("date");
    expect(parseErrorOf(() => parseLocalDate("2026-1-5")).message).toContain("YYYY-MM-DD");
  });
});
