// "Did you mean" hints: most config mistakes are typos of a name that exists elsewhere.

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The candidate closest to `input`, if it is close enough to be a plausible typo. */
export function closest(input: string, candidates: Iterable<string>): string | null {
  const needle = input.toLowerCase();
  const limit = Math.max(2, Math.floor(input.length / 3));
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(needle, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : null;
}

/** `; did you mean "search"?` or `; known: a, b, c` (or "" when there is nothing to offer). */
export function hint(input: string, candidates: readonly string[], noun = "known"): string {
  const near = closest(input, candidates);
  if (near !== null && near !== input) return `; did you mean ${JSON.stringify(near)}?`;
  if (candidates.length === 0) return "";
  const shown = candidates.slice(0, 12).join(", ");
  return `; ${noun}: ${shown}${candidates.length > 12 ? ", …" : ""}`;
}
