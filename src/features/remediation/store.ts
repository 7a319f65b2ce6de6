// Remediation bookkeeping in Redis: the loop guard's run history (a sorted set of run start times
// per alert group, handler and target) and the group cap's (per alert group and handler, whatever
// the target), the claim of the one active run per alert, handler and target, which automatic runs
// an alert has enqueued, and the numbers of manual runs. Each check-and-record is one Lua script or
// SET NX, so replicas racing to start runs cannot together exceed a limit.

import { claimRemediationRun, releaseLock, renewLock } from "../../platform/redis/scripts";
import { RedisStore } from "../../platform/redis/store";
import type { LoopGuard } from "./rules";

/** How long the notes of enqueued automatic runs and manual run numbers are kept (an alert's life). */
const ALERT_NOTE_TTL_S = 90 * 24 * 3600;

export interface GuardTarget {
  readonly groupId: string;
  readonly handler: string;
  /** "group" or a fingerprint token. */
  readonly target: string;
}

/** The run holding the active claim: for the "already under way" answer to whoever raced it. */
export interface ActiveRun {
  readonly runId: string;
  /** Who asked for it; null for an automatic run. */
  readonly by: string | null;
  /** When it claimed, ISO 8601. */
  readonly at: string;
}

export type ActiveClaim =
  | {
      readonly ok: true;
      release(): Promise<void>;
      /** Keeps the claim `ttlMs` from now: across a wait, when the run is a delayed job. */
      extend(ttlMs: number): Promise<void>;
    }
  | { readonly ok: false; readonly holder: ActiveRun | null };

/** The target every run of a handler on an alert group counts towards, for the group cap. */
const ANY_TARGET = "*";
/** Not a fingerprint token (those never hold "*"): the key of the cap's note in the thread. */
const CAP_NOTE_TARGET = "*cap";

function parseHolder(text: string | null): ActiveRun | null {
  if (!text) return null;
  try {
    const v = JSON.parse(text) as Partial<ActiveRun>;
    return typeof v.runId === "string" && typeof v.at === "string"
      ? { runId: v.runId, by: typeof v.by === "string" ? v.by : null, at: v.at }
      : null;
  } catch {
    return null;
  }
}

export class RemediationStore extends RedisStore {
  private historyKey(t: GuardTarget): string {
    return this.keys.remediationRuns(t.groupId, t.handler, t.target);
  }

  private activeKey(alertId: string, t: GuardTarget): string {
    return this.keys.lock(`remediation:${alertId}:${t.handler}:${t.target}`);
  }

  private async record(key: string, runId: string, now: Date, guard: LoopGuard): Promise<boolean> {
    const nowMs = now.getTime();
    const { allowed } = await claimRemediationRun(this.redis, key, {
      nowMs,
      windowStartMs: nowMs - guard.windowMs,
      runId,
      limit: guard.runs,
      ttlMs: guard.windowMs + 60_000,
    });
    return allowed;
  }

  /** Records that run `runId` starts now, unless the loop guard forbids it. */
  async claimRun(t: GuardTarget, runId: string, now: Date, guard: LoopGuard): Promise<boolean> {
    return this.record(this.historyKey(t), runId, now, guard);
  }

  /**
   * Records run `runId` against the cap of its handler on its alert group, whatever its target,
   * unless the cap is reached: per-instance runs on churning pod names each meet a fresh loop
   * guard, never this. A run already recorded (the next attempt, the check after a wait) passes.
   */
  async claimGroupRun(t: GuardTarget, runId: string, now: Date, cap: LoopGuard): Promise<boolean> {
    return this.record(this.historyKey({ ...t, target: ANY_TARGET }), runId, now, cap);
  }

  /** Takes back a run recorded against the cap that then did not start (the loop guard stopped it). */
  async unclaimGroupRun(t: GuardTarget, runId: string): Promise<void> {
    await this.redis.zrem(this.historyKey({ ...t, target: ANY_TARGET }), runId);
  }

  /**
   * Claims the one active run of a handler on a target of an alert (SET NX PX, so racing replicas
   * cannot both take it), or says which run holds it. The same run claims again (its check after a
   * wait, or a stalled job run again). The claim expires after `ttlMs` (at least the handler's
   * timeout) should its holder die.
   */
  async claimActive(alertId: string, t: GuardTarget, run: ActiveRun, ttlMs: number): Promise<ActiveClaim> {
    const key = this.activeKey(alertId, t);
    const token = await this.takeClaim(key, run, ttlMs);
    if (typeof token !== "string") return { ok: false, holder: token };
    return {
      ok: true,
      release: async () => {
        await releaseLock(this.redis, key, token);
      },
      extend: async (ms) => {
        await renewLock(this.redis, key, token, ms);
      },
    };
  }

  /** The claim's token when taken (or held by the same run already), else who holds it. */
  private async takeClaim(key: string, run: ActiveRun, ttlMs: number): Promise<string | ActiveRun | null> {
    const mine = JSON.stringify(run);
    // Twice: a claim that expires between the SET and the GET is free on the second try.
    for (let i = 0; i < 2; i++) {
      if ((await this.redis.set(key, mine, "PX", ttlMs, "NX")) === "OK") return mine;
      const held = await this.redis.get(key);
      if (held === null) continue;
      const holder = parseHolder(held);
      if (holder?.runId === run.runId && (await renewLock(this.redis, key, held, ttlMs))) return held;
      return holder;
    }
    return null;
  }

  /** The run holding the active claim of a handler on a target of an alert, if any. */
  async activeRun(alertId: string, t: GuardTarget): Promise<ActiveRun | null> {
    return parseHolder(await this.redis.get(this.activeKey(alertId, t)));
  }

  /** Start times of the runs still inside the window (for a check before asking someone to confirm). */
  async recentRuns(t: GuardTarget, now: Date, guard: LoopGuard): Promise<number[]> {
    const scores = await this.redis.zrangebyscore(
      this.historyKey(t),
      `(${now.getTime() - guard.windowMs}`,
      "+inf",
      "WITHSCORES",
    );
    return scores.filter((_, i) => i % 2 === 1).map(Number);
  }

  /** Whether the alert's automatic run on `target` was enqueued already. */
  async autoEnqueued(alertId: string, target: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.remediationAuto(alertId), target)) === 1;
  }

  async markAutoEnqueued(alertId: string, target: string): Promise<void> {
    const key = this.keys.remediationAuto(alertId);
    await this.redis.multi().sadd(key, target).expire(key, ALERT_NOTE_TTL_S).exec();
  }

  async nextManualRun(alertId: string): Promise<number> {
    const key = this.keys.remediationManualSeq(alertId);
    const [[, n] = []] = (await this.redis.multi().incr(key).expire(key, ALERT_NOTE_TTL_S).exec()) ?? [];
    return Number(n);
  }

  /** True the first time for this alert and handler: the thread notes the group cap once. */
  async firstCapNote(alertId: string, handler: string, cap: LoopGuard): Promise<boolean> {
    const key = this.keys.remediationGuardNoted(alertId, handler, CAP_NOTE_TARGET);
    return (await this.redis.set(key, "1", "PX", cap.windowMs + 60_000, "NX")) === "OK";
  }

  /** True the first time for this alert, handler and target: the thread says "loop guard" once. */
  async firstGuardNote(alertId: string, t: GuardTarget, guard: LoopGuard): Promise<boolean> {
    const key = this.keys.remediationGuardNoted(alertId, t.handler, t.target);
    return (await this.redis.set(key, "1", "PX", guard.windowMs + 60_000, "NX")) === "OK";
  }
}
