import type { Comparison } from '../results/schema.ts';
import { formatBytes, formatCores, formatDeltaUs } from '../core/format.ts';
import type { PercentileKey } from '../core/percentiles.ts';

/**
 * How every report shows a delta with its uncertainty: the estimate, its interval, and a mark when it is not
 * significant or has no interval — with the real reason — and when the comparison's reliability is low. One place,
 * so the terminal, report.md, report.html and junit.xml say the same thing.
 */

export type DeltaKey = PercentileKey | 'meshCpuCores' | 'meshMemoryBytes';

export const DELTA_LABELS: Record<DeltaKey, string> = {
  p50: 'Δp50',
  p90: 'Δp90',
  p95: 'Δp95',
  p99: 'Δp99',
  p999: 'Δp99.9',
  meshCpuCores: 'mesh CPU',
  meshMemoryBytes: 'mesh memory',
};

export const NOT_SIGNIFICANT = 'not significant';
export const LOW_RELIABILITY = 'low reliability';
export const NO_INTERVAL = 'no interval';

/** One delta of a comparison: estimate, interval, verdict and its reason, in the delta's unit. */
export interface ShownDelta {
  key: DeltaKey;
  estimate: number | null;
  interval: { low: number; high: number } | null;
  significant: boolean | null;
  reason: string;
  /** The estimate in its unit, e.g. "+78 µs", "0.095 cores". */
  value: string;
  /** The interval in the estimate's unit, e.g. "[72, 86]"; null without one. */
  range: string | null;
  /** "not significant", "no interval" (also when there is no estimate: the reason says why) or "" (significant). */
  mark: string;
}

/** Scale the way formatUs does, so an interval's bounds read in the unit of its estimate. */
export function usBound(us: number, like: number): string {
  const size = Math.abs(like);
  if (size < 1000) return String(Math.round(us));
  if (size < 10_000) return (us / 1000).toFixed(2);
  if (size < 100_000) return (us / 1000).toFixed(1);
  return String(Math.round(us / 1000));
}

export function shownDelta(comparison: Comparison, key: DeltaKey): ShownDelta {
  const latency = key !== 'meshCpuCores' && key !== 'meshMemoryBytes';
  const estimate = latency ? comparison.latencyDeltaUs[key] : comparison[key];
  const interval = latency ? comparison.intervals.latencyDeltaUs[key] : comparison.intervals[key];
  const { significant, reason } = comparison.significant[key];
  const value = latency ? formatDeltaUs(estimate) : key === 'meshCpuCores' ? `${formatCores(estimate)} cores` : formatBytes(estimate);
  const bound = (v: number): string => (latency ? usBound(v, estimate ?? 0) : key === 'meshCpuCores' ? formatCores(v) : formatBytes(v));
  const range = interval ? `[${bound(interval.low)}, ${bound(interval.high)}]` : null;
  const mark = significant === false ? NOT_SIGNIFICANT : significant === null ? NO_INTERVAL : '';
  return { key, estimate, interval, significant, reason, value, range, mark };
}

/** "low reliability: 2 rounds" when the comparison has 2–4 rounds; "" otherwise (none has no interval to qualify). */
export function reliabilityMark(comparison: Comparison): string {
  return comparison.intervals.reliability === 'low' ? `${LOW_RELIABILITY}: ${comparison.repetitions} rounds` : '';
}

/** One line: "+78 µs [72, 86]", "+5 µs [-10, 20] not significant", "+1.20 ms no interval". */
export function deltaLine(delta: ShownDelta, separator = ' '): string {
  return [delta.value, delta.range, delta.mark].filter((part) => part !== null && part !== '').join(separator);
}

/**
 * The distinct reasons deltas have no interval, in order of first appearance, each with a footnote number, so a
 * table can mark a cell "no interval¹" and say why below it.
 */
export class MissingReasons {
  private readonly reasons: string[] = [];

  /** The footnote mark for a delta without an interval ("¹"), or "" for one with an interval. */
  mark(delta: ShownDelta): string {
    if (delta.mark !== NO_INTERVAL) return '';
    let index = this.reasons.indexOf(delta.reason);
    if (index < 0) index = this.reasons.push(delta.reason) - 1;
    return superscript(index + 1);
  }

  /** "¹ 3,000 samples per repetition, p99.9 needs 10,000: no interval (…)", one line per reason. */
  notes(): string[] {
    return this.reasons.map((reason, index) => `${superscript(index + 1)} ${reason}`);
  }
}

const DIGITS = '⁰¹²³⁴⁵⁶⁷⁸⁹';
function superscript(n: number): string {
  return [...String(n)].map((digit) => DIGITS[Number(digit)]).join('');
}

/** What the marks mean, said once under a table. */
export function legend(comparisons: readonly Comparison[]): string {
  const confidence = comparisons.find((c) => c.intervals.reliability !== 'none')?.intervals.confidence ?? 0.95;
  return (
    `[low, high]: ${Math.round(confidence * 100)}% interval, in the unit of its estimate, of the mean per-round difference (each round pairs the mode ` +
    `with the baseline measured next to it); ${NOT_SIGNIFICANT}: the interval includes 0; ${LOW_RELIABILITY}: 2–4 rounds ` +
    '(honest but wide; 5 or more advised)'
  );
}
