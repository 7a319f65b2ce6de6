// What the public listener gives away: the calendar only at its secret address (shown to the
// rotation's own people by `/oncall schedule`), /metrics on METRICS_PORT or behind METRICS_TOKEN,
// and `/oncall noise|load` ranges capped so one command cannot pull a year of alerts into memory.

import { describe, expect, it } from "vitest";
import type { RecordedCall } from "../../sandbox/slack-api";
import { calendarToken } from "../../src/features/rotation/calendar";
import { harnessPerTest } from "../support/e2e";
import { type Harness, slashCommand } from "../support/harness";

const bot = harnessPerTest();
const said = (c: RecordedCall) => `${String(c.args.text)}\n${JSON.stringify(c.args.blocks ?? [])}`;
const oncall = (h: Harness, user: string, text: string) =>
  slashCommand(h, "/oncall", user, text, { channel: "C0ONCALL" });

describe("the calendar's secret address", () => {
  it("answers 404 naming no rotation without the token or with a wrong one", async () => {
    const h = await bot.start();
    for (const path of [
      "/calendar/merged.ics",
      "/calendar/merged.ics?token=0123456789abcdef0123456789abcdef",
      "/calendar/nosuch.ics",
    ]) {
      const res = await fetch(`${h.app.url}${path}`);
      expect(res.status, path).toBe(404);
      const body = await res.text();
      expect(body).not.toContain("merged");
      expect(body).not.toContain("BEGIN:VCALENDAR");
    }
  });

  it("serves the feed with the right token", async () => {
    const h = await bot.start();
    const res = await fetch(`${h.app.url}/calendar/merged.ics?token=${calendarToken(h.settings, "merged")}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("BEGIN:VCALENDAR");
  });

  it("keys the token with CALENDAR_SECRET when set", async () => {
    const h = await bot.start({ settings: { calendarSecret: "calendar-secret-0123456789" } });
    const bySigning = calendarToken({ ...h.settings, calendarSecret: null }, "merged");
    const byOwn = calendarToken(h.settings, "merged");
    expect(byOwn).not.toBe(bySigning);
    expect((await fetch(`${h.app.url}/calendar/merged.ics?token=${bySigning}`)).status).toBe(404);
    expect((await fetch(`${h.app.url}/calendar/merged.ics?token=${byOwn}`)).status).toBe(200);
  });

  it("is shown by /oncall schedule to a rotation member, ephemerally, and not to an outsider", async () => {
    const h = await bot.start();
    const token = calendarToken(h.settings, "merged");
    const member = await oncall(h, "U01AAA", "schedule");
    expect(member.args.response_type).toBe("ephemeral");
    expect(said(member)).toContain(`/calendar/merged.ics?token=${token}`);
    const outsider = await oncall(h, "U0OUTSIDER", "schedule");
    expect(said(outsider)).toContain("Merged on-call");
    expect(said(outsider)).not.toContain(token);
    expect(said(outsider)).not.toContain("token=");
  });
});

describe("/metrics exposure", () => {
  it("is served on METRICS_PORT and answers 404 on the public port then", async () => {
    const h = await bot.start({ settings: { metricsPort: 0 } });
    expect(h.app.metricsUrl).not.toBe("");
    const internal = await fetch(`${h.app.metricsUrl}/metrics`);
    expect(internal.status).toBe(200);
    expect(await internal.text()).toContain("# TYPE");
    const pub = await fetch(`${h.app.url}/metrics`);
    expect(pub.status).toBe(404);
    expect(await pub.text()).not.toContain("# TYPE");
    // The internal listener serves nothing else.
    expect((await fetch(`${h.app.metricsUrl}/slack/events`)).status).toBe(404);
  });

  it("refuses a scrape without the METRICS_TOKEN bearer with 401, serves it with", async () => {
    const token = "metrics-token-0123456789abcdef";
    const h = await bot.start({ settings: { metricsToken: token } });
    const none = await fetch(`${h.app.url}/metrics`);
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain("# TYPE");
    const wrong = await fetch(`${h.app.url}/metrics`, { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${h.app.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain("# TYPE");
  });
});

describe("/oncall noise and load ranges", () => {
  it.each([
    ["90 days of noise", "noise 366", "between 1 and 90, got 366", "noise 90", "90 days"],
    ["12 weeks of load", "load search 52", "between 1 and 12, got 52", "load search 12", "12 weeks"],
  ])(
    "refuses more than %s, naming the maximum and what to type, and serves the maximum",
    async (_, tooMuch, range, most, served) => {
      const h = await bot.start();
      const big = await oncall(h, "U01AAA", tooMuch);
      expect(big.args.response_type).toBe("ephemeral");
      expect(String(big.args.text)).toContain(range);
      expect(String(big.args.text)).toContain(`/oncall ${most}`);
      const max = await oncall(h, "U01AAA", most);
      expect(String(max.args.text)).not.toContain("must be");
      expect(said(max)).toContain(served);
    },
  );
});
