// GET /calendar/<rotation>.ics on the real app: the rotation's shifts, overrides included.

import { describe, expect, it } from "vitest";
import { calendarToken } from "../../src/features/rotation/calendar";
import { addOverride, harnessPerTest } from "../support/e2e";
import { icalEvents } from "../support/ical";

const bot = harnessPerTest();

describe("GET /calendar/<rotation>.ics", () => {
  it("serves the shifts as iCalendar, with names from Slack and overrides applied", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    await addOverride(h, "U01BBB", "2026-11-26T17:00:00Z", "2026-11-27T07:00:00Z");
    const res = await fetch(`${h.app.url}/calendar/merged.ics?token=${calendarToken(h.settings, "merged")}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const text = await res.text();
    expect(text.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    const evs = icalEvents(text);
    // 4 weeks back and 26 ahead: 31 weekly slots, one of them cut in three by the override.
    expect(evs).toHaveLength(33);
    const now = evs.find((e) => e.DTSTART === "20261123T090000Z")!;
    expect(now).toMatchObject({ DTEND: "20261126T170000Z", SUMMARY: "On call: u02aaa (Search)" });
    const o = evs.find((e) => e.SUMMARY?.includes("override"))!;
    expect(o).toMatchObject({
      DTSTART: "20261126T170000Z",
      DTEND: "20261127T070000Z",
      SUMMARY: "On call: u01bbb (Search) · override",
    });
    expect(new Set(evs.map((e) => e.UID)).size).toBe(evs.length);
  });

  it("keeps one person's shifts with ?user= and honours the range parameters", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const res = await fetch(
      `${h.app.url}/calendar/merged.ics?user=U01AAA&weeks=6&past=0&token=${calendarToken(h.settings, "merged")}`,
    );
    const evs = icalEvents(await res.text());
    expect(evs.map((e) => e.DTSTART)).toEqual(["20261207T090000Z", "20261228T090000Z"]);
    expect(evs.every((e) => e.SUMMARY === "On call: u01aaa (Playback)")).toBe(true);
  });

  it("answers 404 naming no calendar for an unknown rotation, 400 for a bad range, 405 for POST", async () => {
    const h = await bot.start();
    const missing = await fetch(`${h.app.url}/calendar/nosuch.ics`);
    expect(missing.status).toBe(404);
    const error = ((await missing.json()) as { error: string }).error;
    expect(error).not.toContain("merged");
    expect(error).toContain("/oncall schedule");
    const bad = await fetch(
      `${h.app.url}/calendar/merged.ics?weeks=500&token=${calendarToken(h.settings, "merged")}`,
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain(
      "weeks must be a whole number of weeks",
    );
    const post = await fetch(`${h.app.url}/calendar/merged.ics`, { method: "POST", body: "x" });
    expect(post.status).toBe(405);
  });
});
