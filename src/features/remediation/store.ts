// Remediation bookkeeping in Redis: the loop guard's run history (a sorted set of run start times
// per alert group, handler and target), which automatic runs an alert has enqueued, and the numbers
// of manual runs. The guard's check-and-record is one Lua script, so replicas racing to start runs
// cannot together exceed the limit.

import { tryLock } from "../../platform/redis/lock";
import { claimRemediationRun } from "../../platform/redis/scripts";
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

export class RemediationStore extends RedisStore {
  private historyKey(t: GuardTarget): string {
    return this.keys.remediationRuns(t.groupId, t.handler, t.target);
  }

  /** Records that run `runId` starts now, unless the loop guard forbids it. */
  async claimRun(t: GuardTarget, runId: string, now: Date, guard: LoopGuard): Promise<boolean> {
    const nowMs = now.getTime();
    const { allowed } = await claimRemediationRun(this.redis, this.historyKey(t), {
      nowMs,
      windowStartMs: nowMs - guard.windowMs,
      runId,
      limit: guard.runs,
      ttlMs: guard.windowMs + 60_000,
    });
    return allowed;
  }

  /**
   * Claims the one active run of a handler on a target of an alert (SET NX PX, so racing replicas
   * cannot both take it): the release function, or null while another run holds it. The claim
   * expires after `ttlMs` (at least the handler's timeout) should its holder die.
   */
  async claimActive(alertId: string, t: GuardTarget, ttlMs: number): Promise<(() => Promise<void>) | null> {
    return tryLock(this.redis, this.keys.lock(`remediation:${alertId}:${t.handler}:${t.target}`), ttlMs);
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

  /** True the first time for this alert, handler and target: the thread says "loop guard" once. */
  async firstGuardNote(alertId: string, t: GuardTarget, guard: LoopGuard): Promise<boolean> {
    const key = this.keys.remediationGuardNoted(alertId, t.handler, t.target);
    return (await this.redis.set(key, "1", "PX", guard.windowMs + 60_000, "NX")) === "OK";
  }
}
