import { describe, expect, it } from "vitest";
import type { Alert, AlertRoute } from "../../src/core/alert";
import {
  acknowledge,
  answerActionable,
  awaitingAck,
  BOT,
  escalate,
  type HandOffInput,
  handOff,
  mayActOn,
  repage,
  resolveByHand,
  type Transition,
  whoMayAct,
} from "../../src/core/alert-actions";
import {
  escalationReason,
  formatTeamTime,
  timerReason,
  timerStep,
} from "../../src/features/escalation/rules";
import { streamApiAlert, streamApiInstance } from "../support/alerts";
import { ORG as config, WEDNESDAY as NOW, orgTeam } from "../support/org";

const playback = orgTeam("playback");
const LATER = new Date("2026-11-25T10:05:00Z");

function alert(patch: Partial<Alert> = {}, route: Partial<AlertRoute> = {}): Alert {
  const group = {
    groupKey: '{}:{alertname="HighErrorRate"}',
    groupLabels: { alertname: "HighErrorRate" },
    instances: [streamApiInstance(NOW, { instance: "a" })],
  };
  return streamApiAlert(patch, NOW, { group, route });
}

function ok(t: Transition): Extract<Transition, { ok: true }> {
  if (!t.ok) throw new Error(`expected a change, got refusal: ${t.reason}`);
  return t;
}

function refused(t: Transition): string {
  if (t.ok) throw new Error(`expected a refusal, got state ${t.alert.state}`);
  return t.reason;
}

const resolved = () => ok(resolveByHand(alert(), "U02AAA", NOW)).alert;

describe("mayActOn", () => {
  const a = alert();
  it("lets the rotation's participants and admins act", () => {
    for (const u of ["U01AAA", "U02AAA", "U03AAA", "U0ADMIN"]) expect(mayActOn(u, a, config)).toBe(true);
  });
  it("lets members of the owning team act, but not members of other teams or strangers", () => {
    expect(mayActOn("U01BBB", a, config)).toBe(true);
    expect(mayActOn("U01CCC", a, config)).toBe(true);
    expect(mayActOn("U02BBB", a, config)).toBe(false);
    expect(mayActOn("U0OUTSIDER", a, config)).toBe(false);
  });
  it("explains who may act and whom to ask", () => {
    const text = whoMayAct(a, config);
    expect(text).toContain('rotation "Merged on-call"');
    expect(text).toContain("members of Playback");
    expect(text).toContain("<@U02AAA>");
  });
});

describe("acknowledge", () => {
  it("makes the presser the assignee and ends the wait for an acknowledgement", () => {
    const t = ok(acknowledge(alert(), "U02AAA", LATER));
    expect(t.alert).toMatchObject({ state: "acked", assignee: "U02AAA", ackedAt: LATER.toISOString() });
    expect(t.events).toEqual([expect.objectContaining({ type: "acked", actor: "U02AAA", thread: true })]);
    expect(awaitingAck(alert())).toBe(true);
    expect(awaitingAck(t.alert)).toBe(false);
  });
  it("refuses a second acknowledgement, naming who has it", () => {
    const acked = ok(acknowledge(alert(), "U02AAA", NOW)).alert;
    expect(refused(acknowledge(acked, "U02AAA", LATER))).toBe("You have already acknowledged this alert.");
    expect(refused(acknowledge(acked, "U01AAA", LATER))).toContain("<@U02AAA> has already acknowledged");
  });
  it("refuses on a resolved alert", () => {
    expect(refused(acknowledge(resolved(), "U02AAA", LATER))).toContain("already resolved");
  });
  it("lets a team member take an escalated or handed-off alert, keeping the team", () => {
    const esc = ok(escalate(alert(), "U02AAA", "complex", NOW, playback)).alert;
    const t = ok(acknowledge(esc, "U01BBB", LATER));
    expect(t.alert).toMatchObject({ state: "acked", assignee: "U01BBB", assignedTeam: "playback" });
    expect(t.alert.escalation?.reason).toBe("complex");
  });
  it("keeps a running remediation's state while giving the alert an owner", () => {
    const t = ok(acknowledge(alert({ state: "remediating" }), "U02AAA", LATER));
    expect(t.alert).toMatchObject({ state: "remediating", assignee: "U02AAA" });
    expect(refused(acknowledge(t.alert, "U01AAA", LATER))).toContain("already acknowledged");
  });
  it("keeps the first acknowledgement time", () => {
    const acked = ok(acknowledge(alert(), "U02AAA", NOW)).alert;
    const esc = ok(escalate(acked, "U02AAA", "complex", NOW, playback)).alert;
    expect(ok(acknowledge(esc, "U01BBB", LATER)).alert.ackedAt).toBe(NOW.toISOString());
  });
});

