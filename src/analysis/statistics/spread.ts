/**
 * Descriptive statistics over repetitions: centre, spread and outliers. Every function keeps the unit of its input
 * (µs in, µs out; cores in, cores out) except where a result is stated to be a ratio. Pure functions, no I/O.
 */

/** Scale that makes the median absolute deviation a consistent estimator of the standard deviation of normal data (1 / Φ⁻¹(3/4)). */
export const MAD_SCALE = 1.4826;

function requireFinite(values: readonly number[], what: string): void {
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`${what}: values must be finite numbers, got ${value}`);
  }
}

/**
 * Arithmetic mean, in the unit of the values: the sum in index order divided by n.
 *
 * @throws RangeError when `values` is empty.
 */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('mean of no values');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Median, in the unit of the values: the middle value of the sorted values, or for even n the mean of the two middle
 * values, `(a + b) / 2`. Does not modify its input.
 *
 * @throws RangeError when `values` is empty.
 */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('median of no values');
  return medianOfSorted(Float64Array.from(values).sort());
}

/** Median of values already sorted ascending (see {@link median}). */
export function medianOfSorted(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('median of no values');
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Sample standard deviation (denominator n − 1), in the unit of the values; null for fewer than 2 values.
 */
export function sampleStandardDeviation(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  requireFinite(values, 'sampleStandardDeviation');
  const centre = mean(values);
  let squares = 0;
  for (const value of values) squares += (value - centre) ** 2;
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * Relative spread between repetitions: the coefficient of variation, sample standard deviation (n − 1) divided by
 * |mean|. A unitless ratio (0.05 = 5 %). Null for fewer than 2 values, or when the mean is 0 (the ratio is undefined).
 *
 * Example: [1, 2, 3, 4] → √(5/3) / 2.5 = 0.5163977794943222.
 */
export function relativeSpread(values: readonly number[]): number | null {
  const deviation = sampleStandardDeviation(values);
  if (deviation === null) return null;
  const centre = mean(values);
  if (centre === 0) return null;
  return deviation / Math.abs(centre);
}

/**
 * Median absolute deviation scaled by {@link MAD_SCALE} (1.4826), in the unit of the values:
 * `1.4826 × median(|xᵢ − median(x)|)`. For normal data it estimates the standard deviation, but one wild repetition
 * barely moves it. Null for no values.
 */
export function scaledMad(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  requireFinite(values, 'scaledMad');
  const centre = median(values);
  return MAD_SCALE * median(values.map((value) => Math.abs(value - centre)));
}

/**
 * Indexes (ascending, into `values`) of repetitions that lie farther than `k × scaledMad` from the median:
 * `|xᵢ − median| > k × 1.4826 × MAD` (strictly). k = 3 flags what would be beyond 3 standard deviations for normal data.
 *
 * When the MAD is 0 — more than half the values are identical — no value is reported: any differing value would be
 * infinitely many MADs away, which says nothing about how far it really is. Use {@link relativeSpread} there.
 * Fewer than 3 values never give an outlier (for 2 values both lie exactly 1 / 1.4826 MAD from the median).
 *
 * @throws RangeError when k is not a positive finite number.
 */
export function outliers(values: readonly number[], k = 3): number[] {
  if (!Number.isFinite(k) || k <= 0) throw new RangeError(`k must be a positive finite number, got ${k}`);
  const mad = scaledMad(values);
  if (mad === null || mad === 0) return [];
  const centre = median(values);
  const limit = k * mad;
  const flagged: number[] = [];
  values.forEach((value, index) => {
    if (Math.abs(value - centre) > limit) flagged.push(index);
  });
  return flagged;
}
