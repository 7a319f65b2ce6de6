// A rotation's shifts as an iCalendar feed (RFC 5545), for calendar apps to subscribe to.
// Pure text building: CRLF line ends, lines folded at 75 octets without splitting a UTF-8
// character, TEXT values escaped, every time in UTC, one stable UID per shift.

import type { Shift } from "../../core/rotation";

export interface CalendarInput {
  readonly rotation: { readonly id: string; readonly name: string; readonly timezone: string };
  readonly shifts: readonly Shift[];
  /** DTSTAMP of every event: when the feed was made. */
  readonly now: Date;
  /** Display name of a Slack user id (the id itself when unknown). */
  readonly userName: (userId: string) => string;
  /** Display name of a team id. */
  readonly teamName: (teamId: string) => string;
  /** Domain part of UIDs, e.g. the bot's host; keeps them unique across installations. */
  readonly uidDomain?: string;
}

const MAX_OCTETS = 75;

/** Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, newlines; drops controls. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n")
    .replace(/\p{Cc}/gu, "");
}

/**
 * Folds one content line (RFC 5545 §3.1): no physical line longer than 75 octets, continuation
 * lines start with a space (which counts), and a multi-octet character is never split.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, "utf8");
    if (octets + size > MAX_OCTETS) {
      parts.push(current);
      current = " ";
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join("\r\n");
}

/** 20261130T090000Z */
export function formatUtc(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

/** Stable as long as the shift is: same rotation, user and boundaries give the same UID. */
export function shiftUid(shift: Shift, domain: string): string {
  const start = Math.floor(shift.start.getTime() / 1000);
  const end = Math.floor(shift.end.getTime() / 1000);
  return `${shift.rotationId}-${start}-${end}-${shift.user}@${domain}`;
}

function eventLines(shift: Shift, input: CalendarInput, stamp: string, domain: string): string[] {
  const who = input.userName(shift.user);
  const team = input.teamName(shift.team);
  const override = shift.overrideId !== null;
  const summary = `On call: ${who} (${team})${override ? " · override" : ""}`;
  const description = [
    `${input.rotation.name}: ${who} is on call for ${team}.`,
    override ? `Override ${shift.overrideId}, covering for ${input.userName(shift.scheduledUser)}.` : null,
    `Slack user: ${shift.user}`,
  ]
    .filter((l): l is string => l !== null)
    .join("\n");
  return [
    "BEGIN:VEVENT",
    `UID:${shiftUid(shift, domain)}`,
    `DTSTAMP:${stamp}`,
    `DTSTART:${formatUtc(shift.start)}`,
    `DTEND:${formatUtc(shift.end)}`,
    `SUMMARY:${escapeText(summary)}`,
    `DESCRIPTION:${escapeText(description)}`,
    `CATEGORIES:${escapeText(team)}`,
    // A shift does not make anyone busy: it must not block meetings in free/busy look-ups.
    "TRANSP:TRANSPARENT",
    "STATUS:CONFIRMED",
    "END:VEVENT",
  ];
}

/** The whole feed as text, ready to serve as text/calendar. */
export function shiftsCalendar(input: CalendarInput): string {
  const domain = input.uidDomain ?? "shared-oncall";
  const stamp = formatUtc(input.now);
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//shared-oncall//rotation calendar//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${escapeText(input.rotation.name)}`,
    `X-WR-TIMEZONE:${escapeText(input.rotation.timezone)}`,
    "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    "X-PUBLISHED-TTL:PT1H",
    ...input.shifts.flatMap((s) => eventLines(s, input, stamp, domain)),
    "END:VCALENDAR",
  ];
  return `${lines.map(foldLine).join("\r\n")}\r\n`;
}
