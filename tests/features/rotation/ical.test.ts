import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load";
import { type Shift, shiftsBetween } from "../../../src/core/rotation";
import {
  escapeText,
  foldLine,
  formatUtc,
  shiftsCalendar,
  shiftUid,
} from "../../../src/features/rotation/ical";
import { ORG_DIR } from "../../support/harness";
import { icalEvents } from "../../support/ical";

const config = loadConfig(ORG_DIR);
const merged = config.rotations.find((r) => r.id === "merged")!;
const NOW = new Date("2026-11-25T10:00:00Z");

function feed(shifts: readonly Shift[], names: Record<string, string> = {}) {
  return shiftsCalendar({
    rotation: merged,
    shifts,
    now: NOW,
    userName: (id) => names[id] ?? id,
    teamName: (id) => config.teams.find((t) => t.id === id)?.name ?? id,
  });
}

describe("iCalendar text primitives", () => {
  it("escapes backslashes, semicolons, commas and newlines in TEXT", () => {
    expect(escapeText("a\\b;c,d\ne\r\nf")).toBe("a\\\\b\\;c\\,d\\ne\\nf");
    expect(escapeText("bell\u0007")).toBe("bell");
  });

  it("folds at 75 octets with a leading space, never splitting a UTF-8 character", () => {
    const ascii = `SUMMARY:${"x".repeat(200)}`;
    const folded = foldLine(ascii);
    const physical = folded.split("\r\n");
    expect(physical.length).toBe(3);
    for (const [i, line] of physical.entries()) {
      expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
      if (i > 0) expect(line.startsWith(" ")).toBe(true);
    }
    expect(physical[0]).toHaveLength(75);
    expect(folded.replace(/\r\n /g, "")).toBe(ascii);

    const wide = `SUMMARY:${"ü€😀".repeat(30)}`;
    const lines = foldLine(wide).split("\r\n");
    for (const line of lines) {
      expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
      // A split inside a character would leave a replacement character when decoded alone.
      expect(Buffer.from(line, "utf8").toString("utf8")).toBe(line);
      expect(line).not.toMatch(/\uFFFD/);
    }
    expect(foldLine(wide).replace(/\r\n /g, "")).toBe(wide);
    expect(foldLine("SHORT:line")).toBe("SHORT:line");
  });

  it("writes times in UTC basic format", () => {
    expect(formatUtc(new Date("2026-11-30T09:00:00.123Z"))).toBe("20261130T090000Z");
  });
});

describe("shiftsCalendar", () => {
  const shifts = shiftsBetween(merged, new Date("2026-11-23T09:00:00Z"), new Date("2026-12-14T00:00:00Z"));

  it("is a VCALENDAR with CRLF lines and one VEVENT per shift", () => {
    const text = feed(shifts);
    expect(text.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")).toBe(true);
    expect(text.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(text).toContain("METHOD:PUBLISH");
    expect(icalEvents(text)).toHaveLength(shifts.length);
    for (const line of text.split("\r\n")) expect(Buffer.byteLength(line, "utf8")).toBeLessThanOrEqual(75);
  });

  it("gives each shift its UTC times, its person and team, and a unique stable UID", () => {
    const evs = icalEvents(feed(shifts, { U02AAA: "Bob Search", U03AAA: "Carol, Payments" }));
    // Monday 2026-11-23 10:00 Berlin: U02AAA (search) takes over for a week.
    expect(evs[0]).toMatchObject({
      DTSTART: "20261123T090000Z",
      DTEND: "20261130T090000Z",
      SUMMARY: "On call: Bob Search (Search)",
      TRANSP: "TRANSPARENT",
      DTSTAMP: "20261125T100000Z",
    });
    expect(evs[1]?.SUMMARY).toBe("On call: Carol\\, Payments (Payments)");
    const uids = evs.map((e) => e.UID);
    expect(new Set(uids).size).toBe(uids.length);
    expect(uids[0]).toBe(shiftUid(shifts[0]!, "shared-oncall"));
    expect(icalEvents(feed(shifts))[0]?.UID).toBe(uids[0]);
  });

  it("marks an override and names who it covers for", () => {
    const overridden = shiftsBetween(
      merged,
      new Date("2026-11-25T00:00:00Z"),
      new Date("2026-11-27T00:00:00Z"),
      {
        overrides: [
          {
            id: "9",
            rotationId: "merged",
            user: "U01BBB",
            from: new Date("2026-11-25T17:00:00Z"),
            to: new Date("2026-11-26T07:00:00Z"),
            createdBy: "U01BBB",
          },
        ],
      },
    );
    const evs = icalEvents(feed(overridden, { U01BBB: "Dan", U02AAA: "Bob" }));
    const o = evs.find((e) => e.SUMMARY?.includes("override"))!;
    expect(o).toMatchObject({ DTSTART: "20261125T170000Z", DTEND: "20261126T070000Z" });
    expect(o.SUMMARY).toBe("On call: Dan (Search) · override");
    expect(o.DESCRIPTION).toContain("Override 9\\, covering for Bob.");
    expect(o.DESCRIPTION).toContain("\\n");
  });

  it("is an empty calendar when there are no shifts", () => {
    const text = feed([]);
    expect(icalEvents(text)).toEqual([]);
    expect(text).toContain("X-WR-CALNAME:Merged on-call");
  });
});
