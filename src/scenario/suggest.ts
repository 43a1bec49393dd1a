/** "did you mean …?" for misspelled keys and values. */

/** Levenshtein edit distance (insertions, deletions, substitutions), case-sensitive. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The candidate closest to `input` (ignoring case) within `maxDistance` edits; the first one on ties. */
export function suggest<T extends string>(input: string, candidates: readonly T[], maxDistance = 2): T | undefined {
  let best: T | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `did you mean 'sidecar'?` when a candidate is close to `input`; undefined otherwise. */
export function didYouMean(input: unknown, candidates: readonly string[]): string | undefined {
  const match = typeof input === 'string' ? suggest(input, candidates) : undefined;
  return match === undefined ? undefined : `did you mean '${match}'?`;
}
