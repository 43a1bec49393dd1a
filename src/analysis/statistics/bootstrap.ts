import { seededRandom } from './random.ts';
import { mean, medianOfSorted } from './spread.ts';

/**
 * Confidence intervals for "mode − baseline" from repetitions, by the percentile bootstrap. Pure functions, no I/O.
 *
 * The unit of resampling is the repetition: each repetition contributes one value of the metric (for example the p99
 * latency in µs of that repetition's histogram, or the mesh's CPU in cores over that repetition's window). Intervals
 * are in the unit of the values.
 */

/** Which statistic of the repetitions is compared: their mean or their median. */
export type BootstrapStatistic = 'mean' | 'median';

export interface BootstrapOptions {
  /** Number of bootstrap resamples B; a positive integer. Default 10 000. */
  resamples?: number;
  /** Two-sided confidence level c, in (0, 1). Default 0.95. */
  confidence?: number;
  /** Seed of the PRNG ({@link seededRandom}); an integer. The same inputs and seed give the identical interval. */
  seed: number;
  /** Statistic compared between the two sides. Default 'mean'. */
  statistic?: BootstrapStatistic;
}

/** An estimate of statistic(mode) − statistic(baseline) with its confidence interval, all in the unit of the values. */
export interface DeltaInterval {
  /** statistic(mode values) − statistic(baseline values), on the original data. */
  estimate: number;
  /** Lower bound: the (1 − c) / 2 quantile of the bootstrap deltas. */
  low: number;
  /** Upper bound: the (1 + c) / 2 quantile of the bootstrap deltas. */
  high: number;
  /** How the interval was made, for reports, e.g. "percentile bootstrap of mean(mode) − mean(baseline), …". */
  method: string;
}

export const DEFAULT_RESAMPLES = 10_000;
export const DEFAULT_CONFIDENCE = 0.95;

/**
 * Quantile of values sorted ascending, by Hyndman & Fan type 7 (linear interpolation between order statistics; the
 * default of R's `quantile`, NumPy's `'linear'`, Excel's `PERCENTILE.INC`):
 *
 *   h = (n − 1) × p,  j = ⌊h⌋,  Q(p) = x[j] + (h − j) × (x[j + 1] − x[j])   (0-based; Q(1) = x[n − 1])
 *
 * so Q(0) is the minimum, Q(1) the maximum, and for [10, 20, 30, 40] Q(0.25) = 17.5, Q(0.5) = 25. When h is a whole
 * number the order statistic is returned as is, and between equal neighbours the result is that value exactly.
 * The input must already be sorted ascending (not checked).
 *
 * @throws RangeError when `sorted` is empty or p is outside [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of no values');
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile probability must be in [0, 1], got ${p}`);
  const h = (n - 1) * p;
  const j = Math.floor(h);
  const fraction = h - j;
  if (j + 1 >= n || fraction === 0) return sorted[j]!;
  const lower = sorted[j]!;
  const upper = sorted[j + 1]!;
  return lower === upper ? lower : lower + fraction * (upper - lower);
}

/**
 * How far an interval from n repetitions per side can be trusted:
 * - 'none' for n < 2: one repetition has no spread, so there is no interval ({@link bootstrapDeltaInterval} returns null);
 * - 'low' for 2 ≤ n < 5: a percentile bootstrap from 2–4 values can take only a handful of distinct resamples, and its
 *   interval is too narrow (it under-covers): report it, but flag it;
 * - 'ok' for n ≥ 5.
 * Pass the smaller of the two sides' counts.
 */
export function intervalReliability(n: number): 'none' | 'low' | 'ok' {
  if (n < 2) return 'none';
  if (n < 5) return 'low';
  return 'ok';
}

function validate(values: readonly number[], side: string): void {
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`${side} values must be finite numbers, got ${value}`);
  }
}

/**
 * Percentile-bootstrap confidence interval for statistic(mode) − statistic(baseline), in the unit of the values.
 *
 * Method, exactly:
 * 1. `estimate` = statistic(modeValues) − statistic(baseValues) on the original data (mean: sum in index order / n;
 *    median: middle value, or the mean of the two middle values).
 * 2. For each of B resamples, draw nMode indexes uniformly with replacement from the mode values, then nBase indexes
 *    from the baseline values — the two sides independently, the repetition as the unit — all from one mulberry32
 *    stream seeded with `seed` (index = ⌊u × n⌋), and record statistic(mode resample) − statistic(base resample).
 * 3. Sort the B deltas ascending; `low` = Q((1 − c) / 2), `high` = Q((1 + c) / 2) with Q the type-7 quantile of
 *    {@link quantileSorted}.
 *
 * Deterministic: the same values (in the same order), options and seed give the identical interval, bit for bit.
 * Every bootstrap delta, hence both bounds, lies within [min(mode) − max(base), max(mode) − min(base)]; when every
 * value on each side is equal all resamples are identical and low = high = estimate.
 *
 * Returns null when either side has fewer than 2 values: one repetition shows no spread, so there is no interval.
 * With 2–4 repetitions per side the percentile bootstrap interval is narrow and unreliable (see
 * {@link intervalReliability}); at least 5 are advised.
 *
 * @throws RangeError for non-finite values, a resample count that is not a positive integer, a confidence outside
 *   (0, 1), or a seed that is not an integer.
 */
export function bootstrapDeltaInterval(
  modeValues: readonly number[],
  baseValues: readonly number[],
  options: BootstrapOptions,
): DeltaInterval | null {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const statistic = options.statistic ?? 'mean';
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  }
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (statistic !== 'mean' && statistic !== 'median') throw new RangeError(`unknown statistic ${String(statistic)}`);
  validate(modeValues, 'mode');
  validate(baseValues, 'baseline');
  const random = seededRandom(options.seed);
  if (modeValues.length < 2 || baseValues.length < 2) return null;

  const of = (sample: Float64Array): number => (statistic === 'mean' ? mean(sample) : medianOfSorted(sample.sort()));
  const estimate = of(Float64Array.from(modeValues)) - of(Float64Array.from(baseValues));

  const modeSample = new Float64Array(modeValues.length);
  const baseSample = new Float64Array(baseValues.length);
  const deltas = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < modeSample.length; i++) modeSample[i] = modeValues[random.integer(modeValues.length)]!;
    for (let i = 0; i < baseSample.length; i++) baseSample[i] = baseValues[random.integer(baseValues.length)]!;
    deltas[b] = of(modeSample) - of(baseSample);
  }
  deltas.sort();

  const percent = Math.round(confidence * 1000) / 10;
  return {
    estimate,
    low: quantileSorted(deltas, (1 - confidence) / 2),
    high: quantileSorted(deltas, (1 + confidence) / 2),
    method:
      `percentile bootstrap of ${statistic}(mode) − ${statistic}(baseline): ${resamples} resamples of the repetitions, ` +
      `${percent}% two-sided, type-7 quantiles, seed ${options.seed}`,
  };
}
