// What the bot needs to know about Slack users: their time zone, for reading and writing times.

import type { SlackApi } from "./api";

/** What Slack said about a user's zone: an IANA name, or null when the profile has none. */
interface Known {
  readonly tz: string | null;
  readonly at: number;
}

// Per client, so two workspaces (or two test apps in one process) never share answers.
const caches = new WeakMap<SlackApi, Map<string, Known>>();
const TTL_MS = 10 * 60_000;

/**
 * The user's Slack time zone (IANA), or `fallback` when Slack does not say or cannot be asked. Only
 * Slack's answer is cached, never a caller's fallback: callers pass different ones (the team's zone,
 * the rotation's), and a failed lookup is tried again next time.
 */
export async function userTimeZone(slack: SlackApi, userId: string, fallback: string): Promise<string> {
  let cache = caches.get(slack);
  if (!cache) {
    cache = new Map();
    caches.set(slack, cache);
  }
  const hit = cache.get(userId);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.tz ?? fallback;
  try {
    const res = await slack.call<{ user?: { tz?: string } }>("users.info", { user: userId });
    const tz = res.user?.tz || null;
    cache.set(userId, { tz, at: Date.now() });
    return tz ?? fallback;
  } catch {
    return fallback;
  }
}
