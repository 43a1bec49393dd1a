import { PERCENTILES, type PercentileKey } from '../core/percentiles.ts';
import type { Comparison, PhaseRecord, ThresholdResult } from '../results/schema.ts';
import type { Scenario, Threshold } from '../scenario/schema.ts';
import { formatBytes, formatCores, formatDeltaUs, formatRate, formatUs } from '../core/format.ts';
import { pooledPercentiles } from './comparisons.ts';
import { failedShare } from './phase-groups.ts';
import { comparisonValidityOf, validityText } from './validity.ts';
import { BASELINE_MODE } from '../core/modes.ts';

type Unit = ThresholdResult['unit'];
interface Measured {
  value: number | null;
  interval: { low: number; high: number } | null;
}

const NOTHING: Measured = { value: null, interval: null };

/** Which percentile a latency metric names: `p99-delta` and `p99` both name p99. */
function percentileOf(metric: string): PercentileKey | undefined {
  const key = metric.replace(/-delta$/, '');
  return key in PERCENTILES ? (key as PercentileKey) : undefined;
}

function unitOf(metric: Threshold['metric']): Unit {
  if (percentileOf(metric)) return 'us';
  if (metric === 'mesh-memory-per-proxy') return 'bytes';
  if (metric === 'error-rate') return 'fraction';
  return 'cores';
}

function show(value: number, unit: Unit, delta: boolean): string {
  if (unit === 'us') return delta ? formatDeltaUs(value) : formatUs(value);
  if (unit === 'bytes') return formatBytes(value);
  if (unit === 'fraction') return `${(value * 100).toFixed(3)}%`;
  return `${formatCores(value)} cores`;
}

function measure(metric: Threshold['metric'], phases: readonly PhaseRecord[], comparison: Comparison | undefined): Measured {
  const percentile = percentileOf(metric);
  if (percentile && metric.endsWith('-delta')) {
    if (!comparison) return NOTHING;
    return { value: comparison.latencyDeltaUs[percentile], interval: comparison.intervals.latencyDeltaUs[percentile] };
  }
  if (percentile) return phases.length === 0 ? NOTHING : { value: pooledPercentiles(phases)[percentile], interval: null };
  if (metric === 'error-rate') {
    const share = failedShare(phases);
    return share === null ? NOTHING : { value: share, interval: null };
  }
  if (!comparison) return NOTHING;
  if (metric === 'mesh-cpu-cores') return { value: comparison.meshCpuCores, interval: comparison.intervals.meshCpuCores };
  if (metric === 'mesh-cpu-per-1k-rps') return { value: comparison.meshCpuPer1kRps, interval: null };
  return { value: comparison.meshMemoryPerProxyBytes, interval: null };
}

/**
 * Every threshold of the scenario against every mode and rate it applies to. A threshold fails when the measured
 * value (the pooled estimate) exceeds its max, or when nothing could be measured (unless it says onNoData: pass);
 * when the confidence interval straddles the max the reason says the verdict is not conclusive. A delta or mesh
 * metric on an invalid comparison is not judged (status invalid). Delta and mesh metrics apply to the modes compared with baseline; absolute latency and
 * error rate to every mode.
 */
export function evaluateThresholds(scenario: Scenario, phases: readonly PhaseRecord[], comparisons: readonly Comparison[]): ThresholdResult[] {
  const rates = [...new Set(phases.map((phase) => phase.rate))];
  const results: ThresholdResult[] = [];
  for (const threshold of scenario.thresholds) {
    const unit = unitOf(threshold.metric);
    const delta = threshold.metric.endsWith('-delta') || threshold.metric.startsWith('mesh-');
    const max = unit === 'us' ? threshold.max * 1000 : threshold.max;
    const modes = (threshold.modes ?? scenario.modes).filter((mode) => !delta || mode !== BASELINE_MODE);
    for (const mode of modes) {
      for (const rate of rates) {
        const own = phases.filter((phase) => phase.mode === mode && phase.rate === rate);
        const comparison = comparisons.find((c) => c.mode === mode && c.rate === rate);
        const where = `${threshold.metric} of ${mode} at ${formatRate(rate)} rps`;
        // The mesh tax is not judged on an invalid measurement: its delta describes the generator or a failing target.
        const validity = delta && comparison ? comparisonValidityOf(comparison, phases) : undefined;
        if (validity && !validity.valid) {
          const reason = `${where}: not judged, the measurement is invalid (${validityText(validity)})`;
          results.push({ metric: threshold.metric, max, unit, mode, rate, value: null, interval: null, status: 'invalid', reason });
          continue;
        }
        const { value, interval } = measure(threshold.metric, own, comparison);
        const limit = show(max, unit, false);
        let status: ThresholdResult['status'];
        let reason: string;
        if (value === null) {
          // A gate that silently passes when nothing was measured hides a broken run.
          status = threshold.onNoData === 'pass' ? 'no-data' : 'fail';
          reason = `${where}: not measured (no phase, no baseline to compare with, or too few samples)`;
          if (status === 'fail') reason += '; a threshold without data fails unless it says onNoData: pass';
        } else {
          status = value > max ? 'fail' : 'pass';
          const range = interval ? ` (interval ${show(interval.low, unit, delta)} … ${show(interval.high, unit, delta)})` : '';
          const straddles = interval && interval.low <= max && interval.high > max ? '; not conclusive: the interval contains the limit' : '';
          reason = `${where}: ${show(value, unit, delta)} ${status === 'fail' ? '>' : '≤'} ${limit}${range}${straddles}`;
        }
        results.push({ metric: threshold.metric, max, unit, mode, rate, value, interval, status, reason });
      }
    }
  }
  return results;
}
