import { TZDate, tzOffset } from "@date-fns/tz";
import { describe, expect, it } from "vitest";
import { handoffsBetween, type Override, type Shift, shiftAt, shiftsBetween } from "../../src/core/rotation";
import { getZone } from "../../src/core/tz";
import { mergedRotation } from "../support/rotations";

const HOUR = 3_600_000;

const rotation = mergedRotation;

const d = (iso: string) => new Date(iso);
const hours = (s: Shift) => (s.end.getTime() - s.start.getTime()) / HOUR;
const iso = (s: Shift) => [s.start.toISOString(), s.end.toISOString()];
const localClock = (date: Date, tz: string) => {
  const local = new TZDate(date.getTime(), tz);
  return `${String(local.getHours()).padStart(2, "0")}:${String(local.getMinutes()).padStart(2, "0")}`;
};

let seq = 0;
function override(user: string, from: string, to: string, rotationId = "merged"): Override {
  seq++;
  return { id: `ov${seq}`, rotationId, user, from: d(from), to: d(to), createdBy: "U0PRODENG" };
}

/** Asserts the shifts are ordered, non-empty and gapless, and cover [from, to). */
function expectCovering(shifts: Shift[], from: Date, to: Date) {
  expect(shifts.length).toBeGreaterThan(0);
  expect(shifts[0]!.start.getTime()).toBeLessThanOrEqual(from.getTime());
  expect(shifts.at(-1)!.end.getTime()).toBeGreaterThanOrEqual(to.getTime());
  for (const [i, s] of shifts.entries()) {
    expect(s.end.getTime()).toBeGreaterThan(s.start.getTime());
    if (i > 0) expect(s.start.getTime()).toBe(shifts[i - 1]!.end.getTime());
  }
}

describe("weekly schedule", () => {
  const rot = rotation();

  it("starts at the anchor hand-off, start inclusive and end exclusive", () => {
    const first = shiftAt(rot, d("2026-01-05T10:00:00+01:00"))!;
    expect(first.user).toBe("alice");
    expect(first.team).toBe("playback");
    expect(first.scheduledUser).toBe("alice");
    expect(first.overrideId).toBeNull();
    expect(iso(first)).toEqual(["2026-01-05T09:00:00.000Z", "2026-01-12T09:00:00.000Z"]);
    expect(shiftAt(rot, d("2026-01-12T09:59:59.999+01:00"))!.user).toBe("alice");
    expect(shiftAt(rot, d("2026-01-12T10:00:00+01:00"))!.user).toBe("bob");
    expect(shiftAt(rot, d("2026-01-19T10:00:00+01:00"))!.user).toBe("carol");
    expect(shiftAt(rot, d("2026-01-26T10:00:00+01:00"))!.user).toBe("alice");
  });

  it("extends the cycle backwards before the anchor", () => {
    const before = shiftAt(rot, d("2026-01-05T09:59:59.999+01:00"))!;
    expect(before.user).toBe("carol");
    expect(iso(before)).toEqual(["2025-12-29T09:00:00.000Z", "2026-01-05T09:00:00.000Z"]);
    const users = shiftsBetween(rot, d("2025-12-01T00:00:00+01:00"), d("2026-01-20T00:00:00+01:00")).map(
      (s) => s.user,
    );
    expect(users).toEqual(["alice", "bob", "carol", "alice", "bob", "carol", "alice", "bob", "carol"]);
    // Two years back: 2024-01-08 is 104 weeks before the anchor, 104 mod 3 = 2 -> slot -104 is bob's.
    const old = shiftAt(rot, d("2024-01-08T12:00:00+01:00"))!;
    expect(old.user).toBe("bob");
    expect(old.start.toISOString()).toBe("2024-01-08T09:00:00.000Z");
  });

  it("puts the first hand-off on the first hand-off day on or after start", () => {
    const thursdayStart = rotation({ start: "2026-01-01" });
    expect(shiftAt(thursdayStart, d("2026-01-05T10:00:00+01:00"))!.user).toBe("alice");
    expect(shiftAt(thursdayStart, d("2026-01-05T09:59:00+01:00"))!.user).toBe("carol");
    const wednesday = rotation({
      start: "2026-01-05",
      handoff: { day: "wed", time: { hour: 9, minute: 30 } },
    });
    const first = shiftAt(wednesday, d("2026-01-07T09:30:00+01:00"))!;
    expect(first.user).toBe("alice");
    expect(iso(first)).toEqual(["2026-01-07T08:30:00.000Z", "2026-01-14T08:30:00.000Z"]);
  });

  it("follows participant order, including an engineer listed twice", () => {
    const rot4 = rotation({
      participants: [
        { user: "alice", team: "playback" },
        { user: "bob", team: "search" },
        { user: "alice", team: "ads" },
        { user: "dave", team: "ads" },
      ],
    });
    const shifts = shiftsBetween(rot4, d("2026-01-05T10:00:00+01:00"), d("2026-02-16T10:00:00+01:00"));
    expect(shifts.map((s) => `${s.user}/${s.team}`)).toEqual([
      "alice/playback",
      "bob/search",
      "alice/ads",
      "dave/ads",
      "alice/playback",
      "bob/search",
    ]);
  });

  it("supports multi-week shifts", () => {
    const fortnight = rotation({ shift: { unit: "w", amount: 2 } });
    const s = shiftAt(fortnight, d("2026-01-25T00:00:00+01:00"))!;
    expect(s.user).toBe("bob");
    expect(iso(s)).toEqual(["2026-01-19T09:00:00.000Z", "2026-02-02T09:00:00.000Z"]);
  });
});

