import { bootstrapDeltaInterval, type BootstrapOptions, type DeltaInterval } from './bootstrap.ts';

/** Whether a delta is significant, and the rule that decided it. */
export interface Judgement {
  /** true: significant; false: not significant; null: cannot tell (no interval). */
  significant: boolean | null;
  /** The rule that decided, e.g. 'interval excludes 0', 'interval includes 0', 'below the noise floor of 35 µs'. */
  reason: string;
}

/** A number for a reason string: at most 3 decimals, no trailing zeros. */
function show(value: number, unit: string): string {
  const rounded = Math.round(value * 1000) / 1000;
  return unit === '' ? `${rounded}` : `${rounded} ${unit}`;
}

/**
 * Judges a delta (mode − baseline) from its confidence interval, by these rules in order:
 * 1. no interval (null: fewer than 2 repetitions on a side) → `significant: null`;
 * 2. the interval includes 0 (low ≤ 0 ≤ high) → not significant, 'interval includes 0';
 * 3. a noise floor is given and |estimate| ≤ floor → not significant, 'below the noise floor of F <unit>';
 * 4. otherwise significant: 'interval excludes 0' (plus 'and exceeds the noise floor of F <unit>' when a floor was given).
 *
 * `noiseFloor` is an absolute delta in the unit of the interval — what an A/A comparison (baseline against a second
 * baseline) showed for the same metric, see {@link noiseFloor}. Null or undefined means no floor. `unit` only labels
 * numbers in the reason (e.g. 'µs', 'cores').
 *
 * @throws RangeError when the noise floor is negative or not finite.
 */
export function judgeDelta(interval: DeltaInterval | null, noiseFloor?: number | null, unit = ''): Judgement {
  if (noiseFloor !== undefined && noiseFloor !== null && !(Number.isFinite(noiseFloor) && noiseFloor >= 0)) {
    throw new RangeError(`noise floor must be a finite number ≥ 0, got ${noiseFloor}`);
  }
  if (interval === null) return { significant: null, reason: 'no interval (fewer than 2 repetitions on a side)' };
  if (interval.low <= 0 && interval.high >= 0) return { significant: false, reason: 'interval includes 0' };
  if (noiseFloor === undefined || noiseFloor === null) return { significant: true, reason: 'interval excludes 0' };
  if (Math.abs(interval.estimate) <= noiseFloor) {
    return { significant: false, reason: `below the noise floor of ${show(noiseFloor, unit)}` };
  }
  return { significant: true, reason: `interval excludes 0 and exceeds the noise floor of ${show(noiseFloor, unit)}` };
}

/**
 * The noise floor from an A/A comparison — two runs of the same (baseline) configuration — for one metric, in the
 * unit of the values: `max(|low|, |high|)` of the bootstrap interval of the A/A delta
 * ({@link bootstrapDeltaInterval}, same method and defaults; `options` may set resamples, confidence and statistic and
 * should match those used for the deltas it will judge).
 *
 * Why this choice: it is the largest delta the identical-configuration comparison is consistent with at the chosen
 * confidence, so it covers both the spread between repetitions and any systematic offset between two "identical"
 * baselines (e.g. run order, node placement). It is conservative: a mode's delta must be larger than anything the
 * A/A run could plausibly show before it counts.
 *
 * Returns null when either side has fewer than 2 values.
 */
export function noiseFloor(
  aValues: readonly number[],
  bValues: readonly number[],
  seed: number,
  options: Omit<BootstrapOptions, 'seed'> = {},
): number | null {
  const interval = bootstrapDeltaInterval(aValues, bValues, { ...options, seed });
  return interval === null ? null : Math.max(Math.abs(interval.low), Math.abs(interval.high));
}
