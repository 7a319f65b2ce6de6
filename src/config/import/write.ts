// The import's result as the files of schedules/, in the layout and style of the shipped example
// (flow maps for short entries, quoted times), each file headed by what the import could not carry
// over into it. Pure: returns file path -> text; the CLI writes them.

import { Document, isMap, isScalar, isSeq, Scalar } from "yaml";
import {
  DEFAULT_LOAD_LIMITS,
  DEFAULT_WORKDAYS,
  type ImportResult,
  type Note,
  type NoteKind,
  type RotationOut,
  rotationFile,
  SERVICES_FILE,
  TEAMS_FILE,
} from "./build";
import { PRODUCT_NAMES } from "./source";

const HEADINGS: Readonly<Record<NoteKind, string>> = {
  "fill-in": "TO FILL IN (config:check reports each TODO at its line)",
  unsupported: "NOT EXPRESSIBLE in the bot's model (approximated as said)",
  override:
    "OVERRIDES TO SET AGAIN once the bot runs (it keeps them in Redis, not in files): as a rotation admin, " +
    "run each command in Slack (type @name if a pasted <@U…> does not become a mention)",
  dropped: "LEFT OUT",
  info: "NOTES",
};
const ORDER: readonly NoteKind[] = ["fill-in", "unsupported", "override", "dropped", "info"];

/** Notes grouped under headings, one bullet each; `prefix` indents for the report. */
export function formatNotes(notes: readonly Note[], prefix = ""): string[] {
  const lines: string[] = [];
  for (const kind of ORDER) {
    const group = notes.filter((n) => n.kind === kind);
    if (group.length === 0) continue;
    lines.push(`${prefix}${HEADINGS[kind]}:`);
    for (const n of group) lines.push(`${prefix}- ${n.message}`);
  }
  return lines;
}

/** The report: notes under the file they concern, the run's own notes first. */
export function formatReport(notes: readonly Note[]): string[] {
  const files = [...new Set(notes.map((n) => n.file))].sort((a, b) => (a === "" ? -1 : b === "" ? 1 : 0));
  return files.flatMap((file) => {
    const own = notes.filter((n) => n.file === file);
    return file === "" ? formatNotes(own) : [`${file}:`, ...formatNotes(own, "  ")];
  });
}

function comment(lines: readonly string[]): string {
  return lines.map((l) => (l === "" ? "" : ` ${l}`)).join("\n");
}

function header(result: ImportResult, source: string, file: string, intro: readonly string[]): string {
  const own = formatNotes(result.notes.filter((n) => n.file === file));
  return comment([
    `Imported from ${PRODUCT_NAMES[result.product]} (${source}) by \`npm run import\`.`,
    ...intro,
    ...(own.length > 0 ? ["", ...own] : []),
  ]);
}

function flow(doc: Document, path: readonly (string | number)[]): void {
  const node = doc.getIn(path, true);
  if (isMap(node) || isSeq(node)) node.flow = true;
}

function quote(doc: Document, path: readonly (string | number)[]): void {
  const node = doc.getIn(path, true);
  if (isScalar(node)) node.type = Scalar.QUOTE_DOUBLE;
}

function render(doc: Document): string {
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}

function teamsYaml(result: ImportResult, source: string): string {
  const doc = new Document({
    teams: result.teams.map((t) => ({
      id: t.id,
      name: t.name,
      channel: t.channel,
      members: t.members,
      timezone: t.timezone,
      workdays: { days: [...DEFAULT_WORKDAYS.days], hours: DEFAULT_WORKDAYS.hours },
    })),
  });
  result.teams.forEach((_, i) => {
    flow(doc, ["teams", i, "members"]);
    flow(doc, ["teams", i, "workdays"]);
    flow(doc, ["teams", i, "workdays", "days"]);
    quote(doc, ["teams", i, "workdays", "hours"]);
  });
  doc.commentBefore = header(result, source, TEAMS_FILE, [
    "Members are paged when an alert is escalated to their team; workdays say when alerts may be handed to it.",
  ]);
  return render(doc);
}

function servicesYaml(result: ImportResult, source: string): string {
  const doc = new Document({ fallback_rotation: result.fallbackRotation, services: [] });
  flow(doc, ["services"]);
  doc.commentBefore = header(result, source, SERVICES_FILE, [
    "Services say which team owns an alert, by its labels; none are imported (the products route by",
    "integration, not by labels). Add one per service:",
    "  - { id: checkout-api, team: <team id>, match: { job: checkout-api } }",
    "Until then every alert pages fallback_rotation, marked unrouted.",
  ]);
  return render(doc);
}

function rotationYaml(result: ImportResult, source: string, r: RotationOut): string {
  const doc = new Document({
    id: r.id,
    name: r.name,
    channel: r.channel,
    timezone: r.timezone,
    teams: r.teams,
    start: r.start,
    handoff: r.handoff,
    shift: r.shift,
    participants: r.participants,
    escalation: r.escalation,
    load_limits: DEFAULT_LOAD_LIMITS,
    admins: r.admins,
  });
  for (const path of [["teams"], ["handoff"], ["escalation"], ["load_limits"], ["admins"]]) flow(doc, path);
  for (const i of r.participants.keys()) flow(doc, ["participants", i]);
  quote(doc, ["handoff", "time"]);
  const file = rotationFile(r.id);
  doc.commentBefore = header(result, source, file, [
    `From ${r.source}.`,
    "Participants take turns in the order listed, starting at the first hand-off (start, handoff).",
  ]);
  return render(doc);
}

/** File path (relative to the config dir) -> YAML text. `source` names the export, for the headers. */
export function writeConfig(result: ImportResult, source: string): Map<string, string> {
  const files = new Map<string, string>();
  files.set(TEAMS_FILE, teamsYaml(result, source));
  files.set(SERVICES_FILE, servicesYaml(result, source));
  for (const r of result.rotations) files.set(rotationFile(r.id), rotationYaml(result, source, r));
  return files;
}