describe("resolveByHand", () => {
  it("closes the alert and records who", () => {
    const t = ok(resolveByHand(alert(), "U02AAA", LATER));
    expect(t.alert).toMatchObject({
      state: "resolved",
      resolvedBy: "U02AAA",
      resolvedAt: LATER.toISOString(),
      assignee: "U02AAA",
    });
    expect(t.events[0]).toMatchObject({ type: "resolved", thread: true });
    expect(awaitingAck(t.alert)).toBe(false);
  });
  it("keeps the assignee who handled it", () => {
    const acked = ok(acknowledge(alert(), "U01AAA", NOW)).alert;
    expect(ok(resolveByHand(acked, "U02AAA", LATER)).alert.assignee).toBe("U01AAA");
  });
  it("refuses an alert that is already resolved", () => {
    expect(refused(resolveByHand(resolved(), "U02AAA", LATER))).toContain("already resolved");
  });
});

describe("handOff", () => {
  const inside: HandOffInput = { team: playback, outsideWorkday: null };
  const outside: HandOffInput = { team: playback, outsideWorkday: "Playback is outside its workday." };

  it("assigns the alert to the owning team inside its workday and frees on-call", () => {
    const acked = ok(acknowledge(alert(), "U02AAA", NOW)).alert;
    const t = ok(handOff(acked, "U02AAA", LATER, inside));
    expect(t.alert).toMatchObject({ state: "handed_off", assignedTeam: "playback", assignee: null });
    expect(t.events[0]?.text).toBe("<@U02AAA> handed this alert to Playback (<#C0PLAYBACK>)");
    expect(awaitingAck(t.alert)).toBe(false);
  });
  it("refuses with the workday refusal once the alert could be handed (tests/features/escalation/rules.test.ts has the rule)", () => {
    expect(refused(handOff(alert(), "U02AAA", LATER, outside))).toBe("Playback is outside its workday.");
    expect(refused(handOff(resolved(), "U02AAA", LATER, outside))).toContain("already resolved");
    expect(refused(handOff(alert({}, { ejected: true }), "U02AAA", LATER, outside))).toContain("ejected");
  });
  it("refuses without an owning team, for an ejected team, twice, after escalating, and when resolved", () => {
    expect(refused(handOff(alert(), "U02AAA", NOW, { ...inside, team: undefined }))).toContain(
      "no owning team",
    );
    expect(refused(handOff(alert({}, { ejected: true }), "U02AAA", NOW, inside))).toContain("ejected");
    const handed = ok(handOff(alert(), "U02AAA", NOW, inside)).alert;
    expect(refused(handOff(handed, "U02AAA", LATER, inside))).toContain("already handed to Playback");
    const esc = ok(escalate(alert(), "U02AAA", "complex", NOW, playback)).alert;
    expect(refused(handOff(esc, "U02AAA", LATER, inside))).toContain("already escalated");
    expect(refused(handOff(resolved(), "U02AAA", LATER, inside))).toContain("already resolved");
  });
  it("refuses after the team took a handed-off alert", () => {
    const handed = ok(handOff(alert(), "U02AAA", NOW, inside)).alert;
    const taken = ok(acknowledge(handed, "U01BBB", LATER)).alert;
    expect(refused(handOff(taken, "U02AAA", LATER, inside))).toContain("already handed");
  });
});

