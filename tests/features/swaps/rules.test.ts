import { describe, expect, it } from "vitest";
import { shiftsBetween } from "../../../src/core/rotation";
import {
  askRequester,
  fileSwap,
  isExpired,
  requestChannels,
  type SwapRequest,
  type SwapStatus,
  takenWindow,
  takeRefusal,
} from "../../../src/features/swaps/rules";
import { ORG as config, WEDNESDAY as NOW, orgRotation } from "../../support/org";

// Merged on-call, weekly from Monday 10:00 Berlin: U02AAA (Search) until Mon 2026-11-30 09:00Z,
// then U03AAA (Payments) until 2026-12-07 09:00Z, then U01AAA (Playback). Admin U0ADMIN.
const merged = orgRotation("merged");
const HOUR = 3_600_000;
const at = (iso: string) => new Date(iso);
const fmt = (d: Date) => d.toISOString();
const NEXT_HANDOFF = at("2026-11-30T09:00:00Z");

function file(actor: string, requester: string, from: Date, to: Date, now = NOW) {
  return fileSwap({
    config,
    rotation: merged,
    actor,
    requester,
    from,
    to,
    now,
    shifts: shiftsBetween(merged, from, to),
    formatTime: fmt,
  });
}

function request(patch: Partial<SwapRequest> = {}): SwapRequest {
  return {
    id: "1",
    rotationId: "merged",
    requester: "U03AAA",
    filedBy: "U03AAA",
    team: "payments",
    from: NEXT_HANDOFF,
    to: at("2026-12-01T09:00:00Z"),
    underWay: false,
    expiresAt: NEXT_HANDOFF,
    note: null,
    createdAt: NOW,
    ...patch,
  };
}

const OPEN: SwapStatus = { kind: "open" };

describe("filing a swap request", () => {
  it("covers the requester's own shift in the range and expires when that starts", () => {
    const r = file("U03AAA", "U03AAA", at("2026-11-29T12:00:00Z"), at("2026-12-01T09:00:00Z"));
    // Payments' shift starts at the hand-off: the window is clipped to it.
    expect(r).toEqual({
      ok: true,
      value: {
        from: NEXT_HANDOFF,
        to: at("2026-12-01T09:00:00Z"),
        underWay: false,
        expiresAt: NEXT_HANDOFF,
        team: "payments",
      },
    });
  });

  it("takes a shift under way from now, and then expires when the window ends", () => {
    const r = file("U02AAA", "U02AAA", at("2026-11-25T09:00:00Z"), at("2026-11-25T18:00:00Z"));
    expect(r).toEqual({
      ok: true,
      value: {
        from: NOW,
        to: at("2026-11-25T18:00:00Z"),
        underWay: true,
        expiresAt: at("2026-11-25T18:00:00Z"),
        team: "search",
      },
    });
  });

  it("lets an admin file for an absent colleague, and refuses anyone else filing for another", () => {
    const admin = file("U0ADMIN", "U03AAA", NEXT_HANDOFF, at("2026-12-01T09:00:00Z"));
    expect(admin.ok).toBe(true);
    const peer = file("U01AAA", "U03AAA", NEXT_HANDOFF, at("2026-12-01T09:00:00Z"));
    expect(peer.ok).toBe(false);
    if (!peer.ok) {
      expect(peer.text).toContain("You can ask for cover of your own shifts only");
      expect(peer.text).toContain("<@U0ADMIN>");
      expect(peer.usage).toBe(false);
    }
  });

  it("refuses a range where the requester is not on call, and ranges the override rule refuses", () => {
    const notMine = file("U01AAA", "U01AAA", NEXT_HANDOFF, at("2026-12-01T09:00:00Z"));
    expect(notMine).toMatchObject({
      ok: false,
      text: expect.stringContaining("You are not on call in Merged on-call"),
    });
    const ended = file("U02AAA", "U02AAA", at("2026-11-25T07:00:00Z"), at("2026-11-25T08:00:00Z"));
    expect(ended).toMatchObject({
      ok: false,
      usage: true,
      text: expect.stringContaining("That range ended already"),
    });
    const backwards = file("U02AAA", "U02AAA", at("2026-11-26T08:00:00Z"), at("2026-11-26T07:00:00Z"));
    expect(backwards).toMatchObject({ ok: false, usage: true });
  });
});

describe("taking a swap request", () => {
  const take = (status: SwapStatus, taker: string, now = NOW, r = request()) =>
    takeRefusal(config, merged, r, status, taker, now, fmt);

  it("lets whoever may be on call for the rotation's teams take it", () => {
    expect(take(OPEN, "U01BBB")).toBeNull(); // Playback member
    expect(take(OPEN, "U02AAA")).toBeNull(); // participant
    expect(take(OPEN, "U0ADMIN")).toBeNull(); // admins may set overrides
  });

  it("refuses outsiders with the override rule's reason, and the requester themselves", () => {
    expect(take(OPEN, "U0OUTSIDER")).toContain("Only members of Merged on-call's teams");
    expect(take(OPEN, "U03AAA")).toContain("This is your own request");
  });

  it("refuses a taken request naming the taker, and one past its expiry with the reason", () => {
    const taken: SwapStatus = { kind: "taken", by: "U01BBB", at: NOW, overrideId: "4" };
    expect(take(taken, "U02BBB")).toBe("This request was already taken by <@U01BBB>.");
    expect(take(taken, "U01BBB")).toContain("already");
    const late = take(OPEN, "U01BBB", NEXT_HANDOFF);
    expect(late).toContain(`This request expired at ${NEXT_HANDOFF.toISOString()}`);
    expect(late).toContain("has started");
    expect(take({ kind: "expired", at: NEXT_HANDOFF }, "U01BBB")).toContain("expired");
    expect(isExpired(request(), new Date(NEXT_HANDOFF.getTime() - 1))).toBe(false);
    expect(isExpired(request(), NEXT_HANDOFF)).toBe(true);
  });

  it("makes an override from now for a window under way, else the whole window", () => {
    const underWay = request({ from: NOW, to: at("2026-11-25T18:00:00Z"), underWay: true });
    const later = new Date(NOW.getTime() + HOUR);
    expect(takenWindow(underWay, later)).toEqual({ from: later, to: at("2026-11-25T18:00:00Z") });
    expect(takenWindow(request(), NOW)).toEqual({ from: NEXT_HANDOFF, to: at("2026-12-01T09:00:00Z") });
  });
});

describe("asking from a button and where requests go", () => {
  const week = shiftsBetween(merged, NEXT_HANDOFF, at("2026-12-07T09:00:00Z"));

  it("asks for the presser's cover, or for whoever is on call when an admin presses", () => {
    expect(askRequester(merged, week, "U03AAA")).toEqual({ ok: true, value: "U03AAA" });
    expect(askRequester(merged, week, "U0ADMIN")).toEqual({ ok: true, value: "U03AAA" });
    const other = askRequester(merged, week, "U01BBB");
    expect(other).toMatchObject({
      ok: false,
      text: expect.stringContaining("Only <@U03AAA>, who is on call then"),
    });
  });

  it("posts to the rotation's channel and the requester's team channel, once each", () => {
    expect(requestChannels(config, merged, "payments")).toEqual(["C0ONCALL", "C0PAYMENTS"]);
    expect(requestChannels(config, { ...merged, channel: "C0PAYMENTS" }, "payments")).toEqual(["C0PAYMENTS"]);
  });
});
