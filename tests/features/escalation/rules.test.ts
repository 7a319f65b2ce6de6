import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load";
import type { Alert } from "../../../src/core/alert";
import { acknowledge, handOff } from "../../../src/core/alert-actions";
import type { Team } from "../../../src/core/config";
import {
  type HandOffWindow,
  handOffLapse,
  handOffWindow,
  outsideWorkdayRefusal,
} from "../../../src/features/escalation/rules";
import { STREAM_API_ROUTE, streamApiAlert, streamApiInstance } from "../../support/alerts";
import { ORG_DIR } from "../../support/harness";

const config = loadConfig(ORG_DIR);
const team = (id: string) => config.teams.find((t) => t.id === id) as Team;
// Playback: Europe/Berlin, Mon-Fri 09:00-18:00, German holidays. Payments: America/New_York,
// Mon-Fri 09:00-17:00, US holidays.
const playback = team("playback");
const payments = team("payments");
const routed = { route: STREAM_API_ROUTE };

function routedAlert(now: Date): Alert {
  return streamApiAlert({}, now, { group: { commonAnnotations: {}, instances: [streamApiInstance(now)] } });
}

function refusal(window: HandOffWindow): Extract<HandOffWindow, { ok: false }> {
  if (window.ok) throw new Error("expected the hand-off to be refused");
  return window;
}

describe("handOffWindow (the workday rule of a hand-off)", () => {
  it("allows a hand-off inside the team's workday, by the team's own clock", () => {
    // Wed 25 Nov 2026: 09:00 in Berlin is 08:00Z; 17:59 is 16:59Z.
    expect(handOffWindow(routed, playback, new Date("2026-11-25T08:00:00Z"))).toEqual({ ok: true });
    expect(handOffWindow(routed, playback, new Date("2026-11-25T16:59:00Z"))).toEqual({ ok: true });
    // 08:00Z is 03:00 in New York: outside Payments' workday at the same instant.
    expect(handOffWindow(routed, payments, new Date("2026-11-25T08:00:00Z")).ok).toBe(false);
  });

  it("refuses before and after hours, saying when the next workday starts", () => {
    const early = refusal(handOffWindow(routed, playback, new Date("2026-11-25T07:59:00Z")));
    expect(early.team.id).toBe("playback");
    expect(early.workdayStarts?.toISOString()).toBe("2026-11-25T08:00:00.000Z");
    const late = refusal(handOffWindow(routed, playback, new Date("2026-11-25T17:00:00Z")));
    expect(late.workdayStarts?.toISOString()).toBe("2026-11-26T08:00:00.000Z");
  });

  it("refuses on a weekend: the workday starts on Monday", () => {
    // Sat 28 Nov 2026, noon in Berlin.
    const w = refusal(handOffWindow(routed, playback, new Date("2026-11-28T11:00:00Z")));
    expect(w.workdayStarts?.toISOString()).toBe("2026-11-30T08:00:00.000Z");
  });

  it("refuses on a public holiday of the team's region and skips the holidays that follow", () => {
    // Fri 25 Dec 2026 (Christmas Day, a German public holiday), 10:00 in Berlin; Sat 26 Dec is one
    // too, then the weekend: the next workday is Mon 28 Dec.
    const w = refusal(handOffWindow(routed, playback, new Date("2026-12-25T09:00:00Z")));
    expect(w.workdayStarts?.toISOString()).toBe("2026-12-28T08:00:00.000Z");
    // Thu 26 Nov 2026, 10:00 in New York (15:00Z): Thanksgiving, so Payments is off until Friday.
    const thanksgiving = refusal(handOffWindow(routed, payments, new Date("2026-11-26T15:00:00Z")));
    expect(thanksgiving.workdayStarts?.toISOString()).toBe("2026-11-27T14:00:00.000Z");
    expect(handOffWindow(routed, playback, new Date("2026-11-26T10:00:00Z"))).toEqual({ ok: true });
  });

  it("follows the team's daylight saving time", () => {
    // Berlin moves to CEST on Sun 29 Mar 2026: Friday's 09:00 is 08:00Z, Monday's 07:00Z.
    expect(handOffWindow(routed, playback, new Date("2026-03-27T07:30:00Z")).ok).toBe(false);
    const w = refusal(handOffWindow(routed, playback, new Date("2026-03-27T17:00:00Z")));
    expect(w.workdayStarts?.toISOString()).toBe("2026-03-30T07:00:00.000Z");
    expect(handOffWindow(routed, playback, new Date("2026-03-30T07:30:00Z"))).toEqual({ ok: true });
  });

  it("leaves alerts without an owning team or with an ejected team to the hand-off's own refusals", () => {
    const night = new Date("2026-11-25T23:00:00Z");
    expect(handOffWindow(routed, undefined, night)).toEqual({ ok: true });
    expect(handOffWindow({ route: { ...STREAM_API_ROUTE, ejected: true } }, playback, night)).toEqual({
      ok: true,
    });
  });

  it("says never when the team has no work days", () => {
    const idle: Team = { ...playback, workdays: { ...playback.workdays, days: [] } };
    const w = refusal(handOffWindow(routed, idle, new Date("2026-11-25T10:00:00Z")));
    expect(w.workdayStarts).toBeNull();
    expect(outsideWorkdayRefusal(w, "Europe/Berlin")).toContain(
      "Their workday begins never (no workday is configured for the team).",
    );
  });
});

