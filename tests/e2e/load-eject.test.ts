// `/oncall noise`, `/oncall load`, `/oncall eject`, `/oncall readmit` and the weekly ops report,
// through signed slash commands on the real app, with real Redis and BullMQ.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acknowledge, answerActionable, resolveByHand } from "../../src/core/alert-actions";
import { shiftAt } from "../../src/core/rotation";
import { opsReport } from "../../src/features/incidents/ops-report";
import { fireGeneric, harnessPerTest } from "../support/e2e";
import { eventually, type Harness, isDmPost, ORG_DIR, slashCommand } from "../support/harness";
import { slashCommandBody } from "../support/slack-requests";

const MIN = 60_000;
const PAGE_EVENT = "oncall_page";

const bot = harnessPerTest();

const command = (hh: Harness, user: string, text: string, channel = "C0ONCALL") =>
  slashCommand(hh, "/oncall", user, text, { channel });

/** Top-level pages (not notices) posted in a channel. */
const pages = (hh: Harness, channel: string) =>
  hh.slack.messages(channel).filter((m) => m.metadata?.event_type === PAGE_EVENT);

/** Ejection and readmission notices (other features may post in the same channels). */
const notices = (hh: Harness, channel: string) =>
  hh.slack
    .messages(channel)
    .filter((m) => m.metadata?.event_type !== PAGE_EVENT && !m.threadTs && /^(⏏|↩)/.test(m.text));

const fire = (
  hh: Harness,
  name: string,
  labels: Record<string, string>,
  status: "firing" | "resolved" = "firing",
) => fireGeneric(hh, name, labels, { status });

