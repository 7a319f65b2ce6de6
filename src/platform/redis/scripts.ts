// Every Lua script the store runs, read once from ./scripts/<name>-<numberOfKeys>.lua (each file's
// header documents its KEYS, ARGV and return values) and called through the typed functions below.
// Scripts run by EVALSHA, falling back to EVAL when the server has not cached them yet (a fresh
// Redis, a failover, SCRIPT FLUSH): EVAL caches the script, so the next call finds it. This needs no
// per-connection registration, so any connection (a store's, a worker's, a test's) can run them.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

export interface LuaScript {
  /** The file name without the key count, e.g. "commit-alert". */
  readonly name: string;
  readonly numberOfKeys: number;
  readonly lua: string;
  readonly sha: string;
}

type Arg = string | number;

/** Reads `scripts/<file>` beside this module (from src/ under tsx, and beside a build's output). */
export function loadScript(file: string): LuaScript {
  const match = /^([a-z][a-z0-9-]*)-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`Lua script file ${file} is not named <name>-<numberOfKeys>.lua`);
  const lua = readFileSync(new URL(`./scripts/${file}`, import.meta.url), "utf8");
  return {
    name: match[1]!,
    numberOfKeys: Number(match[2]),
    lua,
    sha: createHash("sha1").update(lua).digest("hex"),
  };
}

export const SCRIPTS = {
  commitAlert: loadScript("commit-alert-9.lua"),
  raiseField: loadScript("raise-field-1.lua"),
  reserveIncidentNumber: loadScript("reserve-incident-number-2.lua"),
  createIncident: loadScript("create-incident-3.lua"),
  commitIncident: loadScript("commit-incident-3.lua"),
  claimRemediationRun: loadScript("claim-remediation-run-1.lua"),
  releaseLock: loadScript("release-lock-1.lua"),
  renewLock: loadScript("renew-lock-1.lua"),
  claimHeartbeatMiss: loadScript("claim-heartbeat-miss-1.lua"),
  markHeartbeatPaged: loadScript("mark-heartbeat-paged-1.lua"),
  settlePending: loadScript("settle-pending-1.lua"),
  ejectTeam: loadScript("eject-team-2.lua"),
  settleSwap: loadScript("settle-swap-1.lua"),
  takeSlackToken: loadScript("take-slack-token-1.lua"),
  admitStormAlert: loadScript("admit-storm-alert-5.lua"),
  moveStormAlert: loadScript("move-storm-alert-5.lua"),
} as const;