describe("outsideWorkdayRefusal", () => {
  it("writes the start in the team's zone and the reader's, and points to Escalate", () => {
    // Fri 20 Nov 2026, 17:30 in New York: Payments is back Monday 09:00 New York time.
    const w = refusal(handOffWindow(routed, payments, new Date("2026-11-20T22:30:00Z")));
    expect(outsideWorkdayRefusal(w, "Europe/Berlin")).toBe(
      "Payments is outside its workday, so this alert stays with on-call. Their workday begins Mon 23 Nov, 09:00 America/New_York (15:00 your time). If it cannot wait, press Escalate to page every member of Payments.",
    );
    // A reader for whom it is another day already.
    expect(outsideWorkdayRefusal(w, "Pacific/Auckland")).toContain(
      "Mon 23 Nov, 09:00 America/New_York (Tue 24 Nov, 03:00 your time)",
    );
  });

  it("is the refusal handOff gives outside the workday", () => {
    const now = new Date("2026-11-28T11:00:00Z");
    const w = refusal(handOffWindow(routed, playback, now));
    const t = handOff(routedAlert(now), "U02AAA", now, {
      team: playback,
      outsideWorkday: outsideWorkdayRefusal(w, "America/New_York"),
    });
    expect(t).toEqual({
      ok: false,
      reason:
        "Playback is outside its workday, so this alert stays with on-call. Their workday begins Mon 30 Nov, 09:00 Europe/Berlin (03:00 your time). If it cannot wait, press Escalate to page every member of Playback.",
    });
  });
});

describe("handOffLapse (the hand-off's acknowledgement timeout)", () => {
  const at = new Date("2026-11-25T10:00:00Z");
  const later = new Date("2026-11-25T10:15:00Z");
  const handed = (() => {
    const t = handOff(routedAlert(at), "U02AAA", at, { team: playback, outsideWorkday: null });
    if (!t.ok) throw new Error(t.reason);
    return t.alert;
  })();

  it("gives the alert back to on-call, paging them again, when nobody in the team took it", () => {
    const t = handOffLapse(handed, playback, 15 * 60_000, later);
    expect(t.ok).toBe(true);
    if (!t.ok) return;
    expect(t.alert).toMatchObject({ state: "firing", assignedTeam: null, assignee: null });
    expect(t.events.map((e) => [e.type, e.text, e.thread])).toEqual([
      [
        "repaged",
        "Playback did not take this alert within 15m: it is back with on-call, paging <@U02AAA> again",
        true,
      ],
    ]);
  });

  it("does nothing once someone in the team acknowledged it", () => {
    const acked = acknowledge(handed, "U01BBB", later);
    if (!acked.ok) throw new Error(acked.reason);
    expect(handOffLapse(acked.alert, playback, 15 * 60_000, later).ok).toBe(false);
  });
});
