// Slack's Web API rate limits, as the fake enforces them: chat.postMessage per channel (a short
// burst, then about one a second), every other method per method by its tier. Slack documents
// the tiers as "N+ per minute" with bursts tolerated; a token bucket holding half a minute's
// calls is the stand-in, so a bot that paces itself never sees a 429 and one that bursts does.
// https://docs.slack.dev/apis/web-api/rate-limits

import { dmChannelId } from "./slack-ids";

export type Tier = 1 | 2 | 3 | 4;

export interface LimitSettings {
  /** chat.postMessage: posts a channel takes at once (thread replies and DMs included). */
  readonly postBurst: number;
  /** chat.postMessage: posts per second a channel takes after the burst. */
  readonly postPerSecond: number;
  /** Calls per minute of each tier, per method. */
  readonly tierPerMinute: { readonly [T in Tier]: number };
  /** A tier bucket holds this many seconds' worth of calls (its burst). */
  readonly tierBurstSeconds: number;
  /** Merged over the defaults, so a test can retier one method. */
  readonly methodTiers: Readonly<Record<string, Tier>>;
  /** Methods missing from methodTiers. */
  readonly defaultTier: Tier;
}

/** Tiers from each method's page on docs.slack.dev; "Special" methods are taken as Tier 4. */
export const SLACK_METHOD_TIERS: Readonly<Record<string, Tier>> = {
  "api.test": 4,
  "auth.test": 4,
  "chat.update": 3,
  "chat.delete": 3,
  "chat.getPermalink": 4,
  "chat.postEphemeral": 4,
  "conversations.history": 3,
  "conversations.replies": 3,
  "conversations.open": 3,
  "conversations.info": 3,
  "reactions.add": 3,
  "users.info": 4,
  "users.list": 2,
  "users.lookupByEmail": 3,
  "usergroups.create": 2,
  "usergroups.disable": 2,
  "usergroups.enable": 2,
  "usergroups.list": 2,
  "usergroups.update": 2,
  "usergroups.users.list": 2,
  "usergroups.users.update": 2,
  "views.open": 4,
  "views.update": 4,
  "views.push": 4,
  "views.publish": 4,
};

/** Settings over Slack's figures; tierPerMinute and methodTiers merge with the defaults. */
export type LimitOverrides = Partial<Omit<LimitSettings, "tierPerMinute">> & {
  readonly tierPerMinute?: { readonly [T in Tier]?: number };
};

export const SLACK_LIMITS: LimitSettings = {
  postBurst: 4,
  postPerSecond: 1,
  tierPerMinute: { 1: 1, 2: 20, 3: 50, 4: 100 },
  tierBurstSeconds: 30,
  methodTiers: SLACK_METHOD_TIERS,
  defaultTier: 3,
};

/**
 * Not limited here: opening a Socket Mode connection (an app-level token, Tier 1 at Slack) would
 * lock the sandbox out of reconnecting for a minute, which tests nothing about the bot's pacing.
 */
const UNLIMITED = new Set(["apps.connections.open"]);

export type LimitDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSec: number };

export interface MethodLimitStats {
  readonly allowed: number;
  readonly limited: number;
}

interface Bucket {
  tokens: number;
  at: number;
  readonly capacity: number;
  /** Tokens per millisecond. */
  readonly rate: number;
}

export function limitSettings(partial: LimitOverrides = {}): LimitSettings {
  return {
    ...SLACK_LIMITS,
    ...partial,
    tierPerMinute: { ...SLACK_LIMITS.tierPerMinute, ...partial.tierPerMinute },
    methodTiers: { ...SLACK_LIMITS.methodTiers, ...partial.methodTiers },
  };
}

/** What a call is counted against: a post against its channel (a user id: that user's DM). */
export function limitKey(method: string, args: Readonly<Record<string, unknown>>): string {
  if (method !== "chat.postMessage") return method;
  const channel = typeof args.channel === "string" ? args.channel : "";
  const conversation = /^[UW][A-Z0-9]+$/.test(channel) ? dmChannelId([channel]) : channel;
  return `chat.postMessage:${conversation}`;
}

export class SlackRateLimiter {
  readonly settings: LimitSettings;
  private readonly buckets = new Map<string, Bucket>();
  private readonly stats = new Map<string, { allowed: number; limited: number }>();

  constructor(
    settings: LimitOverrides = {},
    private readonly now: () => number = Date.now,
  ) {
    this.settings = limitSettings(settings);
  }

  /** Takes a token for this call, or says how long until there is one (refusals take none). */
  take(method: string, args: Readonly<Record<string, unknown>> = {}): LimitDecision {
    if (UNLIMITED.has(method)) return { ok: true };
    const bucket = this.bucket(method, limitKey(method, args));
    const now = this.now();
    bucket.tokens = Math.min(bucket.capacity, bucket.tokens + (now - bucket.at) * bucket.rate);
    bucket.at = now;
    const stat = this.stats.get(method) ?? { allowed: 0, limited: 0 };
    this.stats.set(method, stat);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      stat.allowed++;
      return { ok: true };
    }
    stat.limited++;
    // Whole seconds, as Slack sends them; rounding up so a caller that honours it finds a token.
    const retryAfterSec = Math.max(1, Math.ceil((1 - bucket.tokens) / bucket.rate / 1000));
    return { ok: false, retryAfterSec };
  }

  /** Calls refused so far, of one method or of all. */
  limited(method?: string): number {
    if (method !== undefined) return this.stats.get(method)?.limited ?? 0;
    let sum = 0;
    for (const s of this.stats.values()) sum += s.limited;
    return sum;
  }

  methodStats(): Record<string, MethodLimitStats> {
    return Object.fromEntries([...this.stats].map(([m, s]) => [m, { ...s }]));
  }

  reset(): void {
    this.buckets.clear();
    this.stats.clear();
  }

  private bucket(method: string, key: string): Bucket {
    const existing = this.buckets.get(key);
    if (existing) return existing;
    const s = this.settings;
    let capacity: number;
    let perSecond: number;
    if (method === "chat.postMessage") {
      capacity = s.postBurst;
      perSecond = s.postPerSecond;
    } else {
      const perMinute = s.tierPerMinute[s.methodTiers[method] ?? s.defaultTier];
      perSecond = perMinute / 60;
      capacity = (perMinute * s.tierBurstSeconds) / 60;
    }
    // Below one token a bucket would refuse every call forever.
    const created: Bucket = {
      capacity: Math.max(1, capacity),
      tokens: Math.max(1, capacity),
      rate: perSecond / 1000,
      at: this.now(),
    };
    this.buckets.set(key, created);
    return created;
  }
}
