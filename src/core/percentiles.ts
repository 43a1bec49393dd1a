/** The latency percentiles meshtax reports, by the key run.json and every report use, with the percent each stands for. */
export const PERCENTILES = { p50: 50, p90: 90, p95: 95, p99: 99, p999: 99.9 } as const;
export type PercentileKey = keyof typeof PERCENTILES;

/** The percentile keys in ascending order: p50, p90, p95, p99, p999. */
export const PERCENTILE_KEYS = Object.keys(PERCENTILES) as PercentileKey[];

/** An object with one entry per percentile key, in ascending order, each `value(key, percent)`. */
export function perPercentile<T>(value: (key: PercentileKey, percent: number) => T): Record<PercentileKey, T> {
  return Object.fromEntries(PERCENTILE_KEYS.map((key) => [key, value(key, PERCENTILES[key])])) as Record<PercentileKey, T>;
}
