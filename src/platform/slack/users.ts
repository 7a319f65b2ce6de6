// What the bot needs to know about Slack users: their time zone, for reading and writing times.

import type { SlackApi } from "./api";

const cache = new Map<string, { tz: string; at: number }>();
const TTL_MS = 10 * 60_000;

/** The user's Slack time zone (IANA), or `fallback` when Slack does not say. */
export async function userTimeZone(slack: SlackApi, userId: string, fallback: string): Promise<string> {
  const hit = cache.get(userId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.tz;
  try {
    const res = await slack.call<{ user?: { tz?: string } }>("users.info", { user: userId });
    const tz = res.user?.tz || fallback;
    cache.set(userId, { tz, at: Date.now() });
    return tz;
  } catch {
    return fallback;
  }
}
