// Matching the products' people to Slack users by email: a mapping file (`alice@example.com: U01AAA`)
// first, then a Slack id the export already holds, then Slack's users.lookupByEmail. That method is
// Tier 4 (about 100 calls a minute): calls are spaced and a 429's Retry-After is waited out.

import { parseDocument } from "yaml";
import { classifySlackError } from "../../platform/slack/api";
import { ImportError, type SourceOrg, type SourcePerson } from "./source";

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

/** email (lower-case) -> Slack user id, from the mapping file's text. */
export function parseMapping(text: string, file: string): Map<string, string> {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new ImportError(`${file}: not valid YAML: ${doc.errors[0]!.message}`);
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) return new Map();
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ImportError(
      `${file}: expected a mapping of email to Slack user id, e.g. "alice@example.com: U01AAA"`,
    );
  }
  const out = new Map<string, string>();
  const problems: string[] = [];
  for (const [email, id] of Object.entries(data as Record<string, unknown>)) {
    if (!email.includes("@")) problems.push(`${file}: ${email}: expected an email address as the key`);
    else if (typeof id !== "string" || !SLACK_USER.test(id)) {
      problems.push(`${file}: ${email}: expected a Slack user id such as U01AAA, got ${JSON.stringify(id)}`);
    } else out.set(email.toLowerCase(), id);
  }
  if (problems.length > 0) throw new ImportError(problems.join("\n"));
  return out;
}

/** A Slack channel id per team or rotation id, from the --channels file (`payments: C0PAYMENTS`). */
export function parseChannels(text: string, file: string): Map<string, string> {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new ImportError(`${file}: not valid YAML: ${doc.errors[0]!.message}`);
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new ImportError(
      `${file}: expected a mapping of team or rotation id to Slack channel id, e.g. "payments: C0PAYMENTS"`,
    );
  }
  const out = new Map<string, string>();
  for (const [key, id] of Object.entries(data as Record<string, unknown>)) {
    if (typeof id !== "string" || !/^[CG][A-Z0-9]{2,}$/.test(id)) {
      throw new ImportError(
        `${file}: ${key}: expected a Slack channel id such as C0PAYMENTS, got ${JSON.stringify(id)}`,
      );
    }
    out.set(key, id);
  }
  return out;
}

/** Looks up one email; null when Slack has no such user. */
export type Lookup = (email: string) => Promise<string | null>;

export interface ApiCaller {
  apiCall(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface LookupOptions {
  /** Least time between two calls; Tier 4 allows ~100 a minute. */
  readonly minIntervalMs?: number;
  readonly maxAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly clock?: () => number;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const FAILURE_HINTS: Readonly<Record<string, string>> = {
  missing_scope: "the token needs the users:read.email scope",
  invalid_auth: "SLACK_BOT_TOKEN is not a valid token",
  not_authed: "SLACK_BOT_TOKEN is not set",
  account_inactive: "the token's app or user is deactivated",
};

/** users.lookupByEmail, paced and patient with rate limits; other failures stop the import. */
export function slackLookup(client: ApiCaller, options: LookupOptions = {}): Lookup {
  const minInterval = options.minIntervalMs ?? 600;
  const maxAttempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? sleepMs;
  const clock = options.clock ?? Date.now;
  let last = Number.NEGATIVE_INFINITY;
  return async (email) => {
    for (let attempt = 1; ; attempt++) {
      const wait = last + minInterval - clock();
      if (wait > 0) await sleep(wait);
      try {
        const res = await client.apiCall("users.lookupByEmail", { email });
        const id = (res.user as { id?: unknown } | undefined)?.id;
        return typeof id === "string" ? id : null;
      } catch (err) {
        const failure = classifySlackError(err);
        if (failure.kind === "permanent") {
          if (failure.error === "users_not_found") return null;
          const hint = FAILURE_HINTS[failure.error];
          throw new ImportError(
            `Slack users.lookupByEmail failed: ${failure.error}${hint ? ` (${hint})` : ""}`,
            {
              cause: err,
            },
          );
        }
        if (attempt >= maxAttempts) {
          throw new ImportError(
            `Slack users.lookupByEmail kept failing (${failure.kind === "rate_limited" ? "rate limited" : failure.detail}) after ${attempt} attempts; try again later or pass --people`,
            { cause: err },
          );
        }
        // Retry-After when Slack gives one, else back off 1 s, 2 s, 4 s …
        await sleep(failure.kind === "rate_limited" ? failure.retryAfterMs : 1000 * 2 ** (attempt - 1));
      } finally {
        // Counted from the answer, so a slow call does not let the next one follow it closely.
        last = clock();
      }
    }
  };
}

export interface Resolved {
  /** person key -> Slack user id */
  readonly slackIds: Map<string, string>;
  /** How each was matched, for the report. */
  readonly counts: {
    readonly mapping: number;
    readonly export: number;
    readonly lookup: number;
    readonly none: number;
  };
}

/** Slack ids for the people, in mapping -> export -> lookup order. */
export async function resolvePeople(
  people: readonly SourcePerson[],
  mapping: ReadonlyMap<string, string>,
  lookup: Lookup | null,
): Promise<Resolved> {
  const slackIds = new Map<string, string>();
  const counts = { mapping: 0, export: 0, lookup: 0, none: 0 };
  const looked = new Map<string, string | null>();
  for (const p of people) {
    const email = p.email?.toLowerCase() ?? null;
    const mapped = email ? mapping.get(email) : undefined;
    if (mapped) {
      slackIds.set(p.key, mapped);
      counts.mapping++;
    } else if (p.slackId && SLACK_USER.test(p.slackId)) {
      slackIds.set(p.key, p.slackId);
      counts.export++;
    } else if (email && lookup) {
      if (!looked.has(email)) looked.set(email, await lookup(email));
      const found = looked.get(email);
      if (found) {
        slackIds.set(p.key, found);
        counts.lookup++;
      } else counts.none++;
    } else counts.none++;
  }
  return { slackIds, counts };
}

/** The people a schedule or team names: only they are looked up (an org's user list can be long). */
export function peopleInUse(org: SourceOrg): SourcePerson[] {
  const keys = new Set<string>();
  for (const t of org.teams) for (const m of t.members) keys.add(m);
  for (const s of org.schedules) {
    for (const l of s.layers) for (const p of l.participants) if (p.kind === "person") keys.add(p.key);
    for (const o of s.overrides) if (o.person) keys.add(o.person);
  }
  return org.people.filter((p) => keys.has(p.key) || p.admin);
}
