// `/incident declare|list|note|link|resolve|postmortem|agenda` and `/oncall report`, plus the
// feature that wires the incident modals and the alert's "Declare incident" button.

import { parseAlertId } from "../../core/alert";
import { type CommandContext, type CommandReply, UsageError } from "../../platform/slack/commands";
import { escapeMrkdwn } from "../../platform/slack/kit";
import type { Feature, Runtime } from "../../runtime";
import { incidentDeclaredMessage, incidentListMessage, incidentResolvedText } from "./blocks";
import { announce, declareWithAlerts, linkAlertTo, registerIncidentButton } from "./buttons";
import {
  addNote,
  DEFAULT_SEVERITY,
  type Incident,
  parseIncidentId,
  parseSeverity,
  postmortemStatus,
  resolveIncident,
  SEVERITY_LABEL,
  type Severity,
  titleProblem,
} from "./incident";
import { type AlertTimeline, incidentTimeline, postmortemMarkdown } from "./postmortem";
import { openPostmortem, registerPostmortemView } from "./postmortem-modal";
import { reviewContent } from "./review";
import { defaultSeverity, mayHandleIncident } from "./rules";
import { incidentStore } from "./store";

const LIST_LIMIT = 50;
/** Slack cuts a message's text at 40,000 characters. */
const MAX_EXPORT = 38_000;
const MAX_NAME_LOOKUPS = 40;

function incidentArg(ctx: CommandContext, what: string): string {
  const raw = ctx.args[0];
  if (!raw) throw new UsageError(`Which incident? Give its id (e.g. INC-3) ${what}.`);
  const id = parseIncidentId(raw);
  if (!id) throw new UsageError(`"${raw}" is not an incident id; they look like INC-3.`);
  return id;
}

/** Severity and alert ids may follow the title; the title is everything before them. */
export function parseDeclare(args: readonly string[]): {
  title: string;
  severity: Severity | null;
  alertIds: string[];
} {
  const words = [...args];
  let severity: Severity | null = null;
  const alertIds: string[] = [];
  for (;;) {
    const last = words.at(-1);
    if (last === undefined) break;
    const sev = parseSeverity(last);
    if (sev && !severity) severity = sev;
    else if (parseAlertId(last)) alertIds.unshift(last);
    else break;
    words.pop();
  }
  return { title: words.join(" "), severity, alertIds };
}

/** Why `user` may not change incident `id`, or null: the same rule as declaring, on its alerts. */
async function incidentRefusal(rt: Runtime, id: string, user: string, what: string): Promise<string | null> {
  const incident = await incidentStore(rt.redis, rt.prefix).get(id);
  if (!incident) return null; // the update names the unknown id
  const may = mayHandleIncident(rt.config, await rt.alerts.getMany(incident.alertIds), user, what);
  return may.ok ? null : may.text;
}

async function declare(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const { title, severity, alertIds } = parseDeclare(ctx.args);
  const problem = titleProblem(title);
  if (problem) throw new UsageError(problem);
  const alerts = await rt.alerts.getMany(alertIds);
  const unknown = alertIds.filter((id) => !alerts.some((a) => a.id === id));
  if (unknown.length) {
    throw new UsageError(
      `No alert ${unknown.join(", ")} is known. Alert ids are on the page's buttons and in /oncall.`,
    );
  }
  const may = mayHandleIncident(rt.config, alerts, ctx.userId, "declare an incident");
  if (!may.ok) return { text: may.text };
  const chosen = severity ? null : defaultSeverity(alerts, rt.config);
  const { incident } = await declareWithAlerts(rt, {
    title,
    severity: severity ?? chosen?.severity ?? DEFAULT_SEVERITY,
    user: ctx.userId,
    alerts,
  });
  // The pages' channels hear about it too, unless the command was typed there.
  const channels = new Set<string>();
  for (const a of alerts) {
    const page = await rt.delivery.get(a.id);
    const channel = page.channel ?? a.route.channel;
    if (channel !== ctx.channelId) channels.add(channel);
  }
  for (const channel of channels) await announce(rt, channel, incident, alerts);
  const msg = incidentDeclaredMessage(
    incident,
    alerts.map((a) => ({ id: a.id, name: a.name })),
  );
  const defaulted = chosen
    ? ` Severity defaulted to ${SEVERITY_LABEL[chosen.severity]}${chosen.from ? ` (from ${escapeMrkdwn(chosen.from)})` : ""}; declare with sev1, sev2 or sev3 at the end to choose.`
    : "";
  return { text: `${msg.text}${defaulted}`, blocks: msg.blocks, inChannel: true };
}

