import { PERCENTILES, type PercentileKey } from '../loadgen/histogram.ts';
import type { PhaseRecord, RunDocument } from '../results/schema.ts';
import { MESH_ROLES } from './comparisons.ts';
import { failedShare, groupByModeAndRate } from './phase-groups.ts';
import { bootstrapDeltaInterval } from './statistics/bootstrap.ts';
import { judgeDelta } from './statistics/significance.ts';
import { mean } from './statistics/spread.ts';

/** Metrics `meshtax compare` can gate on; latency in µs, CPU in cores, memory in bytes, errors as a fraction. */
export const COMPARE_METRICS = ['p50', 'p90', 'p95', 'p99', 'p999', 'mesh-cpu-cores', 'mesh-memory-bytes', 'error-rate'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

/** A regression limit: the largest relative increase (0.1 = +10%) tolerated before a significant change fails. */
export type Limits = Partial<Record<CompareMetric, number>>;
export const DEFAULT_LIMIT = 0.1;

export interface MetricChange {
  mode: string;
  rate: number | null;
  metric: CompareMetric;
  base: number;
  candidate: number;
  /** candidate − base, in the metric's unit. */
  change: number;
  /** change / base; null when base is 0. */
  relative: number | null;
  interval: { low: number; high: number } | null;
  significant: boolean | null;
  limit: number;
  regression: boolean;
  reason: string;
}

function perRepetition(phases: readonly PhaseRecord[], metric: CompareMetric): number[] {
  const values: (number | null)[] = phases.map((phase) => {
    if (metric in PERCENTILES) return phase.latencyUs[metric as PercentileKey];
    if (metric === 'error-rate') return failedShare([phase]);
    const field = metric === 'mesh-cpu-cores' ? 'cpuCores' : 'memoryBytes';
    return phase.resources.filter((row) => MESH_ROLES.includes(row.role)).reduce((sum, row) => sum + row[field], 0);
  });
  return values.filter((value): value is number => value !== null);
}

/**
 * Candidate against base for every mode, rate and metric both runs have: the change of the per-repetition mean, a
 * bootstrap interval over repetitions, and a regression verdict — significant (the interval excludes 0) and an
 * increase beyond the metric's limit. With fewer than two repetitions there is no interval and no verdict can fail.
 */
export function compareRuns(base: RunDocument, candidate: RunDocument, limits: Limits, seed = 1): MetricChange[] {
  const baseGroups = groupByModeAndRate(base.phases);
  const changes: MetricChange[] = [];
  for (const { mode, rate, phases: candidatePhases } of groupByModeAndRate(candidate.phases)) {
    const basePhases = baseGroups.find((group) => group.mode === mode && group.rate === rate)?.phases;
    if (!basePhases) continue;
    for (const metric of COMPARE_METRICS) {
      if (metric.startsWith('mesh-') && mode === 'baseline') continue;
      const b = perRepetition(basePhases, metric);
      const c = perRepetition(candidatePhases, metric);
      if (b.length === 0 || c.length === 0) continue;
      const baseValue = mean(b);
      const candidateValue = mean(c);
      const change = candidateValue - baseValue;
      const relative = baseValue === 0 ? null : change / baseValue;
      const interval = bootstrapDeltaInterval(c, b, { seed });
      const judgement = judgeDelta(interval);
      const limit = limits[metric] ?? DEFAULT_LIMIT;
      const beyond = relative === null ? change > 0 : relative > limit;
      const regression = judgement.significant === true && change > 0 && beyond;
      const pct = relative === null ? 'from 0' : `${relative >= 0 ? '+' : ''}${(relative * 100).toFixed(1)}%`;
      const reason = regression
        ? `regression: ${pct}, beyond +${(limit * 100).toFixed(0)}% and significant (${judgement.reason})`
        : judgement.significant === null
          ? `${pct}; ${judgement.reason}: cannot judge`
          : `${pct}; ${judgement.significant ? `within +${(limit * 100).toFixed(0)}%` : judgement.reason}`;
      changes.push({
        mode,
        rate,
        metric,
        base: baseValue,
        candidate: candidateValue,
        change,
        relative,
        interval: interval ? { low: interval.low, high: interval.high } : null,
        significant: judgement.significant,
        limit,
        regression,
        reason,
      });
    }
  }
  return changes;
}

/** `p99=+10%` → ['p99', 0.1]. */
export function parseLimit(text: string): [CompareMetric, number] {
  const match = /^([a-z0-9-]+)=\+?(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (!match) throw new Error(`--max-regression takes metric=+N%, e.g. p99=+10%; got '${text}'`);
  const metric = match[1] as CompareMetric;
  if (!COMPARE_METRICS.includes(metric)) {
    throw new Error(`--max-regression: unknown metric '${match[1]}'; known: ${COMPARE_METRICS.join(', ')}`);
  }
  return [metric, Number(match[2]) / 100];
}
