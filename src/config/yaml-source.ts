// A parsed YAML file that remembers where each value came from, so validation errors on the
// JavaScript data can point back at a line.

import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";
import type { ConfigIssue } from "./errors";

export type Path = readonly PropertyKey[];

export interface YamlSource {
  /** Relative to the config dir. */
  readonly file: string;
  readonly data: unknown;
  /** Line of the value at `path`, or of its nearest existing ancestor (a missing key's parent). */
  lineAt(path: Path): number | null;
}

export type YamlResult = { ok: true; source: YamlSource } | { ok: false; issues: ConfigIssue[] };

/**
 * Parses one YAML document. `firstLine` is the line of `text`'s first line in its file (runbook front
 * matter starts on line 2). Duplicate keys count as errors: the second silently winning hides typos.
 */
export function parseYaml(file: string, text: string, firstLine = 1): YamlResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOfOffset = (offset: number) => lineCounter.linePos(offset).line + firstLine - 1;

  const problems = [...doc.errors, ...doc.warnings];
  const first = problems[0];
  if (first) {
    // Later errors are usually the parser losing its footing after the first one; listing them would
    // bury the real mistake.
    const more =
      problems.length > 1
        ? ` (fix this first; the parser reported ${problems.length - 1} more after it)`
        : "";
    const kind = first.name === "YAMLWarning" ? "YAML warning" : "YAML syntax error";
    return {
      ok: false,
      issues: [
        {
          file,
          line: lineOfOffset(first.pos[0]),
          field: "",
          message: `${kind}: ${first.message.split("\n")[0]}${more}`,
        },
      ],
    };
  }

  const lineOfNode = (node: unknown): number | null => {
    const range = (node as Node | null)?.range;
    return range ? lineOfOffset(range[0]) : null;
  };

  const lineAt = (path: Path): number | null => {
    let node: unknown = doc.contents;
    let line = lineOfNode(node);
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return line;
        // A key's own line reads better than its value's: block values start on the next line.
        line = lineOfNode(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (item === undefined) return line;
        line = lineOfNode(item) ?? line;
        node = item;
      } else {
        return line;
      }
    }
    return line;
  };

  return { ok: true, source: { file, data: doc.toJS(), lineAt } };
}
