// Reads the alert names out of Prometheus rule files, to find alerts that have no runbook entry.

import { readFileSync } from "node:fs";
import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";

export interface AlertRule {
  readonly alert: string;
  readonly line: number | null;
}

export interface RuleFileProblem {
  readonly line: number | null;
  readonly message: string;
}

export type RuleFileResult = { ok: true; rules: AlertRule[] } | { ok: false; problems: RuleFileProblem[] };

function get(node: unknown, key: string): unknown {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.value;
}

/**
 * The alerting rules (`groups[].rules[].alert`) of a rule file; recording rules (`record:`) are
 * skipped. Also accepts Kubernetes PrometheusRule objects (`spec.groups`) and multi-document files.
 */
export function readAlertRules(path: string): RuleFileResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { ok: false, problems: [{ line: null, message: `cannot be read (${code})` }] };
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (!Array.isArray(docs)) return { ok: true, rules: [] };
  const lineOf = (node: unknown) => {
    const range = (node as Node | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : null;
  };

  const problems = docs.flatMap((doc) =>
    doc.errors.map((e) => ({
      line: lineCounter.linePos(e.pos[0]).line,
      message: `YAML syntax error: ${e.message.split("\n")[0]}`,
    })),
  );
  if (problems.length > 0) return { ok: false, problems };

  const rules: AlertRule[] = [];
  for (const doc of docs) {
    const groups = get(doc.contents, "groups") ?? get(get(doc.contents, "spec"), "groups");
    if (!isSeq(groups)) continue;
    for (const group of groups.items) {
      const groupRules = get(group, "rules");
      if (!isSeq(groupRules)) continue;
      for (const rule of groupRules.items) {
        const alert = get(rule, "alert");
        if (isScalar(alert) && typeof alert.value === "string")
          rules.push({ alert: alert.value, line: lineOf(alert) });
      }
    }
  }
  return { ok: true, rules };
}
