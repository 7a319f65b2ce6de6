// The App Home tab: a signed `app_home_opened` event makes the bot publish the viewer's Home with
// who is on call, their next shift and their alerts; it is republished when their alerts change.
// On 2026-11-25 U02AAA (Search) is on call; then U03AAA (Payments) from Nov 30, U01AAA from Dec 7.

import { describe, expect, it } from "vitest";
import { addOverride, fireGeneric, harnessPerTest } from "../support/e2e";
import { eventually, type Harness, SIGNING_SECRET } from "../support/harness";
import { settled } from "../support/settled";
import { appHomeOpenedBody, postToSlackEndpoint } from "../support/slack-requests";

const bot = harnessPerTest();

async function openHome(hh: Harness, user: string): Promise<string> {
  const seen = publishes(hh, user).length;
  const body = appHomeOpenedBody({ userId: user, channelId: hh.slack.dmChannel(user) });
  const res = await postToSlackEndpoint(hh.app.url, body, { secret: SIGNING_SECRET, json: true });
  expect(res.status).toBe(200);
  const call = await eventually(() => publishes(hh, user)[seen], 8_000, `the Home tab of ${user}`);
  expect(call.response.ok).toBe(true);
  return JSON.stringify(call.args.view);
}

const publishes = (hh: Harness, user: string) =>
  hh.slack.callsTo("views.publish").filter((c) => c.args.user_id === user);

const fire = (hh: Harness, name: string, job: string) => fireGeneric(hh, name, { job }, { annotations: {} });

describe("App Home", () => {
  it("shows the engineer on call their shift and their alerts, linked to the pages", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const id = await fire(h, "HighErrorRate", "stream-api");
    await eventually(async () => (await h.app.delivery.get(id)).ts, 8_000, "the page");
    const home = await openHome(h, "U02AAA");
    expect(JSON.parse(home)).toMatchObject({ type: "home" });
    expect(home).toContain("On call now: <@U02AAA> (Search) until <!date^1796029200^");
    expect(home).toContain("Next: <@U03AAA> (Payments)");
    expect(home).toContain("*You are on call now* in Merged on-call for Search");
    expect(home).toContain("|HighErrorRate>* · stream-api (Playback) · firing since");
    expect(home).toContain("/archives/C0ONCALL/p");
    expect(h.slack.homeTabs("U02AAA")?.view.type).toBe("home");
  });

  it("shows everyone else their next shift and no alerts, and says so when they have no shift", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    await fire(h, "HighErrorRate", "stream-api");
    const alice = await openHome(h, "U01AAA");
    expect(alice).toContain("On call now: <@U02AAA> (Search)");
    // Mon 7 Dec 10:00 Berlin to Mon 14 Dec 10:00.
    expect(alice).toContain("Merged on-call for Playback: from <!date^1796634000^");
    expect(alice).toContain("to <!date^1797238800^");
    expect(alice).toContain("No open alerts are assigned to you.");
    const outsider = await openHome(h, "U0OUTSIDER");
    expect(outsider).toContain("You have no shift in the next 26 weeks.");
  });

  it("shows an override as the viewer's shift", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    await addOverride(h, "U01BBB", "2026-11-26T17:00:00Z", "2026-11-27T07:00:00Z");
    const home = await openHome(h, "U01BBB");
    expect(home).toContain("(override `1` for <@U02AAA>)");
    expect(home).toContain("Merged on-call for Search: from <!date^1795712400^");
  });

  it("republishes the Home of a viewer when an alert comes to them, and of nobody who never looked", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const first = await openHome(h, "U02AAA");
    expect(first).toContain("No open alerts are assigned to you.");
    await fire(h, "SearchLatencyHigh", "search-api");
    const again = await eventually(
      () => publishes(h, "U02AAA")[1],
      8_000,
      "the Home tab republished after the alert",
    );
    expect(JSON.stringify(again.args.view)).toContain("SearchLatencyHigh");
    await settled(h);
    expect(publishes(h, "U02AAA")).toHaveLength(2);
    expect(h.slack.callsTo("views.publish").filter((c) => c.args.user_id !== "U02AAA")).toEqual([]);
  });
});
