// Incidents and postmortems through the running app: `/incident` slash commands, the postmortem
// modal (opened with a trigger, submitted as view_submission), the Markdown export, and the alert's
// "Declare incident" button with its modal. The clock is pinned at 2026-11-25 10:00 UTC.

import { describe, expect, it } from "vitest";
import type { RecordedCall } from "../../sandbox/slack-api";
import { incidentStore } from "../../src/features/incidents/store";
import { harnessPerTest } from "../support/e2e";
import { eventually, type Harness, slashCommand } from "../support/harness";
import { POSTMORTEM_FULL_TEXT } from "../support/incidents";
import { newTriggerId, type ViewStateValue, viewSubmissionBody } from "../support/slack-requests";
import { ephemeralTo, firingPayload, type PagedAlert, pageAlert, press, threadTexts } from "./alert-press";

const bot = harnessPerTest();

const slash = (
  hh: Harness,
  command: "/incident" | "/oncall",
  user: string,
  text: string,
  opts: { channel?: string; triggerId?: string } = {},
) => slashCommand(hh, command, user, text, { channel: "C0INCIDENTS", ...opts });

const incident = (hh: Harness, user: string, text: string, opts?: { channel?: string; triggerId?: string }) =>
  slash(hh, "/incident", user, text, opts);

const said = (c: RecordedCall) => `${String(c.args.text)}\n${JSON.stringify(c.args.blocks ?? [])}`;

function store(hh: Harness) {
  return incidentStore(hh.app.runtime.redis, hh.prefix);
}

/** The postmortem modal's state: each text input in a block of its own id, as Slack sends it. */
const textInputs = (
  texts: Readonly<Record<string, string>>,
): Record<string, Record<string, ViewStateValue>> =>
  Object.fromEntries(Object.entries(texts).map(([id, text]) => [id, { [id]: text }]));

const FULL_FORM: Record<string, Record<string, ViewStateValue>> = {
  ...textInputs({
    ...POSTMORTEM_FULL_TEXT,
    actionItems: "<@U01AAA>: run migrations before code\nPayments: canary for checkout",
    usersAffected: "1,200",
  }),
  owner: { owner: { type: "users_select", selected_user: "U02AAA" } },
  nearMiss: { nearMiss: { type: "checkboxes", selected_options: [] } },
};

function submitPostmortem(hh: Harness, user: string, incidentId: string, values = FULL_FORM) {
  return hh.slackPost(
    viewSubmissionBody({
      callbackId: "incident.postmortem",
      privateMetadata: JSON.stringify({ incidentId }),
      values,
      userId: user,
    }),
  );
}

