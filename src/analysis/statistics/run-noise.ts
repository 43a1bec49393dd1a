import { mean, sampleStandardDeviation } from './spread.ts';
import { studentTQuantile } from './student-t.ts';
import { DEFAULT_CONFIDENCE, type DeltaInterval } from './t-interval.ts';

/**
 * Intervals for the change between two *runs*, which carry a noise the rounds of one run cannot see. Pure functions.
 *
 * Every run has its own state for its whole length: where the kernel placed its processes, the proxies' warm state,
 * the machine's neighbours that hour. Rounds within the run share that state, so their spread leaves it out, and
 * two identical runs can differ by several times what their rounds predict (in this project's CI two identical
 * runs a minute apart gave a sidecar's p50 tax of +1.02 and +1.51 ms with rounds that spread by about 80 µs). The
 * model is the usual one for nested measurements: a run's mean = truth + run effect (σ_run) + the mean of its rounds'
 * noise (σ_round/√n). σ_run is measured from several runs of the base, or, with one base run, assumed.
 */

const percent = (confidence: number): string => `${Math.round(confidence * 1000) / 10}%`;

function twoSided(confidence: number, df: number): number {
  return studentTQuantile(1 - (1 - confidence) / 2, Math.min(df, 1e6));
}

/**
 * One run on each side, the run-to-run noise assumed: mean(a) − mean(b) ± t(ν) × √(sa²/na + sb²/nb + 2σ²), where σ
 * is the assumed standard deviation of a run's effect (each of the two runs has one) and ν the Welch–Satterthwaite
 * degrees of freedom of the estimated part (the assumed part is taken as known). Null when either run has fewer than
 * 2 rounds (its rounds' spread is unknown). With σ = 0 it is Welch's interval over the rounds.
 *
 * @throws RangeError for a negative or non-finite σ.
 */
export function assumedRunNoiseInterval(
  a: readonly number[],
  b: readonly number[],
  runSigma: number,
  confidence = DEFAULT_CONFIDENCE,
): DeltaInterval | null {
  if (!(runSigma >= 0 && Number.isFinite(runSigma))) throw new RangeError(`run-to-run noise must be a finite number ≥ 0, got ${runSigma}`);
  if (a.length < 2 || b.length < 2) return null;
  const estimate = mean(a) - mean(b);
  const va = sampleStandardDeviation(a)! ** 2 / a.length;
  const vb = sampleStandardDeviation(b)! ** 2 / b.length;
  const run = 2 * runSigma ** 2;
  const total = va + vb + run;
  const estimated = va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1);
  const df = estimated === 0 ? Infinity : total ** 2 / estimated;
  const halfWidth = total === 0 ? 0 : twoSided(confidence, df) * Math.sqrt(total);
  return {
    estimate,
    low: estimate - halfWidth,
    high: estimate + halfWidth,
    method:
      `${percent(confidence)} t interval of the difference of two runs' means (${a.length} and ${b.length} rounds), ` +
      `each run's own effect assumed to have a standard deviation of ${runSigma}`,
  };
}

/**
 * Several base runs, one candidate run: the candidate's mean against the base runs' means as a prediction interval
 * for one more run, mean(c) − m̄ ± t(0.975, k − 1) × s × √(1 + 1/k), s the standard deviation of the k base runs'
 * means. Each base run's mean carries its own run effect and its rounds' noise, so s measures both, and the interval
 * holds its coverage whatever their shares (for normal run means and a candidate with as many rounds). Null for fewer
 * than 2 base runs or no candidate value.
 */
export function baseRunsPredictionInterval(
  candidate: readonly number[],
  baseRunMeans: readonly number[],
  confidence = DEFAULT_CONFIDENCE,
): DeltaInterval | null {
  const k = baseRunMeans.length;
  if (k < 2 || candidate.length === 0) return null;
  const estimate = mean(candidate) - mean(baseRunMeans);
  const halfWidth = twoSided(confidence, k - 1) * sampleStandardDeviation(baseRunMeans)! * Math.sqrt(1 + 1 / k);
  return {
    estimate,
    low: estimate - halfWidth,
    high: estimate + halfWidth,
    method: `${percent(confidence)} prediction interval from ${k} base runs' means (${k - 1} degree${k === 2 ? '' : 's'} of freedom)`,
  };
}
