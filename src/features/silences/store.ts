// The log of silences made from Slack: one entry per silence that stood (on its alert), kept
// for the noise report's longest window (an alert silenced again and again is noise). The silence
// that mutes a page now is on the alert itself (`alert.silence`); this log outlives it.

import { RedisStore } from "../../platform/redis/store";

/** What the noise report reads of one silence. */
export interface SilenceRecord {
  readonly silenceId: string;
  readonly alertId: string;
  /** The alert's name and owning team, as the noise report groups them. */
  readonly name: string;
  readonly teamId: string | null;
  readonly by: string;
  /** When it was made (ISO). */
  readonly at: string;
  readonly endsAt: string;
}

/** As long as `/oncall noise` can look back. */
export const SILENCE_LOG_DAYS = 90;
const DAY_MS = 86_400_000;

export class SilenceLog extends RedisStore {
  /** Adds one silence (once per silence id) and forgets those older than the log keeps. */
  async record(r: SilenceRecord, now: Date): Promise<void> {
    const key = this.keys.silenceLog();
    await this.redis
      .multi()
      .zadd(key, Date.parse(r.at), JSON.stringify(r))
      .zremrangebyscore(key, "-inf", `(${now.getTime() - SILENCE_LOG_DAYS * DAY_MS}`)
      .exec();
  }

  /** The silences made in [from, to), oldest first. */
  async between(from: Date, to: Date): Promise<SilenceRecord[]> {
    const raw = await this.redis.zrangebyscore(this.keys.silenceLog(), from.getTime(), `(${to.getTime()}`);
    return raw.map((m) => JSON.parse(m) as SilenceRecord);
  }
}
