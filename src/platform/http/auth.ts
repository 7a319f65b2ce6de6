import { createHash, timingSafeEqual } from "node:crypto";

// Both sides are hashed first so that neither the comparison nor an early length check leaks
// anything about the expected secret.
function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}

/** Compares a secret given in a URL or header with the expected one, in constant time. */
export function secretMatches(given: string, expected: string): boolean {
  return sameSecret(given, expected);
}

/** Checks `Authorization: Bearer <token>` in constant time. */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return sameSecret(m?.[1] ?? "", expected);
}

/**
 * Checks Opsgenie's `Authorization: GenieKey <key>` against every accepted key, in constant time
 * (every key is compared, so how long it takes says nothing about which one matched). Returns the
 * key that matched, for callers whose keys pin a team or service, or null.
 */
export function genieKeyMatches(header: string | undefined, keys: readonly string[]): string | null {
  const m = /^GenieKey\s+(.+)$/i.exec(header?.trim() ?? "");
  const given = m?.[1] ?? "";
  let matched: string | null = null;
  for (const key of keys) {
    if (sameSecret(given, key) && matched === null) matched = key;
  }
  return matched;
}
