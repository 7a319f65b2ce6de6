// Reads runbooks/*.md into Runbook entries: front matter checked by its schema, the alert name
// against the file name, the required sections, and any remediation against the handler registry.

import { basename } from "node:path";
import type { z } from "zod";
import type { RemediationSpec, Runbook } from "../core/config";
import type { ConfigIssue } from "./errors";
import { listFiles, readText } from "./files";
import { sections, splitFrontMatter } from "./runbook";
import { runbookFrontMatter } from "./schema";
import { hint } from "./suggest";
import { parseYaml, type YamlSource } from "./yaml-source";
import { toConfigIssues, validate } from "./zod-issues";

/** What the loader needs of a remediation handler: the schema its `params` must satisfy. */
export type HandlerMap = ReadonlyMap<string, { readonly params: z.ZodType }>;

export interface RunbookResult {
  readonly runbooks: Runbook[];
  /** Every file's declared alert, for the duplicate check, even when the entry itself is invalid. */
  readonly alerts: { file: string; alert: string; line: number | null }[];
  readonly issues: ConfigIssue[];
}

// READMEs and _drafts describe the directory; they are not entries for an alert.
const NOT_A_RUNBOOK = /^(readme\.md|_.*)$/i;

const REQUIRED = [
  { title: "Context", what: "what the alert watches and which service and users it affects" },
  { title: "Meaning", what: "what it means when it fires and how urgent that is" },
] as const;

/** Whether a section says nothing: empty, or only a template's placeholder comments, which render as nothing. */
function isBlank(content: string): boolean {
  return content.replace(/<!--[\s\S]*?(?:-->|$)/g, "").trim() === "";
}

function checkRemediation(
  spec: RemediationSpec,
  handlers: HandlerMap,
  source: YamlSource,
  issues: ConfigIssue[],
): void {
  const handler = handlers.get(spec.handler);
  if (!handler) {
    const names = [...handlers.keys()].sort();
    issues.push({
      file: source.file,
      line: source.lineAt(["remediation", "handler"]),
      field: "remediation.handler",
      message: `handler ${JSON.stringify(spec.handler)} is not registered${hint(spec.handler, names, "registered handlers")}`,
    });
    return;
  }
  const result = handler.params.safeParse(spec.params, { reportInput: true });
  if (result.success) return;
  for (const issue of toConfigIssues(result.error.issues, source, ["remediation", "params"], "sentence")) {
    const param = issue.field.replace(/^remediation\.params\.?/, "") || "params";
    issues.push({
      ...issue,
      message: `handler ${JSON.stringify(spec.handler)} rejects param ${JSON.stringify(param)}: ${issue.message}`,
    });
  }
}

function readRunbook(root: string, file: string, handlers: HandlerMap, result: RunbookResult): void {
  const issues = result.issues;
  const read = readText(root, file, "file not found");
  if (!read.ok) {
    issues.push(read.issue);
    return;
  }
  const expectedAlert = basename(file, ".md");
  const split = splitFrontMatter(read.text);
  if (split.kind !== "ok") {
    issues.push({
      file,
      line: 1,
      field: "",
      message:
        split.kind === "unclosed"
          ? "front matter is not closed; end it with a line containing only ---"
          : `has no front matter; start the file with ---, alert: ${expectedAlert}, --- on three lines`,
    });
    return;
  }

  const parsed = parseYaml(file, split.frontMatter, split.frontMatterLine);
  if (!parsed.ok) {
    issues.push(...parsed.issues);
    return;
  }
  const source = parsed.source;
  const declared = (source.data as { alert?: unknown } | null)?.alert;
  if (typeof declared === "string")
    result.alerts.push({ file, alert: declared, line: source.lineAt(["alert"]) });

  const issueCount = issues.length;
  const front = validate(runbookFrontMatter, source);
  if (!front.ok) issues.push(...front.issues);
  else if (front.value.alert !== expectedAlert) {
    issues.push({
      file,
      line: source.lineAt(["alert"]),
      field: "alert",
      message: `alert ${JSON.stringify(front.value.alert)} does not match the file name; rename the file to runbooks/${front.value.alert}.md or set alert: ${expectedAlert}`,
    });
  }

  const found = sections(split.body, split.bodyLine);
  const content = (title: string) =>
    found.filter((s) => s.title.trim().toLowerCase() === title.toLowerCase());
  for (const { title, what } of REQUIRED) {
    const matches = content(title);
    const section = matches[0];
    const field = `## ${title}`;
    if (!section) {
      issues.push({
        file,
        line: null,
        field,
        message: `missing; add a "## ${title}" section that says ${what}`,
      });
    } else if (isBlank(section.content)) {
      issues.push({ file, line: section.line, field, message: `is empty; say ${what}` });
    }
    for (const extra of matches.slice(1)) {
      issues.push({
        file,
        line: extra.line,
        field,
        message: `appears twice; merge it into the section at line ${section!.line}`,
      });
    }
  }

  if (front.ok && front.value.remediation)
    checkRemediation(front.value.remediation, handlers, source, issues);
  if (!front.ok || issues.length > issueCount) return;

  const sectionText = (title: string) => content(title)[0]?.content || null;
  result.runbooks.push({
    alert: front.value.alert,
    file,
    context: sectionText("Context")!,
    meaning: sectionText("Meaning")!,
    steps: sectionText("Steps"),
    body: split.body.trim(),
    remediation: front.value.remediation,
    severity: front.value.severity,
  });
}

export function readRunbooks(root: string, handlers: HandlerMap): RunbookResult {
  const result: RunbookResult = { runbooks: [], alerts: [], issues: [] };
  const names = listFiles(root, "runbooks", /\.md$/) ?? [];
  for (const name of names) {
    if (NOT_A_RUNBOOK.test(name)) continue;
    readRunbook(root, `runbooks/${name}`, handlers, result);
  }
  return result;
}