describe("escalate", () => {
  it("assigns the alert to the whole owning team with the reason", () => {
    const acked = ok(acknowledge(alert(), "U02AAA", NOW)).alert;
    const t = ok(escalate(acked, "U02AAA", "The runbook is not enough", LATER, playback));
    expect(t.alert).toMatchObject({
      state: "escalated",
      assignedTeam: "playback",
      assignee: null,
      escalation: { by: "U02AAA", reason: "The runbook is not enough", at: LATER.toISOString() },
    });
    expect(t.events[0]?.text).toBe(
      "<@U02AAA> escalated to every member of Playback: The runbook is not enough",
    );
  });
  it("refuses a second escalation, also after a team member acknowledged", () => {
    const esc = ok(escalate(alert(), "U02AAA", "complex", NOW, playback)).alert;
    expect(refused(escalate(esc, "U01AAA", "again", LATER, playback))).toContain(
      "already escalated to Playback by <@U02AAA>",
    );
    const taken = ok(acknowledge(esc, "U01BBB", LATER)).alert;
    expect(refused(escalate(taken, "U01BBB", "again", LATER, playback))).toContain("already escalated");
  });
  it("refuses without an owning team and when resolved", () => {
    expect(refused(escalate(alert(), "U02AAA", "x", NOW, undefined))).toContain("no owning team");
    expect(refused(escalate(resolved(), "U02AAA", "x", NOW, playback))).toContain("already resolved");
  });
  it("may follow a hand-off", () => {
    const handed = ok(handOff(alert(), "U02AAA", NOW, { team: playback, outsideWorkday: null })).alert;
    expect(ok(escalate(handed, "U01BBB", "complex", LATER, playback)).alert.state).toBe("escalated");
  });
});

describe("repage", () => {
  it("re-pages step by step while nobody has taken the alert", () => {
    const one = ok(repage(alert(), 1, LATER));
    expect(one.alert.repages).toBe(1);
    expect(one.events[0]).toMatchObject({ type: "repaged", actor: BOT, thread: true });
    expect(one.events[0]?.text).toContain("paging <@U02AAA> again (1)");
    expect(ok(repage(one.alert, 2, LATER)).alert.repages).toBe(2);
  });
  it("refuses a step that already ran or comes too early", () => {
    const one = ok(repage(alert(), 1, LATER)).alert;
    expect(refused(repage(one, 1, LATER))).toContain("already handled");
    expect(refused(repage(alert(), 2, LATER))).toContain("already handled");
  });
  it("refuses once the alert was acknowledged, handed off, escalated or resolved", () => {
    const acked = ok(acknowledge(alert(), "U02AAA", NOW)).alert;
    expect(refused(repage(acked, 1, LATER))).toContain("no longer applies");
    const esc = ok(escalate(alert(), "U02AAA", "x", NOW, playback)).alert;
    expect(refused(repage(esc, 1, LATER))).toContain("no longer applies");
    expect(refused(repage(resolved(), 1, LATER))).toContain("no longer applies");
  });
});