async function list(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const filter = (ctx.args[0] ?? "open").toLowerCase();
  if (filter !== "open" && filter !== "all")
    throw new UsageError(`Say "open" or "all", not "${ctx.args[0]}".`);
  const store = incidentStore(rt.redis, rt.prefix);
  const incidents =
    filter === "open" ? await store.openIncidents() : await store.getMany(await store.recentIds(LIST_LIMIT));
  const pms = await store.postmortems(incidents.map((i) => i.id));
  const items = incidents.map((incident) => ({
    incident,
    postmortem: postmortemStatus(incident, pms.has(incident.id)),
  }));
  return incidentListMessage(items, filter, rt.now(), LIST_LIMIT);
}

async function note(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const id = incidentArg(ctx, "and then the note");
  const refused = await incidentRefusal(rt, id, ctx.userId, "write in this incident");
  if (refused) return { text: refused };
  const text = ctx.rest.slice((ctx.args[0] ?? "").length).trim();
  const res = await incidentStore(rt.redis, rt.prefix).update(id, (i) =>
    addNote(i, ctx.userId, text, rt.now()),
  );
  if (!res.ok) return { text: res.reason };
  return {
    text: `Noted on ${id}'s timeline (${res.incident.notes.length} note${res.incident.notes.length === 1 ? "" : "s"}).`,
  };
}

async function link(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const id = incidentArg(ctx, "and the alert id");
  const alertId = ctx.args[1];
  if (!alertId || !parseAlertId(alertId)) throw new UsageError("Give the alert id after the incident id.");
  const alert = await rt.alerts.get(alertId);
  if (!alert) return { text: `No alert ${alertId} is known (it may have expired).` };
  const res = await linkAlertTo(rt, id, alert, ctx.userId);
  if (!res.ok) return { text: res.reason };
  return {
    text: `Linked ${escapeMrkdwn(alert.name)} (\`${alert.id}\`) to ${id}; its timeline joins the incident's.`,
  };
}

async function resolve(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const id = incidentArg(ctx, "to resolve");
  const refused = await incidentRefusal(rt, id, ctx.userId, "resolve this incident");
  if (refused) return { text: refused };
  const now = rt.now();
  const res = await incidentStore(rt.redis, rt.prefix).update(id, (i) => resolveIncident(i, ctx.userId, now));
  if (!res.ok) return { text: res.reason };
  return { text: incidentResolvedText(res.incident, now), inChannel: true };
}

/** Display names for the user ids in the export, so the Markdown reads outside Slack. */
async function userNames(rt: Runtime, texts: readonly string[]): Promise<Record<string, string>> {
  const ids = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(/<@([UW][A-Z0-9]+)/g)) ids.add(m[1]!);
  const names: Record<string, string> = {};
  for (const id of [...ids].slice(0, MAX_NAME_LOOKUPS)) {
    try {
      const res = await rt.slack.call<{ user?: { name?: string; profile?: { display_name?: string } } }>(
        "users.info",
        { user: id },
      );
      const name = res.user?.profile?.display_name || res.user?.name;
      if (name) names[id] = name;
    } catch {
      // The id stands in for a name Slack would not give.
    }
  }
  return names;
}

