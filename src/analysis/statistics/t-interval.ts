import { mean, sampleStandardDeviation } from './spread.ts';
import { studentTQuantile } from './student-t.ts';

/**
 * Confidence intervals for a difference from a few rounds, by Student's t. Pure functions, no I/O.
 *
 * The unit of inference is the round: one repetition of every mode, run back to back. Requests within a phase are
 * not independent (they share the machine's state), rounds are close to it. With the per-round difference of mode and
 * baseline measured in the same round, slow drift of the machine cancels in each difference, and the t interval on
 * the differences holds its coverage at any number of rounds ≥ 2 when the differences are roughly normal — which a
 * percentile bootstrap over 2–4 values does not (it can only see the handful of values it has, and its interval is
 * close to their range: about 40% of A/A intervals excluded 0 at 2 repetitions).
 */

export const DEFAULT_CONFIDENCE = 0.95;

/** An estimate of a difference with its confidence interval, all in the unit of the values. */
export interface DeltaInterval {
  /** The estimated difference (mean of the paired differences, or difference of the means). */
  estimate: number;
  low: number;
  high: number;
  /** How the interval was made, for reports. */
  method: string;
}

function requireFinite(values: readonly number[], what: string): void {
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError(`${what} must be finite numbers, got ${value}`);
  }
}

function requireConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
}

// Quantiles by (probability, degrees of freedom): the same few are asked for again and again (one per comparison).
const quantiles = new Map<string, number>();
function tQuantile(p: number, df: number): number {
  const key = `${p} ${df}`;
  let q = quantiles.get(key);
  if (q === undefined) {
    q = studentTQuantile(p, df);
    if (quantiles.size < 10_000) quantiles.set(key, q);
  }
  return q;
}

const percent = (confidence: number): string => `${Math.round(confidence * 1000) / 10}%`;

/**
 * t interval for the mean of paired differences (one per round, mode − baseline of the same round, in their unit):
 * mean(d) ± t(1 − (1 − c) / 2, n − 1) × sd(d) / √n, sd with denominator n − 1. With the baseline side 0 (mesh CPU
 * against no mesh) it is the one-sample t interval of the values. Null for fewer than 2 differences: one round has
 * no spread. Example: [10, 12, 14] at 95% → 12 ± 4.3027 × 2 / √3 = [7.0317, 16.9683].
 *
 * @throws RangeError for non-finite differences or a confidence outside (0, 1).
 */
export function pairedTInterval(differences: readonly number[], confidence = DEFAULT_CONFIDENCE): DeltaInterval | null {
  requireConfidence(confidence);
  requireFinite(differences, 'differences');
  const n = differences.length;
  if (n < 2) return null;
  const estimate = mean(differences);
  const halfWidth = (tQuantile(1 - (1 - confidence) / 2, n - 1) * sampleStandardDeviation(differences)!) / Math.sqrt(n);
  return {
    estimate,
    low: estimate - halfWidth,
    high: estimate + halfWidth,
    method: `${percent(confidence)} Student t interval of the mean of ${n} per-round paired differences (${n - 1} degrees of freedom)`,
  };
}

/**
 * Welch's t interval for mean(a) − mean(b) of two independent samples (for example the per-round deltas of two runs):
 * estimate ± t(1 − (1 − c) / 2, ν) × √(sa²/na + sb²/nb), with the Welch–Satterthwaite degrees of freedom
 * ν = (sa²/na + sb²/nb)² / ((sa²/na)² / (na − 1) + (sb²/nb)² / (nb − 1)). Null when either side has fewer than 2
 * values. When both sides have no spread at all the interval is the estimate itself.
 *
 * @throws RangeError for non-finite values or a confidence outside (0, 1).
 */
export function welchTInterval(a: readonly number[], b: readonly number[], confidence = DEFAULT_CONFIDENCE): DeltaInterval | null {
  requireConfidence(confidence);
  requireFinite(a, 'values');
  requireFinite(b, 'values');
  if (a.length < 2 || b.length < 2) return null;
  const estimate = mean(a) - mean(b);
  const va = sampleStandardDeviation(a)! ** 2 / a.length;
  const vb = sampleStandardDeviation(b)! ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  const df = se === 0 ? a.length + b.length - 2 : (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const halfWidth = se === 0 ? 0 : tQuantile(1 - (1 - confidence) / 2, df) * se;
  return {
    estimate,
    low: estimate - halfWidth,
    high: estimate + halfWidth,
    method: `${percent(confidence)} Welch t interval of the difference of means (${a.length} and ${b.length} values, ${df.toFixed(1)} degrees of freedom)`,
  };
}

/**
 * How far an interval from n rounds can be read:
 * - 'none' for n < 2: one round has no spread, so there is no interval;
 * - 'low' for 2 ≤ n < 5: the t interval keeps its coverage but is wide (t(0.975, 1) = 12.7), and with so few rounds
 *   a departure from normality (one disturbed round) cannot be seen: read it, but do not lean on it;
 * - 'ok' for n ≥ 5.
 */
export function intervalReliability(n: number): 'none' | 'low' | 'ok' {
  if (n < 2) return 'none';
  if (n < 5) return 'low';
  return 'ok';
}
