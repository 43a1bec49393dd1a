import { round } from '../core/numbers.ts';
import { pairedTInterval } from '../analysis/statistics/t-interval.ts';
import type { StartupMode } from './schema.ts';

/** Nearest-rank percentile of sorted values (the value at rank ⌈p/100 · n⌉). */
export function nearestRank(sorted: readonly number[], percent: number): number {
  return sorted[Math.max(0, Math.ceil((percent / 100) * sorted.length) - 1)]!;
}

const bounds = (values: readonly number[]) => {
  const interval = pairedTInterval(values);
  return interval ? { low: round(interval.low, 3), high: round(interval.high, 3) } : null;
};

/**
 * The timing part of a mode's start-up result from its per-round times (ms, one array per round): pooled
 * nearest-rank percentiles; each round's median with a t interval over rounds; against baseline, the per-round
 * medians paired by round (the round is the unit, as for latency). `baseline` is undefined for baseline itself.
 */
export function startupTimes(
  rounds: readonly (readonly number[])[],
  baseline: readonly (readonly number[])[] | undefined,
): Pick<StartupMode, 'samples' | 'startupMs' | 'perRoundP50Ms' | 'p50IntervalMs' | 'deltaP50Ms'> {
  const pooled = rounds.flat().sort((a, b) => a - b);
  const median = (values: readonly number[]): number | undefined => (values.length === 0 ? undefined : nearestRank([...values].sort((a, b) => a - b), 50));
  const perRound = rounds.map(median);
  const baseRound = baseline?.map(median);
  const paired = baseRound ? perRound.flatMap((p, i) => (p === undefined || baseRound[i] === undefined ? [] : [p - baseRound[i]!])) : [];
  const medians = perRound.filter((p): p is number => p !== undefined);
  return {
    samples: pooled.length,
    startupMs:
      pooled.length === 0
        ? null
        : { p50: nearestRank(pooled, 50), p90: nearestRank(pooled, 90), p99: nearestRank(pooled, 99), max: pooled.at(-1)! },
    perRoundP50Ms: medians,
    p50IntervalMs: bounds(medians),
    deltaP50Ms: baseline && paired.length > 0 ? { estimate: round(paired.reduce((a, b) => a + b, 0) / paired.length, 3), interval: bounds(paired) } : null,
  };
}