describe("/incident declare, note, list and resolve", () => {
  it("declares an incident linking an alert, announces it, and notes it in the alert's thread", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const answer = await incident(h, "U01AAA", `declare Checkout fails for EU users sev1 ${page.id}`);
    expect(answer.args.response_type).toBe("in_channel");
    expect(answer.args.text).toBe("🔴 INC-1 declared (SEV1): Checkout fails for EU users");
    expect(said(answer)).toContain(`HighErrorRate (\`${page.id}\`)`);
    expect(h.slack.messages("C0INCIDENTS").map((m) => m.text)).toEqual([
      "🔴 INC-1 declared (SEV1): Checkout fails for EU users",
    ]);

    const stored = await store(h).get("INC-1");
    expect(stored).toMatchObject({
      id: "INC-1",
      title: "Checkout fails for EU users",
      severity: "sev1",
      status: "open",
      declaredBy: "U01AAA",
      owner: "U01AAA",
      alertIds: [page.id],
      declaredAt: "2026-11-25T10:00:00.000Z",
    });
    // Typed outside the page's channel: the page's channel hears about it too.
    await eventually(() =>
      h.slack
        .messages(page.channel)
        .some((m) => m.text === "🔴 INC-1 declared (SEV1): Checkout fails for EU users"),
    );
    await eventually(() =>
      threadTexts(h, page).includes("<@U01AAA> declared INC-1 (SEV1): Checkout fails for EU users"),
    );
    expect((await h.app.alerts.events(page.id)).map((e) => e.type)).toEqual(["opened", "note"]);
  });

  it("defaults the severity, says so, and numbers incidents in order", async () => {
    const h = await bot.start();
    const first = await incident(h, "U02AAA", "declare Search is slow");
    expect(first.args.text).toContain("INC-1 declared (SEV2): Search is slow");
    expect(first.args.text).toContain("Severity defaulted to SEV2");
    const second = await incident(h, "U02AAA", "declare Login flaky sev3");
    expect(second.args.text).toBe("🟡 INC-2 declared (SEV3): Login flaky");
  });

  it("refuses a declaration without a title or with an unknown alert, ephemerally with usage", async () => {
    const h = await bot.start();
    const empty = await incident(h, "U01AAA", "declare sev1");
    expect(empty.args.response_type).toBe("ephemeral");
    expect(empty.args.text).toContain("An incident needs a title");
    expect(empty.args.text).toContain("Usage: `/incident declare <title> [sev1|sev2|sev3] [alert id…]`");
    const unknown = await incident(h, "U01AAA", "declare Broken 0123456789abcdef-1");
    expect(unknown.args.text).toContain("No alert 0123456789abcdef-1 is known");
    expect(await store(h).recentIds(10)).toEqual([]);
  });

  it("adds notes, resolves, and lists open or all incidents with their postmortem status", async () => {
    const h = await bot.start();
    await incident(h, "U01AAA", "declare Checkout fails sev1");
    await incident(h, "U02AAA", "declare Search is slow sev3");

    const noted = await incident(h, "U02AAA", "note inc-1 rolled back to v41 at 10:20");
    expect(noted.args.text).toBe("Noted on INC-1's timeline (1 note).");
    expect((await store(h).get("INC-1"))?.notes).toEqual([
      { at: "2026-11-25T10:00:00.000Z", author: "U02AAA", text: "rolled back to v41 at 10:20" },
    ]);
    const noText = await incident(h, "U02AAA", "note INC-1");
    expect(noText.args.text).toContain("Write the note after the id");
    const noSuch = await incident(h, "U02AAA", "note INC-9 hello");
    expect(noSuch.args.text).toContain("There is no incident INC-9");

    h.clock.advance(47 * 60_000);
    const resolved = await incident(h, "U01AAA", "resolve INC-1");
    expect(resolved.args.response_type).toBe("in_channel");
    expect(resolved.args.text).toContain("INC-1 resolved after 47m");
    expect(resolved.args.text).toContain("/incident postmortem INC-1");
    const again = await incident(h, "U01AAA", "resolve INC-1");
    expect(again.args.response_type).toBe("ephemeral");
    expect(again.args.text).toBe("INC-1 is already resolved (by <@U01AAA>).");

    const open = said(await incident(h, "U01AAA", "list"));
    expect(open).toContain("*INC-2* Search is slow");
    expect(open).not.toContain("INC-1");
    const all = said(await incident(h, "U01AAA", "list all"));
    expect(all.indexOf("*INC-2*")).toBeLessThan(all.indexOf("*INC-1*"));
    expect(all).toContain("resolved after 47m");
    expect(all).toContain("⚠️ postmortem missing");
    expect(all).toContain("⏳ still open");
    const bad = await incident(h, "U01AAA", "list closed");
    expect(bad.args.text).toContain('Say "open" or "all"');
  });

  it("answers help and unknown subcommands with the list of subcommands", async () => {
    const h = await bot.start();
    const help = await incident(h, "U01AAA", "help");
    for (const sub of ["declare", "list", "note", "link", "resolve", "postmortem", "agenda"]) {
      expect(help.args.text).toContain(`/incident ${sub}`);
    }
    const unknown = await incident(h, "U01AAA", "frobnicate");
    expect(unknown.args.text).toContain("I don't know `/incident frobnicate`");
  });
});

