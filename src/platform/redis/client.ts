import { Cluster, Redis, type RedisOptions } from "ioredis";
import { CodedError, ErrorCode } from "../errors";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

/**
 * Where the bot's Redis is: one server at a URL (REDIS_URL), a primary Sentinel names
 * (REDIS_SENTINELS + REDIS_SENTINEL_NAME, or a redis+sentinel:// URL), or a Cluster
 * (REDIS_CLUSTER_NODES). Passwords are secrets: `describeTarget` leaves them out.
 */
export type RedisTarget =
  | { readonly kind: "url"; readonly url: string }
  | {
      readonly kind: "sentinel";
      readonly sentinels: readonly RedisNode[];
      /** The primary's name in the sentinels' configuration (`sentinel monitor <name> …`). */
      readonly name: string;
      readonly password: string | null;
      readonly sentinelPassword: string | null;
      readonly db: number;
    }
  | { readonly kind: "cluster"; readonly nodes: readonly RedisNode[]; readonly password: string | null };

/** Where a target points, for logs and errors: no password. */
export function describeTarget(target: RedisTarget | string): string {
  const t = typeof target === "string" ? ({ kind: "url", url: target } as const) : target;
  const list = (nodes: readonly RedisNode[]) => nodes.map((n) => `${n.host}:${n.port}`).join(",");
  if (t.kind === "url") return redactUrl(t.url);
  if (t.kind === "sentinel") return `sentinel ${list(t.sentinels)} primary "${t.name}"`;
  return `cluster ${list(t.nodes)}`;
}

/** "host:port,host:port" as nodes; null when an entry is not host:port. */
export function parseNodeList(value: string): RedisNode[] | null {
  const nodes: RedisNode[] = [];
  for (const entry of value.split(",").map((e) => e.trim())) {
    const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(entry);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65_535) return null;
    nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ""), port: Number(m[2]) });
  }
  return nodes.length ? nodes : null;
}

/**
 * `redis+sentinel://[:password@]host:port[,host:port…]/<primary name>[/<db>]` as a target; a
 * string saying what is wrong when it is not one. The password is the primary's (and replicas').
 */
export function parseSentinelUrl(url: string): Extract<RedisTarget, { kind: "sentinel" }> | string {
  const m = /^redis\+sentinel:\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/]+)\/([^/]+)(?:\/(\d+))?\/?$/.exec(url);
  if (!m) return "must look like redis+sentinel://[:password@]host:26379,host:26379/<primary name>[/<db>]";
  const sentinels = parseNodeList(m[2]!);
  if (!sentinels) return "lists a sentinel that is not host:port";
  return {
    kind: "sentinel",
    sentinels,
    name: decodeURIComponent(m[3]!),
    password: m[1] ? decodeURIComponent(m[1]) : null,
    sentinelPassword: null,
    db: m[4] ? Number(m[4]) : 0,
  };
}

/**
 * A connection to `target` with `opts`. A Cluster client is returned as the `Redis` the rest of
 * the bot types against: it answers the same commands, and every key of one prefix lives in one
 * slot (the prefix carries a hash tag, see keys.ts), so scripts, MULTI and pipelines stay valid.
 */
function connect(target: RedisTarget | string, opts: RedisOptions): Redis {
  const t = typeof target === "string" ? ({ kind: "url", url: target } as const) : target;
  if (t.kind === "url") return new Redis(t.url, opts);
  if (t.kind === "sentinel") {
    return new Redis({
      ...opts,
      sentinels: [...t.sentinels],
      name: t.name,
      db: t.db,
      ...(t.password ? { password: t.password } : {}),
      ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
    });
  }
  const { enableOfflineQueue, lazyConnect, ...redisOptions } = opts;
  return new Cluster([...t.nodes], {
    ...(enableOfflineQueue === undefined ? {} : { enableOfflineQueue }),
    ...(lazyConnect === undefined ? {} : { lazyConnect }),
    redisOptions: { ...redisOptions, ...(t.password ? { password: t.password } : {}) },
  }) as unknown as Redis;
}

export function isCluster(redis: Redis): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/**
 * How long one Redis command may take before it fails (REDIS_COMMAND_TIMEOUT). A Redis that holds
 * the connection open but never answers (a partition, a stopped server) would otherwise hang every
 * webhook and `/readyz` until the sender gives up; with the bound they answer 503 in time.
 */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

/**
 * A connection for the store. No offline queue: when Redis is away, commands fail at once; when it
 * hangs, after the command timeout. Either way a webhook answers 503 (Alertmanager retries)
 * instead of hanging until its own timeout.
 */
export function connectStore(target: RedisTarget | string, extra: RedisOptions = {}): Redis {
  return connect(target, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
    lazyConnect: true,
    ...extra,
  });
}

/**
 * The queues' connection (adding jobs from a webhook's hooks), bounded like the store. BullMQ
 * requires `maxRetriesPerRequest: null` on the connections it blocks on, which are duplicated from
 * this one (`blockingConnection`).
 */
export function connectQueue(target: RedisTarget | string, extra: RedisOptions = {}): Redis {
  return connect(target, {
    maxRetriesPerRequest: null,
    commandTimeout: DEFAULT_COMMAND_TIMEOUT_MS,
    lazyConnect: true,
    ...extra,
  });
}

/**
 * A worker's connection, which BullMQ blocks on (BZPOPMIN for seconds at a time): without the
 * command timeout, which would cut those waits short. BullMQ's own watchdog bounds them.
 */
export function blockingConnection(from: Redis): Redis {
  if (isCluster(from)) {
    const cluster = from as unknown as Cluster;
    return cluster.duplicate(undefined, {
      redisOptions: { ...cluster.options.redisOptions, commandTimeout: undefined },
    }) as unknown as Redis;
  }
  return from.duplicate({ commandTimeout: undefined });
}

/** Redis could not be reached at start-up; `url` is where we looked, its password hidden. */
export class RedisConnectionError extends CodedError {
  readonly code = ErrorCode.RedisConnectionError;

  constructor(
    readonly url: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`cannot connect to Redis at ${url}: ${detail}`, options);
  }
}

/** Resolves once the connection is ready; rejects with a `RedisConnectionError`. */
export async function waitReady(
  redis: Redis,
  target: RedisTarget | string,
  timeoutMs = 10_000,
): Promise<void> {
  if (redis.status === "ready") return;
  const where = describeTarget(target);
  const connecting =
    redis.status === "wait"
      ? redis.connect()
      : new Promise<void>((resolve, reject) => {
          redis.once("ready", () => resolve());
          redis.once("error", reject);
        });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Redis at ${where} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([connecting, timeout]);
  } catch (err) {
    throw new RedisConnectionError(where, (err as Error).message, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

/** Deletes every key under `prefix` (tests, benches and the sandbox start and end clean). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  if (isCluster(redis)) {
    // SCAN walks one node: walk every primary, deleting through the cluster client (slot routing).
    for (const node of (redis as unknown as Cluster).nodes("master")) await deleteOnNode(node, prefix, redis);
    return;
  }
  await deleteOnNode(redis, prefix, redis);
}

async function deleteOnNode(node: Redis, prefix: string, via: Redis): Promise<void> {
  // Keys may contain a hash tag's braces; MATCH treats only * ? [ ] \ as special.
  const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
  let cursor = "0";
  do {
    const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    // One DEL per key on a cluster: a DEL of many keys must not cross slots.
    if (keys.length) await (isCluster(via) ? Promise.all(keys.map((k) => via.del(k))) : via.del(...keys));
  } while (cursor !== "0");
}
