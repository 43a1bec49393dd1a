import type { Comparison, PhaseRecord } from '../results/schema.ts';
import type { PercentileKey } from '../loadgen/histogram.ts';
import { bootstrapDeltaInterval, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, intervalReliability, type DeltaInterval } from './statistics/bootstrap.ts';
import { judgeDelta } from './statistics/significance.ts';

const KEYS: readonly PercentileKey[] = ['p50', 'p90', 'p95', 'p99', 'p999'];

type Interval = { low: number; high: number } | null;
type Judged = { significant: boolean | null; reason: string };

const bounds = (interval: DeltaInterval | null): Interval => (interval ? { low: interval.low, high: interval.high } : null);
const present = (values: readonly (number | null)[]): number[] => values.filter((value): value is number => value !== null);

/**
 * Confidence intervals of a comparison: a percentile bootstrap over repetitions of the per-repetition values
 * (each repetition's percentile, each repetition's mesh CPU and memory), mode minus baseline. The repetition is the
 * unit that varies between runs; requests within one repetition are not independent. The point estimates beside them
 * come from the pooled histograms, so an interval need not be centred on its estimate.
 */
export function comparisonIntervals(
  modePhases: readonly PhaseRecord[],
  basePhases: readonly PhaseRecord[],
  meshCpu: (phase: PhaseRecord) => number,
  meshMemory: (phase: PhaseRecord) => number,
  seed: number,
): Pick<Comparison, 'intervals' | 'significant'> {
  const options = { seed, resamples: DEFAULT_RESAMPLES, confidence: DEFAULT_CONFIDENCE };
  const latency = Object.fromEntries(
    KEYS.map((key) => {
      const mode = present(modePhases.map((phase) => phase.latencyUs[key]));
      const base = present(basePhases.map((phase) => phase.latencyUs[key]));
      return [key, bootstrapDeltaInterval(mode, base, options)];
    }),
  ) as Record<PercentileKey, DeltaInterval | null>;
  // Mesh cost is compared with no mesh at all: the baseline side is zero in every repetition.
  const zeros = basePhases.map(() => 0);
  const cpu = bootstrapDeltaInterval(modePhases.map(meshCpu), zeros, options);
  const memory = bootstrapDeltaInterval(modePhases.map(meshMemory), zeros, options);
  const judged = (interval: DeltaInterval | null, unit: string): Judged => judgeDelta(interval, null, unit);
  return {
    intervals: {
      method:
        `percentile bootstrap of mean(mode) − mean(baseline) over repetitions, ${DEFAULT_RESAMPLES} resamples, ` +
        `type-7 quantiles, seed ${seed}`,
      confidence: DEFAULT_CONFIDENCE,
      reliability: intervalReliability(Math.min(modePhases.length, basePhases.length)),
      latencyDeltaUs: {
        p50: bounds(latency.p50),
        p90: bounds(latency.p90),
        p95: bounds(latency.p95),
        p99: bounds(latency.p99),
        p999: bounds(latency.p999),
      },
      meshCpuCores: bounds(cpu),
      meshMemoryBytes: bounds(memory),
    },
    significant: {
      p50: judged(latency.p50, 'µs'),
      p90: judged(latency.p90, 'µs'),
      p95: judged(latency.p95, 'µs'),
      p99: judged(latency.p99, 'µs'),
      p999: judged(latency.p999, 'µs'),
      meshCpuCores: judged(cpu, 'cores'),
      meshMemoryBytes: judged(memory, 'bytes'),
    },
  };
}

/**
 * Re-judges a comparison's latency deltas against the A/A noise floor at its rate: for each percentile the largest
 * |delta| the baseline-aa interval allows (max of |low| and |high|). A delta inside the floor is not significant,
 * whatever its own interval says; the A/A pair itself never clears its own floor.
 */
export function applyNoiseFloor(comparison: Comparison, aa: Comparison): Comparison {
  const floors = Object.fromEntries(
    KEYS.map((key) => {
      const interval = aa.intervals.latencyDeltaUs[key];
      return [key, interval ? Math.max(Math.abs(interval.low), Math.abs(interval.high)) : null];
    }),
  ) as Record<PercentileKey, number | null>;
  const significant = { ...comparison.significant };
  for (const key of KEYS) {
    const interval = comparison.intervals.latencyDeltaUs[key];
    const estimate = comparison.latencyDeltaUs[key];
    if (!interval || estimate === null) continue;
    significant[key] = judgeDelta({ estimate, low: interval.low, high: interval.high, method: comparison.intervals.method }, floors[key], 'µs');
  }
  return { ...comparison, significant, noiseFloorUs: floors };
}
