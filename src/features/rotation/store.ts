// Overrides and ejected teams: the run-time inputs of the rotation engine, shared by all replicas.

import type { Redis } from "ioredis";
import type { Rotation } from "../../core/config";
import type { Override } from "../../core/rotation";
import type { RoutingState } from "../../core/routing";
import { Keys } from "../../platform/redis/keys";
import { type EjectTeamOutcome, ejectTeam } from "../../platform/redis/scripts";

interface StoredOverride {
  id: string;
  rotationId: string;
  user: string;
  from: string;
  to: string;
  createdBy: string;
}

export interface Ejection {
  readonly teamId: string;
  readonly by: string;
  readonly at: string;
  readonly reason: string;
}

/** A stored change of who may be on call; features that mirror the rotation elsewhere listen. */
export type RotationStateChange =
  | { readonly kind: "override-added" | "override-removed"; readonly override: Override }
  | { readonly kind: "ejected" | "readmitted"; readonly teamId: string };

/** Runs after the change is stored; catches its own errors (the change stands either way). */
export type RotationStateListener = (change: RotationStateChange) => Promise<void>;

export class RotationStateStore {
  readonly keys: Keys;
  private readonly listeners: RotationStateListener[] = [];
  constructor(
    readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new Keys(prefix);
  }

  onChange(listener: RotationStateListener): void {
    this.listeners.push(listener);
  }

  private async changed(change: RotationStateChange): Promise<void> {
    for (const listener of this.listeners) await listener(change);
  }

  async routingState(): Promise<RoutingState> {
    const [overrides, ejected] = await Promise.all([this.overrides(), this.ejections()]);
    return { overrides, ejectedTeams: new Set(ejected.map((e) => e.teamId)) };
  }

  async overrides(): Promise<Override[]> {
    const all = await this.redis.hgetall(this.keys.overrides());
    return Object.values(all)
      .map((raw) => JSON.parse(raw) as StoredOverride)
      .map((o) => ({ ...o, from: new Date(o.from), to: new Date(o.to) }))
      .sort((a, b) => Number(a.id) - Number(b.id));
  }

  async addOverride(o: Omit<Override, "id">): Promise<Override> {
    const id = String(await this.redis.incr(this.keys.overrideSeq()));
    const stored: StoredOverride = { ...o, id, from: o.from.toISOString(), to: o.to.toISOString() };
    await this.redis.hset(this.keys.overrides(), id, JSON.stringify(stored));
    await this.changed({ kind: "override-added", override: { ...o, id } });
    return { ...o, id };
  }

  async override(id: string): Promise<Override | null> {
    const raw = await this.redis.hget(this.keys.overrides(), id);
    if (!raw) return null;
    const o = JSON.parse(raw) as StoredOverride;
    return { ...o, from: new Date(o.from), to: new Date(o.to) };
  }

  /** Forgets overrides that ended before `before`: routing reads them all on every page. */
  async pruneOverrides(before: Date): Promise<number> {
    const stale = (await this.overrides()).filter((o) => o.to.getTime() < before.getTime()).map((o) => o.id);
    return stale.length ? this.redis.hdel(this.keys.overrides(), ...stale) : 0;
  }

  async removeOverride(id: string): Promise<boolean> {
    const found = await this.override(id);
    const removed = (await this.redis.hdel(this.keys.overrides(), id)) === 1;
    if (removed && found) await this.changed({ kind: "override-removed", override: found });
    return removed;
  }

  async ejections(): Promise<Ejection[]> {
    const all = await this.redis.hgetall(this.keys.ejections());
    return Object.values(all).map((raw) => JSON.parse(raw) as Ejection);
  }

  /**
   * Ejects `e.teamId` from `rotations` (those it is in) in one atomic step: refused as `already`
   * when it is ejected, and as `last-team` (naming the rotations, by index) when it is the last
   * team left in one of them, however many ejects race.
   */
  async eject(e: Ejection, rotations: readonly Pick<Rotation, "teams">[]): Promise<EjectTeamOutcome> {
    const outcome = await ejectTeam(
      this.redis,
      { ejections: this.keys.ejections(), log: this.keys.ejectionLog() },
      {
        teamId: e.teamId,
        ejection: JSON.stringify(e),
        logEntry: JSON.stringify({ ...e, action: "eject" }),
        rotations: rotations.map((r) => r.teams),
      },
    );
    if (outcome.outcome === "ejected") await this.changed({ kind: "ejected", teamId: e.teamId });
    return outcome;
  }

  /** Returns false when the team was not ejected. */
  async readmit(teamId: string, by: string, at: Date): Promise<boolean> {
    const removed = await this.redis.hdel(this.keys.ejections(), teamId);
    if (removed) {
      await this.redis.rpush(
        this.keys.ejectionLog(),
        JSON.stringify({ teamId, by, at: at.toISOString(), action: "readmit" }),
      );
      await this.changed({ kind: "readmitted", teamId });
    }
    return removed === 1;
  }
}
