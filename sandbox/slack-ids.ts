// Identifiers shaped like Slack's: message timestamps ("1732525401.000100": seconds, then a
// six-digit sequence), view ids ("V…"), DM channel ids ("D…").

import { createHash, randomBytes } from "node:crypto";

/**
 * Message timestamps are ids in Slack: unique per channel and increasing. Here they are unique
 * for the whole fake and strictly increasing even if the wall clock stalls or a test fakes time.
 */
export class TsClock {
  private lastMicros = 0;

  next(now = Date.now()): string {
    const micros = Math.max(now * 1000, this.lastMicros + 100);
    this.lastMicros = micros;
    return microsToTs(micros);
  }
}

export function microsToTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  return `${seconds}.${String(fraction).padStart(6, "0")}`;
}

/** Numeric value of a ts for ordering; accepts "1732525401", "1732525401.0001" and full ts values. */
export function tsToMicros(ts: string): number {
  const [sec = "0", frac = ""] = ts.split(".");
  const value = Number(sec) * 1_000_000 + Number(frac.slice(0, 6).padEnd(6, "0"));
  return Number.isFinite(value) ? value : Number.NaN;
}

/** Same members, same DM: Slack's conversations.open is idempotent, so the id derives from the set. */
export function dmChannelId(userIds: readonly string[]): string {
  const key = [...new Set(userIds)].sort().join(",");
  return `D${createHash("sha256").update(key).digest("hex").slice(0, 10).toUpperCase()}`;
}

const ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export function randomId(prefix: string, length = 10): string {
  const bytes = randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += ALPHANUM[b % ALPHANUM.length];
  return out;
}

export function viewHash(now = Date.now()): string {
  return `${Math.floor(now / 1000)}.${randomBytes(4).toString("hex")}`;
}
