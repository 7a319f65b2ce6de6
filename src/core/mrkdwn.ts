// Slack mrkdwn escaping: pure text rules shared by the domain's timeline texts and the Block Kit builders.

/**
 * Text from outside (alert labels and annotations, what people type into a modal) made safe for
 * mrkdwn: Slack reads `<!channel>`, `<@U…>` and `<http://x|y>` there as pings and links, so &, <
 * and > are escaped as Slack asks. Escape before truncating: escaping lengthens the text.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Text a person typed, for mrkdwn, whether it arrived as Slack sends a slash command (its &, < and
 * > escaped, mentions live) or was stored escaped already: unescaped first, so an escape stays
 * single, then escaped, so no `<!channel>`, `<@U…>` or link passes through.
 */
export function escapeTyped(text: string): string {
  return escapeMrkdwn(unescapeMrkdwn(text));
}

/** Slack's escaped text back to what was typed, for a plain text box that is escaped again on submit. */
export function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Caps a list for one line of text: the first `max` items and how many more. */
export function listSome(items: readonly string[], max = 10): string {
  const shown = items.slice(0, max).join(", ");
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** Cuts text to at most `max` characters, the cut marked with "…". */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A timeline text, a thread reply: well under Slack's 4,000 characters it shows a message in full
 * (and its 40,000 it refuses with `msg_too_long`), so a label from outside never stops a thread.
 */
export const MAX_REPLY_TEXT = 3_000;
