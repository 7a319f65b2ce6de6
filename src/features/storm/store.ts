// A channel's storms in Redis. Every key of one channel's storms carries the hash tag
// {storm:<channel>}, so the Lua scripts that admit alerts and move them (membership and counters
// together, atomically) touch one Cluster slot. A storm is `<channel>-<seq>` (the channel's
// storms numbered from 1); its hash holds the counters, when it opened and closed, its on-call
// engineer, and the Slack messages it has posted once (`record`).

import type { Redis } from "ioredis";
import type { Alert } from "../../core/alert";
import { admitStormAlert, moveStormAlert, type StormKeys } from "../../platform/redis/scripts";
import type { MessageRef, PostRecord, PostState } from "../../platform/slack/delivery";
import { type StormAlertState, type StormSettings, stormState } from "./rules";

/** How long a channel remembers which of its alerts were paged or folded (a retried sync asks again). */
const ADMITTED_TTL_SECONDS = 30 * 86_400;
/** A closed storm's keys are kept this long: its digest's buttons and modal still answer. */
const CLOSED_TTL_SECONDS = 7 * 86_400;

export interface Storm {
  readonly id: string;
  readonly channel: string;
  readonly seq: string;
  readonly openedAt: string;
  readonly oncall: string | null;
  readonly alerts: number;
  readonly firing: number;
  readonly acknowledged: number;
  readonly resolved: number;
  readonly closed: boolean;
  readonly closedAt: string | null;
}

export function stormId(channel: string, seq: string): string {
  return `${channel}-${seq}`;
}

/** The channel and seq of a storm id; null for anything else (a forged button value). */
export function parseStormId(id: string): { channel: string; seq: string } | null {
  const m = /^([A-Z0-9]+)-(\d+)$/.exec(id);
  return m ? { channel: m[1]!, seq: m[2]! } : null;
}

export type StormAdmission =
  | { readonly kind: "page" }
  | { readonly kind: "fold"; readonly stormId: string; readonly opened: boolean };

export class StormStore {
  constructor(
    readonly redis: Redis,
    readonly prefix: string,
  ) {}

  private tag(channel: string) {
    return `${this.prefix}storm:{storm:${channel}}`;
  }

  keys(channel: string, seq: string): StormKeys {
    const t = this.tag(channel);
    return {
      channel: t,
      recent: `${t}:recent`,
      admitted: `${t}:admitted`,
      storm: `${t}:${seq}`,
      stormAlerts: `${t}:${seq}:alerts`,
    };
  }

  /**
   * A new alert of the channel: a page, or into the channel's storm (opening one when the channel
   * is over its rate). The same alert always gets the same answer.
   */
  async admit(
    alert: Alert,
    s: Pick<StormSettings, "threshold" | "windowMs">,
    now: Date,
  ): Promise<StormAdmission> {
    const channel = alert.route.channel;
    const head = await this.redis.hmget(this.tag(channel), "open", "seq");
    let candidate = head[0] ? head[0] : String(Number(head[1] ?? 0) + 1);
    // The candidate changes only when a storm opens or closes meanwhile: a few rounds at most.
    for (let round = 0; round < 10; round++) {
      const answer = await admitStormAlert(this.redis, this.keys(channel, candidate), {
        alertId: alert.id,
        // Wall time, not the bot's clock: the rate is Slack's, in real seconds.
        nowMs: Date.now(),
        windowMs: s.windowMs,
        threshold: s.threshold,
        candidateSeq: candidate,
        state: stormState(alert),
        openedAt: now.toISOString(),
        oncall: alert.route.oncallUser,
        ttlSeconds: ADMITTED_TTL_SECONDS,
      });
      if (answer.kind === "page") return answer;
      if (answer.kind === "fold") {
        return { kind: "fold", stormId: stormId(channel, answer.seq), opened: answer.opened };
      }
      candidate = answer.seq;
    }
    throw new Error(`storm admission for ${alert.id} kept racing other admissions`);
  }

