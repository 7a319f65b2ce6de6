// Markdown handling for runbook files: the YAML front matter, and the level-2 sections the bot
// shows on a page (Context, Meaning, Steps). Pure text in, text out; validation is elsewhere.

export type FrontMatterSplit =
  | { readonly kind: "none"; readonly body: string; readonly bodyLine: number }
  | { readonly kind: "unclosed" }
  | {
      readonly kind: "ok";
      readonly frontMatter: string;
      /** File line of the front matter's first line (the one after the opening `---`). */
      readonly frontMatterLine: number;
      readonly body: string;
      readonly bodyLine: number;
    };

/** Splits `---\n<yaml>\n---\n<markdown>`; the closing line may also be `...` as in YAML. */
export function splitFrontMatter(text: string): FrontMatterSplit {
  const lines = text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .split("\n");
  if (lines[0]?.trimEnd() !== "---") return { kind: "none", body: lines.join("\n"), bodyLine: 1 };
  const close = lines.findIndex((line, index) => index > 0 && /^(---|\.\.\.)\s*$/.test(line));
  if (close === -1) return { kind: "unclosed" };
  return {
    kind: "ok",
    frontMatter: lines.slice(1, close).join("\n"),
    frontMatterLine: 2,
    body: lines.slice(close + 1).join("\n"),
    bodyLine: close + 2,
  };
}

export interface Section {
  /** Heading text as written, e.g. "Context". */
  readonly title: string;
  /** File line of the heading. */
  readonly line: number;
  /** Everything up to the next level-1 or level-2 heading, trimmed; sub-headings stay inside. */
  readonly content: string;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The body's `## ` sections in order. `bodyLine` is the file line of the body's first line. */
export function sections(body: string, bodyLine: number): Section[] {
  const found: { title: string; line: number; lines: string[] }[] = [];
  let current: { title: string; line: number; lines: string[] } | null = null;
  let fence: string | null = null;

  body.split("\n").forEach((line, index) => {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch) {
      const marker = fenceMatch[1]!;
      // A fence closes only with the same character, at least as long; "#" inside code is not a heading.
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
    }
    const heading = fence === null && !fenceMatch ? HEADING.exec(line) : null;
    if (heading && heading[1]!.length <= 2) {
      current = heading[1]!.length === 2 ? { title: heading[2]!, line: bodyLine + index, lines: [] } : null;
      if (current) found.push(current);
      return;
    }
    current?.lines.push(line);
  });

  return found.map((s) => ({ title: s.title, line: s.line, content: s.lines.join("\n").trim() }));
}
