// Time-zone arithmetic for the rotation and workday engines.
//
// `Intl.DateTimeFormat` (what @date-fns/tz uses underneath) costs ~2 µs per offset lookup, and
// `shiftAt` needs several per call. So each zone's UTC offsets are read from Intl once per 28-day
// chunk, transitions located to the second, and later lookups are a Map hit plus a tiny scan. The
// memo is pure: offsets of a zone never change while the process runs.
//
// "Wall" times are local wall-clock readings encoded as if they were UTC epoch milliseconds
// (`Date.UTC(y, m, d, h, min)`), so calendar arithmetic on them needs no time zone at all.
//
// DST rules for wall -> instant (`fromWall`):
// - a wall time that does not exist (skipped by a spring-forward gap) maps to the first instant that
//   exists after it, i.e. the transition itself (02:30 on a Berlin spring-forward day -> 03:00 CEST);
// - a wall time that occurs twice (fall-back overlap) maps to its first occurrence (the earlier
//   instant, still on summer time).
// Both keep `fromWall` monotonic (non-decreasing), which the slot search in rotation.ts relies on.
//
// Limitation: two offset changes less than a day apart are not resolved (sampling is daily). No zone
// in the tz database does that in the years a rotation cares about.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const CHUNK_MS = 28 * DAY_MS;
const CHUNK_DAYS = CHUNK_MS / DAY_MS;
/** Bounds the memo if someone scans centuries; clearing only costs recomputation. */
const MAX_CHUNKS = 50_000;

interface Chunk {
  /** Offset (ms) in effect at the chunk's first instant. */
  readonly offset0: number;
  /** Instants inside the chunk where the offset changes, ascending. */
  readonly changes: readonly number[];
  /** Offset in effect from `changes[i]` on. */
  readonly offsets: readonly number[];
}

export interface Zone {
  readonly name: string;
  /** UTC offset in ms at the instant `t` (local = utc + offset). */
  offsetAt(t: number): number;
  /** Local wall-clock reading of the instant `t`, encoded as epoch ms. */
  toWall(t: number): number;
  /** The instant showing wall time `w`, resolved by the DST rules above. */
  fromWall(w: number): number;
}

class TableZone implements Zone {
  private readonly chunks = new Map<number, Chunk>();
  private readonly format: (date: Date) => string;

  constructor(readonly name: string) {
    try {
      this.format = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" }).format;
    } catch {
      throw new RangeError(`Unknown time zone "${name}": use an IANA name such as "Europe/Berlin"`);
    }
  }

  // One call resolves several instants within a day of each other, so the last chunk usually hits.
  private lastKey = Number.NaN;
  private lastChunk: Chunk | undefined;

  offsetAt(t: number): number {
    const key = Math.floor(t / CHUNK_MS);
    let chunk = this.lastChunk;
    if (key !== this.lastKey || !chunk) {
      chunk = this.chunks.get(key) ?? this.load(key);
      this.lastKey = key;
      this.lastChunk = chunk;
    }
    const { changes } = chunk;
    if (changes.length === 0 || t < changes[0]!) return chunk.offset0;
    let i = changes.length - 1;
    while (t < changes[i]!) i--;
    return chunk.offsets[i]!;
  }

  toWall(t: number): number {
    return t + this.offsetAt(t);
  }

  fromWall(w: number): number {
    // Offsets stay within ±1 day, so a day either side brackets every candidate instant.
    const before = this.offsetAt(w - DAY_MS);
    const after = this.offsetAt(w + DAY_MS);
    if (before === after) return w - before;
    const early = w - before;
    if (this.offsetAt(early) === before) return early;
    const late = w - after;
    if (this.offsetAt(late) === after) return late;
    // Neither reading exists: w falls in a gap, which lies between the two candidates.
    return this.firstChangeAfter(late, early);
  }

  /** The first instant in (lo, hi] whose offset differs from the one at lo. */
  private firstChangeAfter(lo: number, hi: number): number {
    let current = this.offsetAt(lo);
    for (let key = Math.floor(lo / CHUNK_MS); key <= Math.floor(hi / CHUNK_MS); key++) {
      const chunk = this.chunks.get(key) ?? this.load(key);
      const chunkStart = key * CHUNK_MS;
      if (chunkStart > lo && chunk.offset0 !== current) return chunkStart;
      current = chunk.offset0;
      for (let i = 0; i < chunk.changes.length; i++) {
        const at = chunk.changes[i]!;
        if (at > lo && at <= hi && chunk.offsets[i] !== current) return at;
        if (at <= lo) current = chunk.offsets[i]!;
      }
    }
    return hi;
  }

  private load(key: number): Chunk {
    const start = key * CHUNK_MS;
    const offset0 = this.intlOffset(start);
    const changes: number[] = [];
    const offsets: number[] = [];
    let prevT = start;
    let prev = offset0;
    // Sampling the next chunk's first instant too catches a change in the last day.
    for (let day = 1; day <= CHUNK_DAYS; day++) {
      const t = start + day * DAY_MS;
      const off = this.intlOffset(t);
      if (off !== prev) {
        const at = this.bisect(prevT, t, prev);
        if (at < start + CHUNK_MS) {
          changes.push(at);
          offsets.push(off);
        }
        prev = off;
      }
      prevT = t;
    }
    if (this.chunks.size >= MAX_CHUNKS) this.chunks.clear();
    const chunk: Chunk = { offset0, changes, offsets };
    this.chunks.set(key, chunk);
    return chunk;
  }

  /** The first whole second in (lo, hi] whose offset is not `from`; tz data has second resolution. */
  private bisect(lo: number, hi: number, from: number): number {
    let a = lo / 1000;
    let b = hi / 1000;
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (this.intlOffset(mid * 1000) === from) a = mid;
      else b = mid;
    }
    return b * 1000;
  }

  private intlOffset(t: number): number {
    // "7/1/2026, GMT+02:00"; UTC may print a bare "GMT"; historic LMT carries seconds.
    const text = this.format(new Date(t));
    const m = /GMT(?:([+-])(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?)?$/.exec(text);
    if (!m) throw new Error(`Cannot read the UTC offset of ${this.name} from "${text}"`);
    if (!m[1]) return 0;
    const ms = (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * 1000;
    return m[1] === "-" ? -ms : ms;
  }
}

const zones = new Map<string, Zone>();

/** The memoized zone for an IANA name; throws a RangeError naming the zone if it is unknown. */
export function getZone(name: string): Zone {
  let zone = zones.get(name);
  if (!zone) {
    zone = new TableZone(name);
    zones.set(name, zone);
  }
  return zone;
}

/** Days since 1970-01-01 of a "YYYY-MM-DD" local date; throws on anything else. */
export function parseLocalDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new RangeError(`Invalid date "${text}": expected YYYY-MM-DD`);
  }
  return ms / DAY_MS;
}

/** "YYYY-MM-DD" of a day number (days since 1970-01-01). */
export function formatLocalDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday, like Date#getUTCDay. 1970-01-01 was a Thursday. */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}
