import type { DeltaInterval } from './t-interval.ts';

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
 * 1. no interval → `significant: null`, with `missing` as the reason (the caller knows why there is none, e.g.
 *    '1 round: no interval' or '6 000 samples per repetition, p99.9 needs 10 000');
 * 2. the interval includes 0 (low ≤ 0 ≤ high) → not significant, 'interval includes 0';
 * 3. a noise floor is given and |estimate| ≤ floor → not significant, 'below the noise floor of F <unit>';
 * 4. otherwise significant: 'interval excludes 0' (plus 'and exceeds the noise floor of F <unit>' when a floor was given).
 *
 * `noiseFloor` is an absolute delta in the unit of the interval — what an A/A comparison (baseline against a second
 * baseline) showed for the same metric. Null or undefined means no floor. `unit` only labels numbers in the reason
 * (e.g. 'µs', 'cores').
 *
 * @throws RangeError when the noise floor is negative or not finite.
 */
export function judgeDelta(
  interval: DeltaInterval | null,
  noiseFloor?: number | null,
  unit = '',
  missing = 'no interval (fewer than 2 rounds)',
): Judgement {
  if (noiseFloor !== undefined && noiseFloor !== null && !(Number.isFinite(noiseFloor) && noiseFloor >= 0)) {
    throw new RangeError(`noise floor must be a finite number ≥ 0, got ${noiseFloor}`);
  }
  if (interval === null) return { significant: null, reason: missing };
  if (interval.low <= 0 && interval.high >= 0) return { significant: false, reason: 'interval includes 0' };
  if (noiseFloor === undefined || noiseFloor === null) return { significant: true, reason: 'interval excludes 0' };
  if (Math.abs(interval.estimate) <= noiseFloor) {
    return { significant: false, reason: `below the noise floor of ${show(noiseFloor, unit)}` };
  }
  return { significant: true, reason: `interval excludes 0 and exceeds the noise floor of ${show(noiseFloor, unit)}` };
}