describe("timerStep", () => {
  it("re-pages `repeats` times, then escalates to the owning team", () => {
    let a = alert();
    a = ok(timerStep(a, 1, 2, playback, LATER)).alert;
    a = ok(timerStep(a, 2, 2, playback, LATER)).alert;
    const t = ok(timerStep(a, 3, 2, playback, LATER));
    expect(t.alert).toMatchObject({
      state: "escalated",
      repages: 3,
      assignedTeam: "playback",
      escalation: { by: BOT, reason: "not acknowledged after 2 re-pages" },
    });
    expect(t.events[0]?.text).toBe(
      "Escalated to every member of Playback: not acknowledged after 2 re-pages",
    );
    expect(refused(timerStep(t.alert, 3, 2, playback, LATER))).toContain("no longer applies");
  });
  it("escalates at once after the first timeout with repeats 0", () => {
    expect(ok(timerStep(alert(), 1, 0, playback, LATER)).alert.state).toBe("escalated");
    expect(timerReason(1)).toBe("not acknowledged after 1 re-page");
  });
  it("only notes, for an unrouted alert, that there is nobody to escalate to", () => {
    let a = alert({}, { teamId: null, serviceId: null, unrouted: true });
    a = ok(timerStep(a, 1, 1, undefined, LATER)).alert;
    const t = ok(timerStep(a, 2, 1, undefined, LATER));
    expect(t.alert).toMatchObject({ state: "firing", repages: 2, escalation: null });
    expect(t.events[0]).toMatchObject({ type: "note", thread: true });
    expect(t.events[0]?.text).toContain("no owning team to escalate to");
    expect(refused(timerStep(t.alert, 2, 1, undefined, LATER))).toContain("already handled");
  });
  it("does nothing once the alert was acknowledged", () => {
    const acked = ok(acknowledge(alert(), "U02AAA", NOW)).alert;
    expect(refused(timerStep(acked, 3, 2, playback, LATER))).toContain("no longer applies");
  });
});

describe("answerActionable", () => {
  it("records the answer of a resolved alert for the noise report", () => {
    const t = ok(answerActionable(resolved(), "U02AAA", false, LATER));
    expect(t.alert.answer).toEqual({ actionable: false, by: "U02AAA", at: LATER.toISOString() });
    expect(t.events[0]?.text).toContain("noise");
  });
  it("refuses the same answer again but takes a correction", () => {
    const noise = ok(answerActionable(resolved(), "U02AAA", false, LATER)).alert;
    expect(refused(answerActionable(noise, "U01AAA", false, LATER))).toContain("Already recorded as noise");
    expect(ok(answerActionable(noise, "U01AAA", true, LATER)).alert.answer?.actionable).toBe(true);
  });
  it("refuses before the alert is resolved", () => {
    expect(refused(answerActionable(alert(), "U02AAA", true, LATER))).toContain("Resolve the alert first");
  });
});

describe("escalationReason", () => {
  it("uses the chosen reason, with the person's words when given", () => {
    expect(escalationReason("runbook", null)).toEqual({ ok: true, reason: "The runbook is not enough" });
    expect(escalationReason("complex", "  db and cdn both  ")).toEqual({
      ok: true,
      reason: "The problem is complex: db and cdn both",
    });
    expect(escalationReason("other", "vendor outage")).toEqual({ ok: true, reason: "vendor outage" });
  });
  it("names the field to fix", () => {
    expect(escalationReason(null, "x")).toMatchObject({ ok: false, field: "reason" });
    expect(escalationReason("bogus", null)).toMatchObject({ ok: false, field: "reason" });
    expect(escalationReason("other", "  ")).toMatchObject({ ok: false, field: "detail" });
    expect(escalationReason("complex", "x".repeat(501))).toMatchObject({ ok: false, field: "detail" });
  });
});

describe("formatTeamTime", () => {
  const monday9 = new Date("2026-11-30T08:00:00Z");
  it("writes the team's local date and time and the reader's time", () => {
    expect(formatTeamTime(monday9, "Europe/Berlin", "Europe/Berlin")).toBe(
      "Mon 30 Nov, 09:00 Europe/Berlin (09:00 your time)",
    );
    expect(formatTeamTime(monday9, "Europe/Berlin", "Asia/Tokyo")).toBe(
      "Mon 30 Nov, 09:00 Europe/Berlin (17:00 your time)",
    );
  });
  it("adds the reader's date when it is another day for them", () => {
    expect(formatTeamTime(monday9, "Europe/Berlin", "Pacific/Honolulu")).toBe(
      "Mon 30 Nov, 09:00 Europe/Berlin (Sun 29 Nov, 22:00 your time)",
    );
  });
});
