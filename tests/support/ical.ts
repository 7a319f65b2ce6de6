// Reading an iCalendar feed back in tests: unfolded content lines, and each VEVENT as its properties.

/** Undoes folding (RFC 5545 §3.1) and splits into content lines. */
export function unfold(text: string): string[] {
  return text
    .replace(/\r\n[ \t]/g, "")
    .split("\r\n")
    .slice(0, -1);
}

/** Each VEVENT as property name (parameters included, e.g. "DTSTART;VALUE=DATE") → value. */
export function icalEvents(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  for (const line of unfold(text)) {
    if (line === "BEGIN:VEVENT") current = {};
    else if (line === "END:VEVENT") {
      out.push(current!);
      current = null;
    } else if (current) {
      const i = line.indexOf(":");
      current[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  return out;
}