describe("/oncall eject and readmit", () => {
  it("sends the ejected team's next page to its own channel and members, and back to the rotation after readmit", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const answer = await command(h, "U0ADMIN", "eject playback 31 pages a week for a month");
    expect(answer.args.response_type).toBe("ephemeral");
    expect(answer.args.text).toContain("Ejected Playback from Merged on-call");

    const [ejection] = await h.app.rotationState.ejections();
    expect(ejection).toEqual({
      teamId: "playback",
      by: "U0ADMIN",
      at: "2026-11-25T10:00:00.000Z",
      reason: "31 pages a week for a month",
    });
    expect(notices(h, "C0ONCALL").map((m) => m.text)).toEqual([
      "⏏ Playback is ejected from Merged on-call by <@U0ADMIN>: 31 pages a week for a month. Its alerts now go to <#C0PLAYBACK> and its members.",
    ]);
    expect(notices(h, "C0PLAYBACK")[0]?.text).toContain(
      "its alerts page this channel and every member of Playback",
    );

    const ejectedId = await fire(h, "HighErrorRate", { job: "stream-api", instance: "a" });
    await eventually(() => pages(h, "C0PLAYBACK").length === 1);
    const teamPage = JSON.stringify(pages(h, "C0PLAYBACK")[0]!.blocks);
    expect(teamPage).toContain("Team Playback: <@U01AAA> <@U01BBB> <@U01CCC>");
    expect((await h.app.alerts.get(ejectedId))?.route).toMatchObject({
      ejected: true,
      channel: "C0PLAYBACK",
    });
    expect(pages(h, "C0ONCALL")).toHaveLength(0);

    const back = await command(h, "U0ADMIN", "readmit playback");
    expect(back.args.text).toContain("Readmitted Playback to Merged on-call");
    expect(await h.app.rotationState.ejections()).toEqual([]);
    expect(notices(h, "C0ONCALL").at(-1)?.text).toBe(
      "↩ Playback is readmitted to Merged on-call by <@U0ADMIN>. Its alerts page this rotation again.",
    );

    const readmittedId = await fire(h, "HighErrorRate", { job: "stream-api", instance: "b" });
    await eventually(() => pages(h, "C0ONCALL").length === 1);
    expect(JSON.stringify(pages(h, "C0ONCALL")[0]!.blocks)).toContain("On call: <@U02AAA>");
    expect((await h.app.alerts.get(readmittedId))?.route).toMatchObject({
      ejected: false,
      channel: "C0ONCALL",
    });
    expect(pages(h, "C0PLAYBACK")).toHaveLength(1);
  });

  it("skips the ejected team's participant in the rotation: the next page goes to the next engineer", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const rotation = h.config.rotations[0]!;
    const now = h.clock.now();
    expect(shiftAt(rotation, now, await h.app.rotationState.routingState())?.user).toBe("U02AAA");

    await command(h, "U0ADMIN", "eject search too many SearchLatencyHigh pages");
    expect(shiftAt(rotation, now, await h.app.rotationState.routingState())?.user).toBe("U03AAA");
    expect(notices(h, "C0ONCALL")[0]?.text).toContain("<@U03AAA> is now on call instead of <@U02AAA>.");

    const id = await fire(h, "CheckoutErrors", { job: "checkout" });
    await eventually(() => pages(h, "C0ONCALL").length === 1);
    expect((await h.app.alerts.get(id))?.route.oncallUser).toBe("U03AAA");
    expect(JSON.stringify(pages(h, "C0ONCALL")[0]!.blocks)).toContain("On call: <@U03AAA>");
    await h.slack.waitFor((c) => isDmPost(c, "U03AAA") && c.response.ok);

    await command(h, "U0ADMIN", "readmit search");
    expect(shiftAt(rotation, now, await h.app.rotationState.routingState())?.user).toBe("U02AAA");
    expect(notices(h, "C0ONCALL").at(-1)?.text).toContain("<@U02AAA> is now on call instead of <@U03AAA>.");
  });

  it("refuses non-admins ephemerally, naming who may, and changes nothing", async () => {
    const h = await bot.start();
    for (const user of ["U01AAA", "U0OUTSIDER"]) {
      const refused = await command(h, user, "eject playback too noisy");
      expect(refused.args.response_type).toBe("ephemeral");
      expect(refused.args.text).toBe(
        "Only rotation admins may eject Playback. Ask one of them (Merged on-call: <@U0ADMIN>).",
      );
    }
    expect(await h.app.rotationState.ejections()).toEqual([]);

    await command(h, "U0ADMIN", "eject playback too noisy");
    const refused = await command(h, "U02AAA", "readmit playback");
    expect(refused.args.text).toBe(
      "Only rotation admins may readmit Playback. Ask one of them (Merged on-call: <@U0ADMIN>).",
    );
    expect((await h.app.rotationState.ejections()).map((e) => e.teamId)).toEqual(["playback"]);
    // Only the admin's eject was announced.
    expect(notices(h, "C0ONCALL")).toHaveLength(1);
    expect(h.slack.ephemerals("C0ONCALL", "U02AAA").map((e) => e.via)).toEqual(["response_url"]);
  });

  it("explains a missing reason, an unknown team, a second eject and a readmit of a team that is in", async () => {
    const h = await bot.start();
    const noReason = await command(h, "U0ADMIN", "eject playback");
    expect(noReason.args.text).toContain("Say why Playback is ejected");
    expect(noReason.args.text).toContain("Usage: `/oncall eject <team> <reason…>`");
    const unknown = await command(h, "U0ADMIN", "eject video because");
    expect(unknown.args.text).toContain('There is no team "video". Teams: playback, search, payments.');
    const noTeam = await command(h, "U0ADMIN", "readmit");
    expect(noTeam.args.text).toContain("Name the team to readmit");
    expect(await h.app.rotationState.ejections()).toEqual([]);

    const notEjected = await command(h, "U0ADMIN", "readmit search");
    expect(notEjected.args.text).toBe("Search is not ejected: its alerts already page Merged on-call.");

    await command(h, "U0ADMIN", "eject Playback flapping HighErrorRate");
    const again = await command(h, "U0ADMIN", "eject <#C0PLAYBACK|playback> still noisy");
    expect(again.args.text).toBe(
      "Playback is already ejected (by <@U0ADMIN> on 2026-11-25: flapping HighErrorRate). `/oncall readmit playback` brings it back.",
    );
    expect((await h.app.rotationState.ejections())[0]?.reason).toBe("flapping HighErrorRate");

    await command(h, "U0ADMIN", "eject search second");
    const last = await command(h, "U0ADMIN", "eject payments third");
    expect(last.args.text).toBe(
      "Payments is the last team left in Merged on-call; ejecting it would leave nobody on call there. Readmit another team first.",
    );
    expect((await h.app.rotationState.ejections()).map((e) => e.teamId).sort()).toEqual([
      "playback",
      "search",
    ]);
  });

  it("refuses one of three racing ejects of a three-team rotation: somebody stays on call", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z" });
    const teams = ["playback", "search", "payments"];
    await Promise.all(teams.map((t) => h.slackPost(slashCommandBody(ejectRequest(h, t)))));
    const answers = await eventually(() => {
      const all = h.slack.callsTo("response_url");
      return all.length >= teams.length ? all : undefined;
    });
    expect(answers.map((a) => a.args.response_type)).toEqual(["ephemeral", "ephemeral", "ephemeral"]);
    const texts = answers.map((a) => String(a.args.text));
    expect(texts.filter((t) => t.startsWith("Ejected "))).toHaveLength(2);
    const refused = texts.filter((t) => t.includes("is the last team left in Merged on-call"));
    expect(refused).toHaveLength(1);
    const kept = h.config.teams.find((t) => refused[0]!.startsWith(`${t.name} is the last team`))!;
    expect(refused[0]).toBe(
      `${kept.name} is the last team left in Merged on-call; ejecting it would leave nobody on call there. Readmit another team first.`,
    );
    expect((await h.app.rotationState.ejections()).map((e) => e.teamId).sort()).toEqual(
      teams.filter((t) => t !== kept.id).sort(),
    );
    const state = await h.app.rotationState.routingState();
    expect(shiftAt(h.config.rotations[0]!, h.clock.now(), state)).not.toBeNull();
    expect(notices(h, "C0ONCALL")).toHaveLength(2);
  });
});