export async function exportPostmortem(rt: Runtime, incident: Incident): Promise<string | null> {
  const store = incidentStore(rt.redis, rt.prefix);
  const pm = await store.postmortem(incident.id);
  if (!pm) return null;
  const alerts = await rt.alerts.getMany(incident.alertIds);
  const timelines: AlertTimeline[] = [];
  for (const a of alerts)
    timelines.push({ alertId: a.id, alertName: a.name, events: await rt.alerts.events(a.id) });
  const timeline = incidentTimeline(incident, timelines);
  const texts = [
    ...timeline.map((e) => e.text),
    ...pm.actionItems.map((a) => a.owner),
    `<@${incident.declaredBy}> <@${incident.owner ?? incident.declaredBy}> <@${incident.resolvedBy ?? incident.declaredBy}> <@${pm.updatedBy}>`,
  ];
  return postmortemMarkdown({
    incident,
    postmortem: pm,
    timeline,
    alerts: alerts.map((a) => ({ id: a.id, name: a.name })),
    now: rt.now(),
    names: await userNames(rt, texts),
  });
}

async function postmortem(rt: Runtime, ctx: CommandContext): Promise<CommandReply> {
  const id = incidentArg(ctx, "whose postmortem to write");
  const mode = (ctx.args[1] ?? "").toLowerCase();
  if (mode && mode !== "export")
    throw new UsageError(`Add "export" for Markdown, or nothing to open the form.`);
  if (mode === "export") {
    const incident = await incidentStore(rt.redis, rt.prefix).get(id);
    if (!incident)
      return { text: `There is no incident ${id}. \`/incident list all\` shows the incidents there are.` };
    const md = await exportPostmortem(rt, incident);
    if (md === null)
      return { text: `${id} has no postmortem yet. \`/incident postmortem ${id}\` opens the form.` };
    const body =
      md.length > MAX_EXPORT ? `${md.slice(0, MAX_EXPORT)}\n… (cut at ${MAX_EXPORT} characters)` : md;
    return { text: `\`\`\`\n${body}\n\`\`\`` };
  }
  const refused = await openPostmortem(rt, ctx.triggerId, id, ctx.userId, ctx.channelId);
  return { text: refused ?? `The postmortem form for ${id} is open.` };
}

async function agenda(rt: Runtime): Promise<CommandReply> {
  const content = await reviewContent(rt, rt.now());
  return { text: content.text, blocks: content.blocks };
}

export function registerIncidentCommands(rt: Runtime): void {
  const add = (
    name: string,
    usage: string,
    summary: string,
    example: string,
    run: (rt: Runtime, ctx: CommandContext) => Promise<CommandReply>,
  ) => rt.commands.register("/incident", { name, usage, summary, example, run: (ctx) => run(rt, ctx) });
  add(
    "declare",
    "declare <title> [sev1|sev2|sev3] [alert id…]",
    "declare an incident (INC-<n>), optionally linking alerts",
    "/incident declare Checkout fails for EU users sev1",
    declare,
  );
  add("list", "list [open|all]", "open incidents, or the latest 50 of all", "/incident list all", list);
  add(
    "note",
    "note <id> <text>",
    "add a line to the incident's timeline",
    "/incident note INC-3 rolled back to v41",
    note,
  );
  add(
    "link",
    "link <id> <alert id>",
    "add an alert (and its timeline) to an incident",
    "/incident link INC-3 9f2c1a7e-1",
    link,
  );
  add(
    "resolve",
    "resolve <id>",
    "mark the incident over; the postmortem is due",
    "/incident resolve INC-3",
    resolve,
  );
  add(
    "postmortem",
    "postmortem <id> [export]",
    "write or edit the blameless postmortem; `export` gives it as Markdown with the timeline",
    "/incident postmortem INC-3 export",
    postmortem,
  );
  add(
    "agenda",
    "agenda",
    "the weekly review as it stands: incidents by impact, then the ops report",
    "/incident agenda",
    (r) => agenda(r),
  );
  rt.commands.register("/oncall", {
    name: "report",
    usage: "report",
    summary:
      "the weekly review: incidents and near misses by impact, missing postmortems, pages, noise, load",
    example: "/oncall report",
    run: () => agenda(rt),
  });
}

/** Incidents and postmortems: the commands, the modals and the alert's "Declare incident" button. */
export const incidentFeature: Feature = {
  name: "incidents",
  setup(rt) {
    registerIncidentCommands(rt);
    return {
      slack: (app) => {
        registerIncidentButton(app, rt);
        registerPostmortemView(app, rt);
      },
    };
  },
};