describe("the postmortem", () => {
  async function declaredAndResolved(hh: Harness): Promise<PagedAlert> {
    const page = await pageAlert(hh);
    await press(hh, "alert.ack", page, "U02AAA");
    await eventually(async () => (await hh.app.alerts.get(page.id))?.state === "acked");
    hh.clock.advance(10 * 60_000);
    await incident(hh, "U01AAA", `declare Checkout fails for EU users sev1 ${page.id}`);
    hh.clock.advance(10 * 60_000);
    await incident(hh, "U02AAA", "note INC-1 rolling back to v41");
    hh.clock.advance(27 * 60_000);
    await incident(hh, "U01AAA", "resolve INC-1");
    return page;
  }

  it("opens the form with the trigger, prefilled, with an input for every template field", async () => {
    const h = await bot.start();
    await declaredAndResolved(h);
    const triggerId = newTriggerId();
    h.slack.registerTrigger(triggerId, "U01AAA");
    const answer = await incident(h, "U01AAA", "postmortem INC-1", { triggerId });
    expect(answer.args.text).toBe("The postmortem form for INC-1 is open.");
    const open = h.slack.callsTo("views.open").at(-1)!;
    expect(open.response.ok).toBe(true);
    expect(open.args.trigger_id).toBe(triggerId);
    const view = h.slack.views()[0]!;
    expect(view.userId).toBe("U01AAA");
    expect(view.view).toMatchObject({
      callback_id: "incident.postmortem",
      private_metadata: JSON.stringify({ incidentId: "INC-1", channel: "C0INCIDENTS" }),
      title: { text: "Postmortem INC-1" },
    });
    const inputs = (
      view.view.blocks as {
        type: string;
        block_id?: string;
        optional?: boolean;
        element?: Record<string, unknown>;
      }[]
    ).filter((b) => b.type === "input");
    expect(inputs.map((b) => b.block_id)).toEqual([
      "summary",
      "impactWho",
      "impactDuration",
      "trigger",
      "rootCauses",
      "resolution",
      "detection",
      "actionItems",
      "wentWell",
      "wentWrong",
      "gotLucky",
      "usersAffected",
      "owner",
      "nearMiss",
    ]);
    const byId = Object.fromEntries(inputs.map((b) => [b.block_id, b]));
    expect(byId.summary?.element).toMatchObject({ type: "plain_text_input", multiline: true });
    expect(byId.actionItems?.element).toMatchObject({ type: "plain_text_input", multiline: true });
    expect(byId.owner?.element).toMatchObject({ type: "users_select", initial_user: "U01AAA" });
    expect(byId.nearMiss?.element).toMatchObject({ type: "checkboxes" });
    expect(byId.wentWell?.optional).toBe(true);
    expect(byId.summary?.optional).toBeUndefined();
    // The incident ran from the page (10:00) to the resolution (10:47).
    expect(byId.impactDuration?.element?.initial_value).toBe(
      "47m (2026-11-25 10:00 UTC to 2026-11-25 10:47 UTC)",
    );
  });

  it("confirms the save where the form was asked for, below the answer that says it is open", async () => {
    const h = await bot.start();
    await declaredAndResolved(h);
    const triggerId = newTriggerId();
    h.slack.registerTrigger(triggerId, "U01AAA");
    await incident(h, "U01AAA", "postmortem INC-1", { triggerId });
    const view = h.slack.views()[0]!.view as { private_metadata: string };
    const res = await h.slackPost(
      viewSubmissionBody({
        callbackId: "incident.postmortem",
        privateMetadata: view.private_metadata,
        values: FULL_FORM,
        userId: "U01AAA",
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    const saved = await eventually(() =>
      h.slack
        .ephemerals("C0INCIDENTS", "U01AAA")
        .find((m) => m.text.startsWith("Postmortem for INC-1 saved")),
    );
    expect(saved.text).toBe(
      "Postmortem for INC-1 saved. `/incident postmortem INC-1 export` gives it as Markdown, timeline included; `/incident postmortem INC-1` edits it.",
    );
    // Said once, where it was asked for: no DM besides.
    expect(h.slack.messages(h.slack.dmChannel("U01AAA"))).toEqual([]);
  });

  it("refuses an incident that does not exist without opening anything", async () => {
    const h = await bot.start();
    const triggerId = newTriggerId();
    h.slack.registerTrigger(triggerId, "U01AAA");
    const answer = await incident(h, "U01AAA", "postmortem INC-4", { triggerId });
    expect(answer.args.text).toContain("There is no incident INC-4");
    expect(h.slack.callsTo("views.open")).toHaveLength(0);
  });

  it("answers problems next to the fields and stores nothing", async () => {
    const h = await bot.start();
    await declaredAndResolved(h);
    const res = await submitPostmortem(h, "U01AAA", "INC-1", {
      ...FULL_FORM,
      summary: { summary: "" },
      actionItems: { actionItems: "run migrations before code" },
      usersAffected: { usersAffected: "lots" },
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors).sort()).toEqual(["actionItems", "summary", "usersAffected"]);
    expect(body.errors.actionItems).toContain('Line 1 ("run migrations before code") needs an owner');
    expect(await store(h).postmortem("INC-1")).toBeNull();
  });

  it("stores a good submission with the incident's owner and users affected, and exports it as Markdown with the timeline", async () => {
    const h = await bot.start();
    const page = await declaredAndResolved(h);
    h.clock.set("2026-11-26T09:00:00Z");
    const res = await submitPostmortem(h, "U01AAA", "INC-1");
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    const pm = await store(h).postmortem("INC-1");
    expect(pm).toMatchObject({
      incidentId: "INC-1",
      summary: POSTMORTEM_FULL_TEXT.summary,
      nearMiss: false,
      actionItems: [
        { owner: "<@U01AAA>", text: "run migrations before code" },
        { owner: "Payments", text: "canary for checkout" },
      ],
      createdBy: "U01AAA",
      version: 1,
    });
    expect(await store(h).get("INC-1")).toMatchObject({ owner: "U02AAA", usersAffected: 1200 });
    await eventually(() =>
      h.slack
        .messages(h.slack.dmChannel("U01AAA"))
        .some((m) => m.text.startsWith("Postmortem for INC-1 saved")),
    );

    const exported = await incident(h, "U03AAA", "postmortem INC-1 export");
    expect(exported.args.response_type).toBe("ephemeral");
    const md = String(exported.args.text);
    expect(md.startsWith("```\n# INC-1: Checkout fails for EU users\n")).toBe(true);
    for (const part of [
      "| Severity | SEV1 |",
      "| Duration | 47m |",
      "| Users affected | 1200 |",
      "| Owner | @u02aaa |",
      `| Linked alerts | HighErrorRate (\`${page.id}\`) |`,
      "## Summary\n\nCheckout returned 500s for EU users.",
      "**Who:** EU shoppers could not pay.",
      "## Root causes\n\nThe config migration ran after the new code.",
      "- [ ] run migrations before code — owner: @u01aaa",
      "- [ ] canary for checkout — owner: Payments",
      "### Where we got lucky\n\nIt was a quiet Wednesday.",
    ]) {
      expect(md).toContain(part);
    }
    const timeline = md
      .slice(md.indexOf("## Timeline"))
      .split("\n")
      .filter((l) => l.startsWith("- **"));
    expect(timeline).toEqual([
      "- **2026-11-25 10:00:00 UTC** · HighErrorRate · Paged @u02aaa: 2 of 2 instances firing",
      "- **2026-11-25 10:00:00 UTC** · HighErrorRate · @u02aaa acknowledged",
      "- **2026-11-25 10:10:00 UTC** · INC-1 · @u01aaa declared INC-1 (SEV1): Checkout fails for EU users",
      "- **2026-11-25 10:20:00 UTC** · INC-1 · @u02aaa: rolling back to v41",
      "- **2026-11-25 10:47:00 UTC** · INC-1 · @u01aaa resolved INC-1",
    ]);

    // Editing keeps one postmortem, versioned; the near-miss flag is stored.
    await submitPostmortem(h, "U02AAA", "INC-1", {
      ...FULL_FORM,
      nearMiss: { nearMiss: { type: "checkboxes", selected_options: [{ value: "near_miss" }] } },
    });
    expect(await store(h).postmortem("INC-1")).toMatchObject({
      version: 2,
      nearMiss: true,
      createdBy: "U01AAA",
      updatedBy: "U02AAA",
    });
    expect(said(await incident(h, "U01AAA", "list all"))).toContain("✅ postmortem written");
  });

  it("refuses a postmortem saved by someone who may not handle the incident, and stores nothing", async () => {
    const h = await bot.start();
    await declaredAndResolved(h);
    // A correctly signed submission from someone in no rotation or team (a forged or stale form).
    const res = await submitPostmortem(h, "U0OUTSIDER", "INC-1");
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as { response_action: string; view: { blocks: unknown[] } };
    expect(body.response_action).toBe("update");
    expect(JSON.stringify(body.view.blocks)).toContain(
      "Only rotation participants and admins, members of Playback (the alerts' teams) may write this incident's postmortem.",
    );
    expect(await store(h).postmortem("INC-1")).toBeNull();
    expect((await store(h).get("INC-1"))?.usersAffected).toBeNull();
    // Opening the form is refused the same way.
    const triggerId = newTriggerId();
    h.slack.registerTrigger(triggerId, "U0OUTSIDER");
    const open = await incident(h, "U0OUTSIDER", "postmortem INC-1", { triggerId });
    expect(open.args.text).toContain("may write this incident's postmortem");
    expect(h.slack.callsTo("views.open")).toHaveLength(0);
  });

  it("says when there is nothing to export yet", async () => {
    const h = await bot.start();
    await incident(h, "U01AAA", "declare Checkout fails sev2");
    const answer = await incident(h, "U01AAA", "postmortem INC-1 export");
    expect(answer.args.text).toBe(
      "INC-1 has no postmortem yet. `/incident postmortem INC-1` opens the form.",
    );
  });
});

describe("the alert's Declare incident button", () => {
  function submitDeclare(
    hh: Harness,
    user: string,
    page: PagedAlert,
    values: Record<string, Record<string, ViewStateValue>>,
    viewId?: string,
  ) {
    return hh.slackPost(
      viewSubmissionBody({
        callbackId: "incident.declare",
        privateMetadata: JSON.stringify({ alertId: page.id, channel: page.channel }),
        values,
        userId: user,
        ...(viewId ? { viewId } : {}),
      }),
    );
  }

  const select = (value: string) => ({ type: "static_select", selected_option: { value } });

  it("refuses someone who may not act on the alert, and opens nothing", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    await press(h, "alert.incident", page, "U0OUTSIDER");
    await ephemeralTo(h, "U0OUTSIDER", "Only the participants and admins");
    expect(h.slack.callsTo("views.open")).toHaveLength(0);
    // The modal's submission checks again.
    const res = await submitDeclare(h, "U0OUTSIDER", page, {
      title: { title: "x" },
      severity: { severity: select("sev1") },
    });
    expect(JSON.parse(res.body)).toMatchObject({ response_action: "update" });
    expect(await store(h).recentIds(5)).toEqual([]);
  });

  it("escapes a typed title, so the announcement in the alert's channel pings nobody", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const res = await submitDeclare(h, "U01AAA", page, {
      title: { title: "<!channel> checkout & <@U0ADMIN>" },
      severity: { severity: select("sev2") },
    });
    expect(res.body).toBe("");
    const announced = await eventually(() =>
      h.slack.messages(page.channel).find((m) => m.text.includes("INC-1 declared")),
    );
    const shown = JSON.stringify([announced.text, announced.blocks]);
    expect(shown).not.toContain("<!channel>");
    expect(shown).not.toContain("<@U0ADMIN>");
    expect(shown).toContain("&lt;!channel&gt; checkout &amp; &lt;@U0ADMIN&gt;");
    await eventually(() =>
      threadTexts(h, page).some((t) => t.includes("&lt;!channel&gt;") && !t.includes("<!channel>")),
    );
  });

  it("opens a modal prefilled from the alert, declares the incident once, and links further alerts", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const triggerId = newTriggerId();
    h.slack.registerTrigger(triggerId, "U01AAA");
    await press(h, "alert.incident", page, "U01AAA", { triggerId });
    const open = await h.slack.waitFor((c) => c.method === "views.open");
    expect(open.response.ok).toBe(true);
    const view = open.args.view as {
      callback_id: string;
      blocks: { block_id?: string; element?: Record<string, unknown> }[];
    };
    expect(view.callback_id).toBe("incident.declare");
    const title = view.blocks.find((b) => b.block_id === "title");
    expect(String(title?.element?.initial_value)).toMatch(/^HighErrorRate: /);
    const severity = view.blocks.find((b) => b.block_id === "severity");
    expect(severity?.element).toMatchObject({ type: "static_select", initial_option: { value: "sev1" } });
    // No open incident yet: nothing to link to.
    expect(view.blocks.some((b) => b.block_id === "link")).toBe(false);

    const form = { title: { title: "Checkout 500s" }, severity: { severity: select("sev2") } };
    const res = await submitDeclare(h, "U01AAA", page, form, "V0DECLARE1");
    expect(res.status).toBe(200);
    expect(res.body).toBe("");
    expect(await store(h).get("INC-1")).toMatchObject({
      title: "Checkout 500s",
      severity: "sev2",
      alertIds: [page.id],
      declaredBy: "U01AAA",
    });
    await eventually(() =>
      h.slack.messages(page.channel).some((m) => m.text === "🟠 INC-1 declared (SEV2): Checkout 500s"),
    );
    await eventually(() => threadTexts(h, page).includes("<@U01AAA> declared INC-1 (SEV2): Checkout 500s"));

    // Slack delivering the same submission again declares nothing new.
    await submitDeclare(h, "U01AAA", page, form, "V0DECLARE1");
    expect(await store(h).recentIds(5)).toEqual(["INC-1"]);
    expect(h.slack.messages(page.channel).filter((m) => m.text.includes("declared"))).toHaveLength(1);

    // A second alert: the modal offers the open incident, and picking it links the alert.
    const other = await pageAlert(h, firingPayload("search-api"));
    const trigger2 = newTriggerId();
    h.slack.registerTrigger(trigger2, "U02AAA");
    await press(h, "alert.incident", other, "U02AAA", { triggerId: trigger2 });
    const open2 = await h.slack.waitFor((c) => c.method === "views.open" && c.args.trigger_id === trigger2);
    const link = (
      open2.args.view as { blocks: { block_id?: string; element?: { options?: { value: string }[] } }[] }
    ).blocks.find((b) => b.block_id === "link");
    expect(link?.element?.options?.map((o) => o.value)).toEqual(["INC-1"]);
    const linked = await submitDeclare(h, "U02AAA", other, {
      title: { title: "ignored" },
      severity: { severity: select("sev3") },
      link: { link: select("INC-1") },
    });
    expect(linked.body).toBe("");
    expect((await store(h).get("INC-1"))?.alertIds).toEqual([page.id, other.id]);
    expect(await store(h).recentIds(5)).toEqual(["INC-1"]);
    await eventually(() =>
      threadTexts(h, other).includes("<@U02AAA> linked this alert to INC-1 (SEV2): Checkout 500s"),
    );
    // Linking the same alert again is answered next to the field.
    const twice = await submitDeclare(h, "U02AAA", other, {
      title: { title: "ignored" },
      severity: { severity: select("sev3") },
      link: { link: select("INC-1") },
    });
    expect(JSON.parse(twice.body)).toEqual({
      response_action: "errors",
      errors: { link: "This alert is already linked to INC-1." },
    });
  });

  it("answers an empty title next to the field", async () => {
    const h = await bot.start();
    const page = await pageAlert(h);
    const res = await submitDeclare(h, "U01AAA", page, {
      title: { title: " " },
      severity: { severity: select("sev1") },
    });
    expect(JSON.parse(res.body)).toMatchObject({
      response_action: "errors",
      errors: { title: expect.stringContaining("needs a title") },
    });
  });
});

describe("/incident agenda and /oncall report", () => {
  it("show the same review on demand: incidents by impact with postmortem status, then the ops report", async () => {
    const h = await bot.start();
    await incident(h, "U01AAA", "declare Login flaky sev3");
    await incident(h, "U01AAA", "declare Checkout down sev1");
    await incident(h, "U01AAA", "resolve INC-2");
    const agenda = await incident(h, "U01AAA", "agenda");
    const report = await slash(h, "/oncall", "U01AAA", "report");
    expect(said(report)).toBe(said(agenda));
    const text = said(agenda);
    expect(text).toContain("Weekly incident review");
    expect(text.indexOf("*INC-2* Checkout down")).toBeLessThan(text.indexOf("*INC-1* Login flaky"));
    expect(text).toContain("*Missing postmortems* (1)");
    expect(text).toContain("`/incident postmortem INC-2`");
    // Since the last scheduled review (Monday 23 Nov 11:00 Berlin; the clock is Wednesday 10:00 UTC).
    expect(text).toContain("Ops review · last 2 days");
    expect(agenda.args.text).toContain(
      "Weekly incident review: 2 incidents (INC-2, INC-1), 0 near misses, postmortems missing for INC-2.",
    );
  });
});
