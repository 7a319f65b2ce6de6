// userTimeZone against Slack stand-ins on loopback: the fake Slack Web API, and for a profile
// without a time zone (which the fake never serves) a one-method server.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../../src/platform/metrics";
import { createSlackClient, SlackApi } from "../../../src/platform/slack/api";
import { userTimeZone } from "../../../src/platform/slack/users";
import { FakeSlack } from "../../support/fake-slack";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const apiAt = (url: string) => new SlackApi(createSlackClient("xoxb-test", url), createMetrics());

async function fakeSlack(users: { id: string; name: string; tz: string }[]): Promise<FakeSlack> {
  const slack = await FakeSlack.start({ users });
  closers.push(() => slack.close());
  return slack;
}

/** A Web API whose users.info answers a profile without `tz`, counting the calls. */
async function noZoneSlack(): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    calls++;
    req.resume();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ ok: true, user: { id: "U0NOZONE", name: "nozone" } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, calls: () => calls };
}

describe("userTimeZone", () => {
  it("answers the user's Slack zone and asks Slack once", async () => {
    const slack = await fakeSlack([{ id: "U01AAA", name: "a", tz: "America/New_York" }]);
    const api = apiAt(slack.url);
    expect(await userTimeZone(api, "U01AAA", "Europe/Berlin")).toBe("America/New_York");
    expect(await userTimeZone(api, "U01AAA", "UTC")).toBe("America/New_York");
    expect(slack.callsTo("users.info")).toHaveLength(1);
  });

  it("gives each caller its own fallback when the profile has no zone", async () => {
    const slack = await noZoneSlack();
    const api = apiAt(slack.url);
    expect(await userTimeZone(api, "U0NOZONE", "Europe/Berlin")).toBe("Europe/Berlin");
    // Before the fix the first caller's fallback was cached as the user's zone.
    expect(await userTimeZone(api, "U0NOZONE", "America/New_York")).toBe("America/New_York");
    expect(slack.calls()).toBe(1);
  });

  it("falls back when Slack fails and asks again next time", async () => {
    const slack = await fakeSlack([{ id: "U01AAA", name: "a", tz: "Asia/Tokyo" }]);
    slack.failNext("users.info", { error: "fatal_error" });
    const api = apiAt(slack.url);
    expect(await userTimeZone(api, "U01AAA", "Europe/Berlin")).toBe("Europe/Berlin");
    expect(await userTimeZone(api, "U01AAA", "Europe/Berlin")).toBe("Asia/Tokyo");
    expect(slack.callsTo("users.info")).toHaveLength(2);
  });

  it("keeps one client's answers from another's (two workspaces, or two apps in one process)", async () => {
    const a = await fakeSlack([{ id: "U01AAA", name: "a", tz: "Asia/Tokyo" }]);
    const b = await fakeSlack([{ id: "U01AAA", name: "a", tz: "America/Chicago" }]);
    expect(await userTimeZone(apiAt(a.url), "U01AAA", "UTC")).toBe("Asia/Tokyo");
    expect(await userTimeZone(apiAt(b.url), "U01AAA", "UTC")).toBe("America/Chicago");
  });
});