/** Runs a script: EVALSHA, and EVAL when Redis answers NOSCRIPT. */
export async function runScript(
  redis: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly Arg[],
): Promise<unknown> {
  if (keys.length !== script.numberOfKeys) {
    throw new Error(`${script.name} takes ${script.numberOfKeys} keys, was given ${keys.length}`);
  }
  try {
    return await redis.evalsha(script.sha, script.numberOfKeys, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
    return redis.eval(script.lua, script.numberOfKeys, ...keys, ...args);
  }
}

const flag = (b: boolean) => (b ? "1" : "0");

export interface CommitAlertKeys {
  readonly group: string;
  readonly alert: string;
  readonly events: string;
  readonly openByRotation: string;
  readonly openByTeam: string;
  readonly alertsByTime: string;
  readonly delivery: string;
  readonly sent: string;
  /** The report digests of the alert's creation day. */
  readonly digests: string;
}

export interface CommitAlertArgs {
  /** The occurrence the group pointed at when read ("" for none); "*" leaves the group pointer alone. */
  readonly expectedLatest: string;
  readonly expectedVersion: number;
  readonly version: number;
  readonly doc: string;
  readonly occurrence: number;
  readonly open: boolean;
  readonly createdAtMs: number;
  readonly id: string;
  /** Seconds a resolved alert and its keys live; 0 keeps them. */
  readonly retentionSeconds: number;
  /** The report digest to store (a resolved alert whose day is still kept), and how long its day lives. */
  readonly digest: { readonly value: string; readonly ttlSeconds: number } | null;
  readonly events: readonly string[];
}

/** commit-alert-9.lua: true when committed, false when the group or alert changed since read. */
export async function commitAlert(redis: Redis, k: CommitAlertKeys, a: CommitAlertArgs): Promise<boolean> {
  const res = await runScript(
    redis,
    SCRIPTS.commitAlert,
    [
      k.group,
      k.alert,
      k.events,
      k.openByRotation,
      k.openByTeam,
      k.alertsByTime,
      k.delivery,
      k.sent,
      k.digests,
    ],
    [
      a.expectedLatest,
      String(a.expectedVersion),
      String(a.version),
      a.doc,
      String(a.occurrence),
      flag(a.open),
      String(a.createdAtMs),
      a.id,
      String(Math.max(0, Math.floor(a.retentionSeconds))),
      a.digest?.value ?? "",
      String(Math.max(1, Math.ceil(a.digest?.ttlSeconds ?? 1))),
      ...a.events,
    ],
  );
  return res === 1;
}

/** raise-field-1.lua: sets `field` of hash `key` to `value` unless it is already as high; true when raised. */
export async function raiseField(redis: Redis, key: string, field: string, value: number): Promise<boolean> {
  return (await runScript(redis, SCRIPTS.raiseField, [key], [field, String(value)])) === 1;
}

/** settle-pending-1.lua: takes `member` off the pending set unless it is pending at a newer version. */
export async function settlePending(
  redis: Redis,
  key: string,
  member: string,
  version: number,
): Promise<boolean> {
  return (await runScript(redis, SCRIPTS.settlePending, [key], [member, String(version)])) === 1;
}

/** What eject-team-2.lua answered; `emptied` are indexes into the rotations given. */
export type EjectTeamOutcome =
  | { readonly outcome: "ejected" }
  | { readonly outcome: "already" }
  | { readonly outcome: "last-team"; readonly emptied: readonly number[] };

/**
 * eject-team-2.lua: stores `ejection` for `teamId` and logs it, unless the team is ejected already
 * or every other team of one of `rotations` (each the team ids of a rotation the team is in) is.
 */
export async function ejectTeam(
  redis: Redis,
  k: { readonly ejections: string; readonly log: string },
  a: {
    readonly teamId: string;
    readonly ejection: string;
    readonly logEntry: string;
    readonly rotations: readonly (readonly string[])[];
  },
): Promise<EjectTeamOutcome> {
  const groups = a.rotations.flatMap((teams) => [String(teams.length), ...teams]);
  const [outcome, ...rest] = (await runScript(
    redis,
    SCRIPTS.ejectTeam,
    [k.ejections, k.log],
    [a.teamId, a.ejection, a.logEntry, String(a.rotations.length), ...groups],
  )) as [string, ...number[]];
  if (outcome === "ejected" || outcome === "already") return { outcome };
  if (outcome === "last-team") return { outcome, emptied: rest.map((i) => Number(i) - 1) };
  throw new Error(`eject-team answered ${String(outcome)}`);
}

/**
 * reserve-incident-number-2.lua: the next incident number, or (`fresh: false`) the one an earlier
 * attempt with the same `declared` marker took. `declared` "" means the declaration has none.
 */
export async function reserveIncidentNumber(
  redis: Redis,
  k: { readonly seq: string; readonly declared: string },
  markerTtlSeconds: number,
): Promise<{ number: number; fresh: boolean }> {
  const [n, fresh] = (await runScript(
    redis,
    SCRIPTS.reserveIncidentNumber,
    // No marker: the counter again, since a key '' lies in another slot (CROSSSLOT on a Cluster).
    [k.seq, k.declared || k.seq],
    [String(markerTtlSeconds)],
  )) as [number, number];
  return { number: Number(n), fresh: fresh === 1 };
}

/** create-incident-3.lua: true when created, false when the incident existed already. */
export async function createIncident(
  redis: Redis,
  k: { readonly incident: string; readonly byTime: string; readonly open: string },
  a: { readonly doc: string; readonly declaredAtMs: number; readonly id: string; readonly open: boolean },
): Promise<boolean> {
  const res = await runScript(
    redis,
    SCRIPTS.createIncident,
    [k.incident, k.byTime, k.open],
    [a.doc, String(a.declaredAtMs), a.id, flag(a.open)],
  );
  return res === 1;
}

export interface CommitIncidentArgs {
  readonly expectedVersion: number;
  readonly version: number;
  readonly doc: string;
  readonly id: string;
  readonly open: boolean;
  /** The postmortem to store with the incident, compare-and-set on its version too. */
  readonly postmortem?: { readonly expectedVersion: number; readonly version: number; readonly doc: string };
}

/** commit-incident-3.lua: true when committed, false when the incident or postmortem changed since read. */
export async function commitIncident(
  redis: Redis,
  k: { readonly incident: string; readonly open: string; readonly postmortem: string },
  a: CommitIncidentArgs,
): Promise<boolean> {
  const args: Arg[] = [String(a.expectedVersion), String(a.version), a.doc, a.id, flag(a.open)];
  if (a.postmortem) {
    args.push(String(a.postmortem.expectedVersion), String(a.postmortem.version), a.postmortem.doc);
  }
  return (await runScript(redis, SCRIPTS.commitIncident, [k.incident, k.open, k.postmortem], args)) === 1;
}

/** claim-remediation-run-1.lua: whether run `runId` may start, and the runs inside the window. */
export async function claimRemediationRun(
  redis: Redis,
  historyKey: string,
  a: {
    readonly nowMs: number;
    readonly windowStartMs: number;
    readonly runId: string;
    readonly limit: number;
    readonly ttlMs: number;
  },
): Promise<{ allowed: boolean; runs: number }> {
  const [allowed, runs] = (await runScript(
    redis,
    SCRIPTS.claimRemediationRun,
    [historyKey],
    [String(a.nowMs), String(a.windowStartMs), a.runId, String(a.limit), String(a.ttlMs)],
  )) as [number, number];
  return { allowed: allowed === 1, runs: Number(runs) };
}

/** release-lock-1.lua: true when released, false when the lock is no longer held with `token`. */
export async function releaseLock(redis: Redis, key: string, token: string): Promise<boolean> {
  return (await runScript(redis, SCRIPTS.releaseLock, [key], [token])) === 1;
}

/** renew-lock-1.lua: true when renewed, false when the lock is no longer held with `token`. */
export async function renewLock(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return (await runScript(redis, SCRIPTS.renewLock, [key], [token, String(ttlMs)])) === 1;
}

export type HeartbeatClaim = "new" | "claimed" | "paged" | "stale";

/** claim-heartbeat-miss-1.lua: claims the outage after the last ping `lastPingAt` (null: none). */
export async function claimHeartbeatMiss(
  redis: Redis,
  key: string,
  lastPingAt: number | null,
): Promise<{ claim: HeartbeatClaim; outage: string }> {
  const claim = (await runScript(
    redis,
    SCRIPTS.claimHeartbeatMiss,
    [key],
    [lastPingAt === null ? "" : String(lastPingAt)],
  )) as HeartbeatClaim;
  return { claim, outage: lastPingAt === null ? "none" : String(lastPingAt) };
}

/** mark-heartbeat-paged-1.lua: true when the outage is still on and now marked paged. */
export async function markHeartbeatPaged(redis: Redis, key: string, outage: string): Promise<boolean> {
  return (await runScript(redis, SCRIPTS.markHeartbeatPaged, [key], [outage])) === 1;
}

export type SwapSettlement =
  | { readonly outcome: "taken" | "taken-before"; readonly by: string }
  | { readonly outcome: "expired" | "expired-before" | "open" | "missing" };

/**
 * settle-swap-1.lua: the first Take of a swap request wins; nobody takes one past its expiry;
 * "reopen" gives back a Take whose override was never stored.
 */
export async function settleSwap(
  redis: Redis,
  key: string,
  a: { readonly action: "take" | "expire" | "reopen"; readonly taker?: string; readonly nowMs: number },
): Promise<SwapSettlement> {
  const [outcome, by] = (await runScript(
    redis,
    SCRIPTS.settleSwap,
    [key],
    [a.action, a.taker ?? "", String(a.nowMs)],
  )) as [string, string];
  if (outcome === "taken" || outcome === "taken-before") return { outcome, by };
  if (outcome === "expired" || outcome === "expired-before" || outcome === "open" || outcome === "missing") {
    return { outcome };
  }
  throw new Error(`settle-swap answered ${String(outcome)}`);
}

/** A Slack pacing bucket's size: `capacity` tokens (the burst), refilled at `perSecond`. */
export interface BucketSize {
  readonly capacity: number;
  readonly perSecond: number;
}

/**
 * take-slack-token-1.lua: 0 when a token was taken from `bucket`, else the ms to wait for one.
 * `reserve` tokens are left for more urgent calls; `blockMs` > 0 blocks the bucket instead (a 429).
 */
export async function takeSlackToken(
  redis: Redis,
  bucket: string,
  size: BucketSize,
  reserve: number,
  blockMs = 0,
): Promise<number> {
  return Number(
    await runScript(
      redis,
      SCRIPTS.takeSlackToken,
      [bucket],
      [
        String(size.capacity),
        String(size.perSecond),
        String(reserve),
        String(Math.max(0, Math.ceil(blockMs))),
      ],
    ),
  );
}

/** The keys of a channel's storm scripts (admit-storm-alert-5.lua, move-storm-alert-5.lua). */
export interface StormKeys {
  readonly channel: string;
  readonly recent: string;
  readonly admitted: string;
  readonly storm: string;
  readonly stormAlerts: string;
}

export type StormAdmitAnswer =
  | { readonly kind: "page" }
  | { readonly kind: "fold"; readonly seq: string; readonly opened: boolean }
  | { readonly kind: "retry"; readonly seq: string };

/** admit-storm-alert-5.lua: a page, or the storm the alert folds into (see the script's header). */
export async function admitStormAlert(
  redis: Redis,
  k: StormKeys,
  a: {
    readonly alertId: string;
    readonly nowMs: number;
    readonly windowMs: number;
    readonly threshold: number;
    readonly candidateSeq: string;
    readonly state: string;
    readonly openedAt: string;
    readonly oncall: string | null;
    readonly ttlSeconds: number;
  },
): Promise<StormAdmitAnswer> {
  const [kind, seq, opened] = (await runScript(
    redis,
    SCRIPTS.admitStormAlert,
    [k.channel, k.recent, k.admitted, k.storm, k.stormAlerts],
    [
      a.alertId,
      String(a.nowMs),
      String(a.windowMs),
      String(a.threshold),
      a.candidateSeq,
      a.state,
      a.openedAt,
      a.oncall ?? "",
      String(Math.max(1, Math.ceil(a.ttlSeconds))),
    ],
  )) as [string, string, number];
  if (kind === "page") return { kind };
  if (kind === "fold") return { kind, seq: String(seq), opened: Number(opened) === 1 };
  if (kind === "retry") return { kind, seq: String(seq) };
  throw new Error(`admit-storm-alert answered ${String(kind)}`);
}

/** move-storm-alert-5.lua: a storm alert's new digest state, or its leaving; whether that closed the storm. */
export async function moveStormAlert(
  redis: Redis,
  k: StormKeys,
  a: {
    readonly alertId: string;
    readonly move: { readonly kind: "state"; readonly state: string } | { readonly kind: "leave" };
    readonly seq: string;
    readonly nowIso: string;
  },
): Promise<{ changed: boolean; closedNow: boolean; closed: boolean }> {
  const [changed, closedNow, closed] = (await runScript(
    redis,
    SCRIPTS.moveStormAlert,
    [k.storm, k.stormAlerts, k.admitted, k.channel, k.recent],
    [a.alertId, a.move.kind, a.move.kind === "state" ? a.move.state : "", a.seq, a.nowIso],
  )) as [number, number, number];
  return { changed: Number(changed) === 1, closedNow: Number(closedNow) === 1, closed: Number(closed) === 1 };
}
