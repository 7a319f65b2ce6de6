// Rotation engine throughput: who is on call at 1,000,000 random instants, against a bare baseline
// that ignores time zones, plus the cost of generating a year of shifts.
//   npx tsx bench/rotation.ts     or     npm run bench -- rotation

import { pathToFileURL } from "node:url";
import type { Rotation } from "../src/core/config";
import { type Override, type RotationState, shiftAt, shiftsBetween } from "../src/core/rotation";
import { mergedRotation } from "../tests/support/rotations";

const N = 1_000_000;
const DAY = 86_400_000;
const WEEK = 7 * DAY;

function rotation(patch: Partial<Rotation> = {}): Rotation {
  return mergedRotation({
    teams: ["playback", "search", "ads", "billing"],
    participants: ["playback", "search", "ads", "billing", "playback", "search"].map((team, i) => ({
      user: `U0${i + 1}`,
      team,
    })),
    admins: [],
    ...patch,
  });
}

/** Deterministic instants (mulberry32) within ±2 years of the anchor. */
function instants(anchor: number): Float64Array {
  let seed = 0x5eed;
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    const r = ((x ^ (x >>> 14)) >>> 0) / 4294967296;
    out[i] = anchor + Math.floor((r * 2 - 1) * 730 * DAY);
  }
  return out;
}

function time(fn: () => number): { ms: number; check: number } {
  const t0 = performance.now();
  const check = fn();
  return { ms: performance.now() - t0, check };
}

function line(label: string, ms: number, ops: number, baselineMs?: number): void {
  const nsPerOp = (ms * 1e6) / ops;
  const opsPerSec = Math.round(ops / (ms / 1000)).toLocaleString("en-US");
  const ratio = baselineMs === undefined ? "" : `  ${(ms / baselineMs).toFixed(0)}x baseline`;
  console.log(
    `  ${label.padEnd(44)} ${opsPerSec.padStart(13)} ops/s ${nsPerOp.toFixed(1).padStart(8)} ns/op${ratio}`,
  );
}

export async function run(): Promise<void> {
  const rot = rotation();
  const anchor = Date.UTC(2026, 0, 5, 9);
  const ts = instants(anchor);
  const n = rot.participants.length;
  const dates = Array.from(ts, (t) => new Date(t));

  const overrides: Override[] = [
    ["U09", "2026-02-02T00:00:00Z", "2026-02-04T00:00:00Z"],
    ["U02", "2026-06-01T12:00:00Z", "2026-06-09T12:00:00Z"],
    ["U10", "2027-03-27T00:00:00Z", "2027-03-29T00:00:00Z"],
    ["U03", "2025-12-24T00:00:00Z", "2025-12-27T00:00:00Z"],
    ["U11", "2026-10-24T00:00:00Z", "2026-10-26T00:00:00Z"],
  ].map(([user, from, to], i) => ({
    id: `ov${i}`,
    rotationId: "merged",
    user: user!,
    from: new Date(from!),
    to: new Date(to!),
    createdBy: "U0ADMIN",
  }));
  const withState: RotationState = { overrides, ejectedTeams: new Set(["ads"]) };

  const baseline = () => {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += (((Math.floor((ts[i]! - anchor) / WEEK) % n) + n) % n) as number;
    return sum;
  };
  // What the API's result alone costs: one Shift-shaped object with two fresh Dates per call.
  const allocation = () => {
    let sum = 0;
    for (let i = 0; i < N; i++) {
      const t = dates[i]!.getTime();
      const shift = {
        rotationId: "merged",
        user: "U01",
        team: "playback",
        start: new Date(t - WEEK),
        end: new Date(t + WEEK),
        scheduledUser: "U01",
        overrideId: null,
      };
      sum += shift.user.length;
    }
    return sum;
  };
  const plain = () => {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += shiftAt(rot, dates[i]!)!.user.length;
    return sum;
  };
  const stateful = () => {
    let sum = 0;
    for (let i = 0; i < N; i++) sum += shiftAt(rot, dates[i]!, withState)!.user.length;
    return sum;
  };

  // Warm-up: JIT, and the time-zone table for the whole range.
  baseline();
  allocation();
  for (let i = 0; i < 50_000; i++) {
    shiftAt(rot, dates[i]!);
    shiftAt(rot, dates[i]!, withState);
  }

  console.log(
    `rotation: shiftAt at ${N.toLocaleString("en-US")} random instants within ±2 years (1w shifts, Europe/Berlin, ${n} participants)`,
  );
  const base = time(baseline);
  line("baseline: floor((t - anchor) / week) % n", base.ms, N);
  const alloc = time(allocation);
  line("floor: allocate a Shift + 2 Dates only", alloc.ms, N, base.ms);
  const p = time(plain);
  line("shiftAt", p.ms, N, base.ms);
  const s = time(stateful);
  line("shiftAt + 5 overrides + 1 ejected team", s.ms, N, base.ms);

  console.log("rotation: shiftsBetween over one year (2026), median of 20 runs");
  const from = new Date("2026-01-01T00:00:00Z");
  const to = new Date("2027-01-01T00:00:00Z");
  for (const [label, r] of [
    ["1w shifts", rot],
    ["12h shifts", rotation({ shift: { unit: "h", amount: 12 } })],
    ["1h shifts", rotation({ shift: { unit: "h", amount: 1 } })],
  ] as const) {
    for (const state of [undefined, withState]) {
      for (let i = 0; i < 5; i++) shiftsBetween(r, from, to, state);
      const runs: number[] = [];
      let count = 0;
      for (let i = 0; i < 20; i++) {
        const t = time(() => shiftsBetween(r, from, to, state).length);
        runs.push(t.ms);
        count = t.check;
      }
      runs.sort((a, b) => a - b);
      const name = `${label}${state ? " + overrides + ejected" : ""}`;
      console.log(`  ${name.padEnd(44)} ${runs[10]!.toFixed(3).padStart(9)} ms  (${count} shifts)`);
    }
  }
  if (p.check === 0 || s.check === 0) throw new Error("bench produced no shifts");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