describe("daylight-saving changes", () => {
  const cases = [
    {
      tz: "Europe/Berlin",
      spring: {
        in: "2026-03-29T12:00:00+02:00",
        start: "2026-03-23T09:00:00.000Z",
        end: "2026-03-30T08:00:00.000Z",
      },
      fall: {
        in: "2026-10-25T12:00:00+01:00",
        start: "2026-10-19T08:00:00.000Z",
        end: "2026-10-26T09:00:00.000Z",
      },
      springDay: ["2026-03-28T09:00:00.000Z", "2026-03-29T08:00:00.000Z"],
      fallDay: ["2026-10-24T08:00:00.000Z", "2026-10-25T09:00:00.000Z"],
    },
    {
      tz: "America/New_York",
      spring: {
        in: "2026-03-08T12:00:00-04:00",
        start: "2026-03-02T15:00:00.000Z",
        end: "2026-03-09T14:00:00.000Z",
      },
      fall: {
        in: "2026-11-01T12:00:00-05:00",
        start: "2026-10-26T14:00:00.000Z",
        end: "2026-11-02T15:00:00.000Z",
      },
      springDay: ["2026-03-07T15:00:00.000Z", "2026-03-08T14:00:00.000Z"],
      fallDay: ["2026-10-31T14:00:00.000Z", "2026-11-01T15:00:00.000Z"],
    },
  ];

  for (const c of cases) {
    describe(c.tz, () => {
      it("1w: the week with the spring change lasts 167h, the one with the fall change 169h", () => {
        const rot = rotation({ timezone: c.tz });
        const spring = shiftAt(rot, d(c.spring.in))!;
        expect(iso(spring)).toEqual([c.spring.start, c.spring.end]);
        expect(hours(spring)).toBe(167);
        const fall = shiftAt(rot, d(c.fall.in))!;
        expect(iso(fall)).toEqual([c.fall.start, c.fall.end]);
        expect(hours(fall)).toBe(169);
        for (const s of [spring, fall]) {
          expect(localClock(s.start, c.tz)).toBe("10:00");
          expect(localClock(s.end, c.tz)).toBe("10:00");
        }
        // Ordinary weeks around them stay 168h.
        expect(hours(shiftAt(rot, spring.end)!)).toBe(168);
        expect(hours(shiftAt(rot, new Date(spring.start.getTime() - 1))!)).toBe(168);
      });

      it("1d: the change days last 23h and 25h, hand-off stays at 10:00 local", () => {
        const rot = rotation({ timezone: c.tz, shift: { unit: "d", amount: 1 } });
        const springDay = shiftAt(rot, new Date(d(c.spring.in).getTime() - 4 * HOUR))!;
        expect(iso(springDay)).toEqual(c.springDay);
        expect(hours(springDay)).toBe(23);
        const fallDay = shiftAt(rot, new Date(d(c.fall.in).getTime() - 4 * HOUR))!;
        expect(iso(fallDay)).toEqual(c.fallDay);
        expect(hours(fallDay)).toBe(25);
        for (const s of shiftsBetween(rot, d("2026-03-01T00:00:00Z"), d("2026-11-30T00:00:00Z"))) {
          expect(localClock(s.start, c.tz)).toBe("10:00");
          expect([23, 24, 25]).toContain(hours(s));
        }
      });

      it("12h: the shift across the change lasts 11h or 13h, boundaries stay at 10:00 and 22:00", () => {
        const rot = rotation({ timezone: c.tz, start: "2026-03-01", shift: { unit: "h", amount: 12 } });
        const springShift = shiftAt(rot, new Date(d(c.spring.in).getTime() - 4 * HOUR))!;
        expect(hours(springShift)).toBe(11);
        expect(localClock(springShift.start, c.tz)).toBe("22:00");
        expect(springShift.end.getTime()).toBe(d(c.spring.end).getTime() - 24 * HOUR);
        const fallShift = shiftAt(rot, new Date(d(c.fall.in).getTime() - 4 * HOUR))!;
        expect(hours(fallShift)).toBe(13);
        expect(localClock(fallShift.start, c.tz)).toBe("22:00");
        expect(localClock(fallShift.end, c.tz)).toBe("10:00");
        const clocks = new Set(
          handoffsBetween(rot, d("2026-03-01T00:00:00Z"), d("2026-12-01T00:00:00Z")).map((h) =>
            localClock(h, c.tz),
          ),
        );
        expect([...clocks].sort()).toEqual(["10:00", "22:00"]);
      });
    });
  }

  // 12h turns: the shift holding an instant on each change day, as start/end in UTC.
  it.each([
    ["Europe/Berlin", "2026-03-29T03:30:00+02:00", "2026-03-28T21:00:00.000Z/2026-03-29T08:00:00.000Z"],
    ["Europe/Berlin", "2026-10-25T02:30:00+01:00", "2026-10-24T20:00:00.000Z/2026-10-25T09:00:00.000Z"],
    ["America/New_York", "2026-03-08T03:30:00-04:00", "2026-03-08T03:00:00.000Z/2026-03-08T14:00:00.000Z"],
    ["America/New_York", "2026-11-01T01:30:00-05:00", "2026-11-01T02:00:00.000Z/2026-11-01T15:00:00.000Z"],
  ])("12h in %s: %s is in the shift %s", (timezone, at, shift) => {
    const rot = rotation({ timezone, start: "2026-03-01", shift: { unit: "h", amount: 12 } });
    expect(iso(shiftAt(rot, d(at))!).join("/")).toBe(shift);
  });

  // Daily hand-offs at 02:30 Berlin, a wall time that spring-forward skips and fall-back repeats.
  const dailyAt0230 = (start: string) =>
    rotation({
      start,
      shift: { unit: "d", amount: 1 },
      handoff: { day: "mon", time: { hour: 2, minute: 30 } },
    });

  it("a hand-off at a wall time skipped by spring-forward happens at the transition", () => {
    // 02:30 does not exist in Berlin on 2026-03-29; clocks jump from 02:00 CET to 03:00 CEST (01:00Z).
    const rot = dailyAt0230("2026-03-01");
    const s = shiftAt(rot, d("2026-03-29T03:10:00+02:00"))!;
    expect(iso(s)).toEqual(["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]);
    expect(shiftAt(rot, d("2026-03-29T00:59:59.999Z"))!.start.toISOString()).toBe("2026-03-28T01:30:00.000Z");
  });

  it("a hand-off at a wall time repeated by fall-back happens at its first occurrence", () => {
    // 02:30 occurs twice in Berlin on 2026-10-25: 00:30Z (CEST) and 01:30Z (CET).
    const rot = dailyAt0230("2026-10-01");
    const s = shiftAt(rot, d("2026-10-25T01:45:00Z"))!;
    expect(iso(s)).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
    expect(hours(s)).toBe(25);
  });

  it("1h shifts: the slot skipped by spring-forward is empty and dropped; the one repeated by fall-back lasts 2h", () => {
    const rot = rotation({
      start: "2026-03-29",
      shift: { unit: "h", amount: 1 },
      handoff: { day: "mon", time: { hour: 0, minute: 0 } },
    });
    const spring = shiftsBetween(rot, d("2026-03-28T23:00:00Z"), d("2026-03-29T02:00:00Z"));
    expect(spring.map((s) => [s.user, ...iso(s)])).toEqual([
      ["alice", "2026-03-28T23:00:00.000Z", "2026-03-29T00:00:00.000Z"],
      ["bob", "2026-03-29T00:00:00.000Z", "2026-03-29T01:00:00.000Z"],
      // 02:00-03:00 (carol's slot) does not exist on this day.
      ["alice", "2026-03-29T01:00:00.000Z", "2026-03-29T02:00:00.000Z"],
    ]);
    expect(shiftAt(rot, d("2026-03-29T01:00:00Z"))!.user).toBe("alice");
    expect(
      handoffsBetween(rot, d("2026-03-28T23:00:00Z"), d("2026-03-29T02:00:00Z")).map((h) => h.toISOString()),
    ).toEqual(["2026-03-28T23:00:00.000Z", "2026-03-29T00:00:00.000Z", "2026-03-29T01:00:00.000Z"]);
    const fall = shiftAt(rot, d("2026-10-25T01:30:00Z"))!;
    expect(iso(fall)).toEqual(["2026-10-25T00:00:00.000Z", "2026-10-25T02:00:00.000Z"]);
  });
});

describe("overrides", () => {
  const rot = rotation();
  // Week of 2026-01-05 is alice's, 2026-01-12 bob's.

  it("an override inside one shift splits it into three pieces", () => {
    const ov = override("dave", "2026-01-07T12:00:00+01:00", "2026-01-08T12:00:00+01:00");
    const state = { overrides: [ov] };
    const during = shiftAt(rot, d("2026-01-07T18:00:00+01:00"), state)!;
    expect(during).toMatchObject({
      user: "dave",
      team: "playback",
      scheduledUser: "alice",
      overrideId: ov.id,
    });
    expect(iso(during)).toEqual(["2026-01-07T11:00:00.000Z", "2026-01-08T11:00:00.000Z"]);
    const before = shiftAt(rot, d("2026-01-06T00:00:00+01:00"), state)!;
    expect(before).toMatchObject({ user: "alice", overrideId: null });
    expect(iso(before)).toEqual(["2026-01-05T09:00:00.000Z", "2026-01-07T11:00:00.000Z"]);
    const after = shiftAt(rot, d("2026-01-08T12:00:00+01:00"), state)!;
    expect(after.user).toBe("alice");
    expect(iso(after)).toEqual(["2026-01-08T11:00:00.000Z", "2026-01-12T09:00:00.000Z"]);
    const week = shiftsBetween(rot, d("2026-01-06T00:00:00Z"), d("2026-01-10T00:00:00Z"), state);
    expect(week.map((s) => s.user)).toEqual(["alice", "dave", "alice"]);
    expect(week).toEqual([before, during, after]);
  });

  it("an override spanning a hand-off covers both slots, one piece per slot", () => {
    const ov = override("dave", "2026-01-11T12:00:00+01:00", "2026-01-13T12:00:00+01:00");
    const shifts = shiftsBetween(rot, d("2026-01-06T00:00:00Z"), d("2026-01-15T00:00:00Z"), {
      overrides: [ov],
    });
    expect(shifts.map((s) => [s.user, s.scheduledUser, s.team, s.overrideId, ...iso(s)])).toEqual([
      ["alice", "alice", "playback", null, "2026-01-05T09:00:00.000Z", "2026-01-11T11:00:00.000Z"],
      ["dave", "alice", "playback", ov.id, "2026-01-11T11:00:00.000Z", "2026-01-12T09:00:00.000Z"],
      ["dave", "bob", "search", ov.id, "2026-01-12T09:00:00.000Z", "2026-01-13T11:00:00.000Z"],
      ["bob", "bob", "search", null, "2026-01-13T11:00:00.000Z", "2026-01-19T09:00:00.000Z"],
    ]);
    expect(shiftAt(rot, d("2026-01-12T10:00:00+01:00"), { overrides: [ov] })).toEqual(shifts[2]);
  });

  it("an override by a participant represents that participant's team", () => {
    const ov = override("carol", "2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z");
    const s = shiftAt(rot, d("2026-01-06T12:00:00Z"), { overrides: [ov] })!;
    expect(s).toMatchObject({ user: "carol", team: "ads", scheduledUser: "alice" });
  });

  it("when overrides overlap, the later one in the array wins", () => {
    const long = override("dave", "2026-01-06T00:00:00Z", "2026-01-09T00:00:00Z");
    const short = override("erin", "2026-01-07T00:00:00Z", "2026-01-08T00:00:00Z");
    const laterShort = shiftsBetween(rot, d("2026-01-05T12:00:00Z"), d("2026-01-09T00:00:00Z"), {
      overrides: [long, short],
    }).map((s) => [s.user, ...iso(s)]);
    expect(laterShort).toEqual([
      ["alice", "2026-01-05T09:00:00.000Z", "2026-01-06T00:00:00.000Z"],
      ["dave", "2026-01-06T00:00:00.000Z", "2026-01-07T00:00:00.000Z"],
      ["erin", "2026-01-07T00:00:00.000Z", "2026-01-08T00:00:00.000Z"],
      ["dave", "2026-01-08T00:00:00.000Z", "2026-01-09T00:00:00.000Z"],
    ]);
    expect(shiftAt(rot, d("2026-01-08T00:00:00Z"), { overrides: [long, short] })!.start.toISOString()).toBe(
      "2026-01-08T00:00:00.000Z",
    );
    const laterLong = shiftsBetween(rot, d("2026-01-05T12:00:00Z"), d("2026-01-09T00:00:00Z"), {
      overrides: [short, long],
    }).map((s) => s.user);
    expect(laterLong).toEqual(["alice", "dave"]);
    expect(shiftAt(rot, d("2026-01-07T12:00:00Z"), { overrides: [short, long] })!.user).toBe("dave");
  });

  it("ignores overrides of other rotations and empty ones", () => {
    const other = override("dave", "2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z", "other");
    const empty = override("erin", "2026-01-06T06:00:00Z", "2026-01-06T06:00:00Z");
    const state = { overrides: [other, empty] };
    const s = shiftAt(rot, d("2026-01-06T06:00:00Z"), state)!;
    expect(s).toMatchObject({ user: "alice", overrideId: null });
    expect(iso(s)).toEqual(["2026-01-05T09:00:00.000Z", "2026-01-12T09:00:00.000Z"]);
    expect(shiftsBetween(rot, d("2026-01-06T00:00:00Z"), d("2026-01-07T00:00:00Z"), state)).toHaveLength(1);
  });

  it("shiftAt agrees with shiftsBetween at random instants", () => {
    const rot12 = rotation({ timezone: "America/New_York", shift: { unit: "h", amount: 12 } });
    const overrides = [
      override("dave", "2026-03-07T20:00:00Z", "2026-03-09T02:00:00Z"),
      override("erin", "2026-03-08T05:00:00Z", "2026-03-08T06:30:00Z"),
      override("bob", "2026-03-10T00:00:00Z", "2026-03-12T00:00:00Z"),
      override("zed", "2026-03-09T00:00:00Z", "2026-03-11T00:00:00Z", "other"),
    ];
    const state = { overrides, ejectedTeams: new Set(["ads"]) };
    const from = d("2026-03-06T00:00:00Z");
    const to = d("2026-03-14T00:00:00Z");
    const shifts = shiftsBetween(rot12, from, to, state);
    expectCovering(shifts, from, to);
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      const t = from.getTime() + (x / 2 ** 31) * (to.getTime() - from.getTime());
      const expected = shifts.find((s) => s.start.getTime() <= t && t < s.end.getTime());
      expect(shiftAt(rot12, new Date(t), state)).toEqual(expected);
    }
  });
});

describe("ejected teams", () => {
  const rot = rotation();
  const from = d("2026-01-05T10:00:00+01:00");
  const to = d("2026-02-02T10:00:00+01:00");

  it("gives an ejected team's slot to the next participant and leaves the others alone", () => {
    const ejectedTeams = new Set(["search"]);
    const normal = shiftsBetween(rot, from, to);
    const ejected = shiftsBetween(rot, from, to, { ejectedTeams });
    expect(normal.map((s) => s.user)).toEqual(["alice", "bob", "carol", "alice"]);
    expect(ejected.map((s) => s.user)).toEqual(["alice", "carol", "carol", "alice"]);
    expect(ejected[1]).toMatchObject({ team: "ads", scheduledUser: "carol" });
    for (const [i, s] of normal.entries()) {
      expect(iso(ejected[i]!)).toEqual(iso(s));
      if (s.team !== "search") expect(ejected[i]).toEqual(s);
    }
    expect(shiftAt(rot, d("2026-01-14T00:00:00Z"), { ejectedTeams })!.user).toBe("carol");
  });

  it("skips several ejected teams in rotation order, wrapping around", () => {
    const ejectedTeams = new Set(["ads", "playback"]);
    expect(shiftsBetween(rot, from, to, { ejectedTeams }).map((s) => s.user)).toEqual([
      "bob",
      "bob",
      "bob",
      "bob",
    ]);
    // carol's slot wraps past the end of the list to alice before reaching bob.
    expect(shiftAt(rot, d("2026-01-20T00:00:00Z"), { ejectedTeams: new Set(["ads"]) })!.user).toBe("alice");
  });

  it("has nobody on call when every team is ejected", () => {
    const ejectedTeams = new Set(["playback", "search", "ads"]);
    expect(shiftAt(rot, d("2026-01-14T00:00:00Z"), { ejectedTeams })).toBeNull();
    expect(shiftsBetween(rot, from, to, { ejectedTeams })).toEqual([]);
  });

  it("still applies overrides in a slot reassigned by ejection", () => {
    const ov = override("dave", "2026-01-14T00:00:00Z", "2026-01-15T00:00:00Z");
    const s = shiftAt(rot, d("2026-01-14T12:00:00Z"), {
      ejectedTeams: new Set(["search"]),
      overrides: [ov],
    })!;
    expect(s).toMatchObject({ user: "dave", team: "ads", scheduledUser: "carol", overrideId: ov.id });
  });
});

describe("shiftsBetween", () => {
  it("covers a year of 12h shifts without gaps", () => {
    const rot = rotation({ shift: { unit: "h", amount: 12 } });
    const from = d("2026-01-01T00:00:00Z");
    const to = d("2027-01-01T00:00:00Z");
    const shifts = shiftsBetween(rot, from, to);
    expectCovering(shifts, from, to);
    expect(shifts).toHaveLength(730 + 1);
    const users = shifts.map((s) => s.user);
    for (let i = 1; i < users.length; i++) {
      expect(rot.participants.findIndex((p) => p.user === users[i])).toBe(
        (rot.participants.findIndex((p) => p.user === users[i - 1]) + 1) % 3,
      );
    }
  });

  it("returns overlapping shifts whole, not clipped to the range", () => {
    const shifts = shiftsBetween(rotation(), d("2026-01-07T00:00:00Z"), d("2026-01-14T00:00:00Z"));
    expect(shifts.map(iso)).toEqual([
      ["2026-01-05T09:00:00.000Z", "2026-01-12T09:00:00.000Z"],
      ["2026-01-12T09:00:00.000Z", "2026-01-19T09:00:00.000Z"],
    ]);
  });

  it("is empty for an empty range and treats `to` as exclusive", () => {
    const rot = rotation();
    expect(shiftsBetween(rot, d("2026-01-07T00:00:00Z"), d("2026-01-07T00:00:00Z"))).toEqual([]);
    expect(shiftsBetween(rot, d("2026-01-08T00:00:00Z"), d("2026-01-07T00:00:00Z"))).toEqual([]);
    expect(shiftsBetween(rot, d("2026-01-06T00:00:00Z"), d("2026-01-12T09:00:00Z"))).toHaveLength(1);
  });
});

describe("handoffsBetween", () => {
  it("lists scheduled hand-offs in [from, to) at 10:00 local across DST", () => {
    const rot = rotation();
    const handoffs = handoffsBetween(rot, d("2026-03-16T09:00:00Z"), d("2026-04-06T08:00:00Z"));
    expect(handoffs.map((h) => h.toISOString())).toEqual([
      "2026-03-16T09:00:00.000Z",
      "2026-03-23T09:00:00.000Z",
      "2026-03-30T08:00:00.000Z",
    ]);
    expect(handoffsBetween(rot, d("2026-03-16T09:00:00.001Z"), d("2026-03-23T09:00:00Z"))).toEqual([]);
  });

  it("ignores overrides: same instants whoever is on call", () => {
    const rot = rotation({ shift: { unit: "d", amount: 1 }, timezone: "America/New_York" });
    const handoffs = handoffsBetween(rot, d("2026-11-01T00:00:00Z"), d("2026-11-04T00:00:00Z"));
    expect(handoffs.map((h) => h.toISOString())).toEqual([
      "2026-11-01T15:00:00.000Z",
      "2026-11-02T15:00:00.000Z",
      "2026-11-03T15:00:00.000Z",
    ]);
  });
});

describe("invalid input", () => {
  it("names an unknown time zone", () => {
    expect(() =>
      shiftAt(rotation({ id: "tz-typo", timezone: "Europe/Berln" }), d("2026-01-06T00:00:00Z")),
    ).toThrow(/Europe\/Berln/);
  });

  it("rejects an invalid instant and an invalid start date", () => {
    expect(() => shiftAt(rotation(), new Date(Number.NaN))).toThrow(/invalid date/);
    expect(() =>
      shiftAt(rotation({ id: "bad-start", start: "2026-02-30" }), d("2026-01-06T00:00:00Z")),
    ).toThrow(/bad-start.*2026-02-30/);
  });
});

describe("time zone arithmetic", () => {
  it("agrees with @date-fns/tz on offsets and on local 10:00 across several zones and years", () => {
    // Whole-hour zones with and without DST, then India's +05:30 and Lord Howe's 30-minute DST.
    const wholeHours = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"];
    const zones = [...wholeHours, "Asia/Kolkata", "Australia/Lord_Howe"];
    let x = 42;
    for (const name of zones) {
      const zone = getZone(name);
      for (let i = 0; i < 300; i++) {
        x = (x * 1103515245 + 12345) % 2 ** 31;
        const t = Date.UTC(2020, 0, 1) + Math.floor((x / 2 ** 31) * 10 * 365 * 86_400_000);
        expect(zone.offsetAt(t)).toBe(tzOffset(name, new Date(t)) * 60_000);
        const wall = zone.toWall(t);
        const tenLocal = Math.floor(wall / 86_400_000) * 86_400_000 + 10 * 3_600_000;
        expect(localClock(new Date(zone.fromWall(tenLocal)), name)).toBe("10:00");
      }
    }
  });
});