  /** The storm holding the alert now; null when it has (or will get) its own page. */
  async stormOf(alert: Pick<Alert, "id" | "route">): Promise<string | null> {
    const seq = await this.redis.hget(`${this.tag(alert.route.channel)}:admitted`, alert.id);
    return seq && seq !== "page" ? stormId(alert.route.channel, seq) : null;
  }

  /** Brings the alert's digest state up to date; whether it changed and whether the storm closed now. */
  async markState(id: string, alert: Alert, now: Date) {
    return this.move(id, alert.id, { kind: "state", state: stormState(alert) }, now);
  }

  /** Takes the alert out of the storm: from now on it has its own page. */
  async leave(id: string, alertId: string, now: Date) {
    return this.move(id, alertId, { kind: "leave" }, now);
  }

  private async move(
    id: string,
    alertId: string,
    move: { kind: "state"; state: StormAlertState } | { kind: "leave" },
    now: Date,
  ) {
    const p = parseStormId(id);
    if (!p) return { changed: false, closedNow: false, closed: false };
    const k = this.keys(p.channel, p.seq);
    const res = await moveStormAlert(this.redis, k, { alertId, move, seq: p.seq, nowIso: now.toISOString() });
    if (res.closedNow) {
      await this.redis.expire(k.storm, CLOSED_TTL_SECONDS);
      await this.redis.expire(k.stormAlerts, CLOSED_TTL_SECONDS);
    }
    return res;
  }

  async get(id: string): Promise<Storm | null> {
    const p = parseStormId(id);
    if (!p) return null;
    const h = await this.redis.hgetall(this.keys(p.channel, p.seq).storm);
    if (!h.seq) return null;
    const n = (f: string) => Number(h[f] ?? 0);
    return {
      id,
      channel: p.channel,
      seq: p.seq,
      openedAt: h.openedAt ?? "",
      oncall: h.oncall ? h.oncall : null,
      alerts: n("alerts"),
      firing: n("firing"),
      acknowledged: n("acknowledged"),
      resolved: n("resolved"),
      closed: h.closed === "1",
      closedAt: h.closedAt ?? null,
    };
  }

  /** The ids of the alerts in the storm now. */
  async alertIds(id: string): Promise<string[]> {
    const p = parseStormId(id);
    if (!p) return [];
    return this.redis.hkeys(this.keys(p.channel, p.seq).stormAlerts);
  }

  /** A message the storm posts once, by name ("digest", "dm", "note", "repage:1", …). */
  record(id: string, name: string): PostRecord {
    const p = parseStormId(id);
    if (!p) throw new Error(`not a storm id: ${id}`);
    const key = this.keys(p.channel, p.seq).storm;
    return {
      state: async (): Promise<PostState> => {
        const [msg, claim] = await this.redis.hmget(key, `msg:${name}`, `claim:${name}`);
        return msg ? "posted" : claim ? "claimed" : "none";
      },
      claim: async () => {
        await this.redis.hset(key, `claim:${name}`, "1");
      },
      posted: async (m) => {
        await this.redis.hset(key, `msg:${name}`, JSON.stringify(m));
      },
    };
  }

  async message(id: string, name: string): Promise<MessageRef | null> {
    const p = parseStormId(id);
    if (!p) return null;
    const raw = await this.redis.hget(this.keys(p.channel, p.seq).storm, `msg:${name}`);
    return raw ? (JSON.parse(raw) as MessageRef) : null;
  }

  /** Claims a once-per-storm step that is no message (e.g. the summary note's decision); true once. */
  async claimOnce(id: string, name: string): Promise<boolean> {
    const p = parseStormId(id);
    if (!p) return false;
    return (await this.redis.hsetnx(this.keys(p.channel, p.seq).storm, `once:${name}`, "1")) === 1;
  }
}
