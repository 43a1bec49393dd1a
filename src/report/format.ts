/** Human formatting of measured values; machine output (JSON) keeps raw numbers and units in field names. */

/** Microseconds as µs below 1 ms and ms above, with three significant digits; null (too few samples) as "—". */
export function formatUs(us: number | null): string {
  if (us === null) return '—';
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 10_000) return `${(us / 1000).toFixed(2)} ms`;
  if (us < 100_000) return `${(us / 1000).toFixed(1)} ms`;
  return `${Math.round(us / 1000)} ms`;
}

export function formatRate(rps: number | null): string {
  if (rps === null) return 'max';
  return rps >= 100 ? String(Math.round(rps)) : rps.toFixed(1);
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
