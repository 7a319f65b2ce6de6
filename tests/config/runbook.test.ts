import { describe, expect, it } from "vitest";
import { sections, splitFrontMatter } from "../../src/config/runbook";

describe("splitFrontMatter", () => {
  it("splits front matter from the body and keeps line numbers", () => {
    const split = splitFrontMatter("---\r\nalert: A\r\n---\r\n## Context\r\nx\r\n");
    expect(split).toEqual({
      kind: "ok",
      frontMatter: "alert: A",
      frontMatterLine: 2,
      body: "## Context\nx\n",
      bodyLine: 4,
    });
  });

  it("tells a file without front matter from one whose front matter is not closed", () => {
    expect(splitFrontMatter("## Context\n").kind).toBe("none");
    expect(splitFrontMatter("---\nalert: A\n## Context\n").kind).toBe("unclosed");
    expect(splitFrontMatter("---\nalert: A\n...\nbody").kind).toBe("ok");
  });
});

describe("sections", () => {
  const body = [
    "# Title", // 10
    "intro",
    "## Context", // 12
    "Some context.",
    "### Dashboards",
    "- latency",
    "## Meaning ##", // 16
    "~~~",
    "## not a heading",
    "~~~",
    "# Appendix", // 20
    "not part of Meaning",
  ].join("\n");

  it("splits on level-2 headings, keeps sub-headings and code inside, stops at level 1", () => {
    expect(sections(body, 10)).toEqual([
      { title: "Context", line: 12, content: "Some context.\n### Dashboards\n- latency" },
      { title: "Meaning", line: 16, content: "~~~\n## not a heading\n~~~" },
    ]);
  });
});