/** A signed `/oncall eject <team>` by the rotation admin, answered on its own response URL. */
function ejectRequest(hh: Harness, team: string) {
  return {
    command: "/oncall",
    text: `eject ${team} racing the others`,
    userId: "U0ADMIN",
    channelId: "C0ONCALL",
    responseUrl: hh.slack.responseUrl({ channel: "C0ONCALL", user: "U0ADMIN" }),
  };
}

describe("/oncall noise, /oncall load and the ops report", () => {
  let configDir: string;
  beforeAll(() => {
    // The example org with a small load limit, so three pages make a team eligible for ejection.
    configDir = mkdtempSync(join(tmpdir(), "oncall-load-"));
    cpSync(ORG_DIR, configDir, { recursive: true });
    const file = join(configDir, "schedules", "rotations", "merged.yaml");
    const yaml = readFileSync(file, "utf8");
    expect(yaml).toContain("load_limits: { pages_per_week: 20, window: 4w }");
    writeFileSync(
      file,
      yaml.replace(
        "load_limits: { pages_per_week: 20, window: 4w }",
        "load_limits: { pages_per_week: 1, window: 1w }",
      ),
    );
  });
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));

  /** Wed 25 Nov 2026, 11:00 in Berlin: playback's HighErrorRate flaps, search's alert is actionable. */
  async function produceData(hh: Harness) {
    const x = { job: "stream-api", instance: "stream-api-1" };
    const first = await fire(hh, "HighErrorRate", x);
    hh.clock.advance(5 * MIN);
    await fire(hh, "HighErrorRate", x, "resolved");
    hh.clock.advance(15 * MIN);
    const second = await fire(hh, "HighErrorRate", x);
    expect(second).not.toBe(first);
    hh.clock.advance(2 * MIN);
    expect((await hh.app.alerts.update(second, (a) => acknowledge(a, "U02AAA", hh.clock.now()))).ok).toBe(
      true,
    );
    hh.clock.advance(8 * MIN);
    expect((await hh.app.alerts.update(second, (a) => resolveByHand(a, "U02AAA", hh.clock.now()))).ok).toBe(
      true,
    );
    expect(
      (await hh.app.alerts.update(second, (a) => answerActionable(a, "U02AAA", false, hh.clock.now()))).ok,
    ).toBe(true);

    hh.clock.advance(10 * MIN);
    const search = await fire(hh, "SearchLatencyHigh", { job: "search-api" });
    hh.clock.advance(4 * MIN);
    await hh.app.alerts.update(search, (a) => acknowledge(a, "U02AAA", hh.clock.now()));
    hh.clock.advance(6 * MIN);
    await hh.app.alerts.update(search, (a) => resolveByHand(a, "U02AAA", hh.clock.now()));
    await hh.app.alerts.update(search, (a) => answerActionable(a, "U02AAA", true, hh.clock.now()));
    hh.clock.advance(10 * MIN);
  }

  it("lists the noisiest alerts with every figure and marks the worst fix or delete", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z", configDir });
    await produceData(h);
    const reply = await command(h, "U01AAA", "noise");
    expect(reply.args.response_type).toBe("ephemeral");
    const blocks = JSON.stringify(reply.args.blocks);
    expect(blocks).toContain("Noisiest alerts · last 28 days");
    expect(blocks).toContain("*1. HighErrorRate* · Playback — 🗑 *fix or delete*");
    expect(blocks).toContain(
      "2 noisy pages of 2 fired · 1 acknowledged · 1 answered noise · 0 actionable · 1 resolved by itself · 1 flapping · median time to acknowledge 2m",
    );
    expect(blocks).toContain("*2. SearchLatencyHigh* · Search\\n");
    expect(blocks).toContain(
      "0 noisy pages of 1 fired · 1 acknowledged · 0 answered noise · 1 actionable · 0 resolved by itself · 0 flapping · median time to acknowledge 4m",
    );
    expect(reply.args.text).toBe(
      "Noisiest alerts, last 28 days: HighErrorRate (Playback): 2 noisy of 2, fix or delete",
    );

    // A day's window that ends before the data: nothing fired.
    h.clock.advance(2 * 24 * 60 * MIN);
    const empty = await command(h, "U01AAA", "noise 1");
    expect(empty.args.text).toBe("No alert fired in the last 1 day.");
    const bad = await command(h, "U01AAA", "noise lots");
    expect(bad.args.text).toContain('The number of days must be a whole number, got "lots".');
    expect(bad.args.text).toContain("Usage: `/oncall noise [days]`");
  });

  it("shows a team's load against the limit and marks it eligible for ejection", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z", configDir });
    await produceData(h);
    const reply = await command(h, "U01AAA", "load playback");
    const blocks = JSON.stringify(reply.args.blocks);
    expect(blocks).toContain("Ops load · last 1 week");
    expect(blocks).toContain("*Playback* — 🚩 over its load limit: eligible for ejection");
    expect(blocks).toContain(
      "2 pages in 1 week (2/week) · 0 outside its workday · 0 hand-offs · 0 escalations received",
    );
    // Acknowledged after 2 minutes; resolved after 5 (by itself) and 10 minutes.
    expect(blocks).toContain("Acknowledged in 2m (median) · page to resolve 8m median, 10m p90");
    expect(blocks).toContain("Limit 1/week over 1 week (Merged on-call): 2 → 2/week *over the limit*");
    expect(blocks).not.toContain("*Search*");
    expect(reply.args.text).toBe("Ops load, last 1 week: Playback 2 (eligible for ejection)");

    const all = await command(h, "U01AAA", "load 2");
    const allBlocks = JSON.stringify(all.args.blocks);
    expect(allBlocks).toContain("Ops load · last 2 weeks");
    expect(allBlocks).toContain("*Search*\\n1 page in 2 weeks (0.5/week)");
    expect(allBlocks).toContain("*Payments*\\n0 pages");
    const bad = await command(h, "U01AAA", "load playback 0");
    expect(bad.args.text).toContain("The number of weeks must be between 1 and 12, got 0.");
  });

  it("builds the weekly ops report: pages per team, medians, noisy alerts, teams over their limit", async () => {
    const h = await bot.start({ now: "2026-11-25T10:00:00Z", configDir });
    await produceData(h);
    await h.app.rotationState.eject(
      {
        teamId: "payments",
        by: "U0ADMIN",
        at: "2026-11-20T09:00:00.000Z",
        reason: "quiet week",
      },
      h.config.rotations,
    );
    const report = await opsReport(h.app.runtime, h.clock.now());
    const blocks = JSON.stringify(report.blocks);
    expect(blocks).toContain("Ops review · last 7 days");
    expect(blocks).toContain(
      "• *Playback*: 2 pages (0 outside its workday) · acknowledged in 2m · resolved in 8m",
    );
    expect(blocks).toContain(
      "• *Search*: 1 page (0 outside its workday) · acknowledged in 4m · resolved in 10m",
    );
    expect(blocks).toContain(
      "1. *HighErrorRate* · Playback: 2 noisy of 2 fired (1 answered noise, 1 resolved by itself, 1 flapping) — 🗑 *fix or delete*",
    );
    expect(blocks).toContain(
      "🚩 *Playback*: 2 pages/week over 1 week against a limit of 1 — eligible for ejection from Merged on-call",
    );
    expect(blocks).toContain("⏏ *Payments* is ejected since 2026-11-20 (by <@U0ADMIN>: quiet week)");
    expect(report.text).toBe(
      "Ops review, last 7 days: 3 pages in all · acknowledged in 3m · resolved in 10m (medians). Fix or delete: HighErrorRate. Eligible for ejection: Playback.",
    );
  });
});
