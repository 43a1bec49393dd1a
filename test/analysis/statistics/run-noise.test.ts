import { describe, expect, it } from 'vitest';
import { assumedRunNoiseInterval, baseRunsPredictionInterval } from '../../../src/analysis/statistics/run-noise.ts';
import { welchTInterval } from '../../../src/analysis/statistics/t-interval.ts';
import { seededRandom, type Random } from '../../../src/core/random.ts';

/**
 * Calibration of the intervals `meshtax compare` gates on, over thousands of simulated pairs of identical runs. The
 * noise is nested, as in real runs: each run has its own effect (σ_run, for its whole length) and each round its own
 * noise (σ_round). The CI failure that led here had rounds agreeing within ~80 µs and two runs 480 µs apart: a run
 * effect several times the round noise, which the case `σ_run = 3 σ_round` stands for.
 */

const SIMULATIONS = 6000;

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/** One run's per-round values: truth + its run effect + each round's noise. */
function run(random: Random, rounds: number, runSigma: number, roundSigma: number): number[] {
  const effect = runSigma * normal(random);
  return Array.from({ length: rounds }, () => 1000 + effect + roundSigma * normal(random));
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const excludesZero = (interval: { low: number; high: number } | null): boolean => interval !== null && (interval.low > 0 || interval.high < 0);

describe('intervals between runs, calibrated on identical runs at 95%', () => {
  for (const rounds of [2, 3, 5, 10]) {
    it(`one base run, the run noise assumed right: 3–7% exclude 0 at ${rounds} rounds`, () => {
      const random = seededRandom(500 + rounds);
      let hits = 0;
      for (let i = 0; i < SIMULATIONS; i++) {
        const interval = assumedRunNoiseInterval(run(random, rounds, 60, 20), run(random, rounds, 60, 20), 60);
        if (excludesZero(interval)) hits++;
      }
      expect(hits / SIMULATIONS).toBeGreaterThanOrEqual(0.03);
      expect(hits / SIMULATIONS).toBeLessThanOrEqual(0.07);
    });
  }

  for (const baseRuns of [3, 5, 10]) {
    it(`${baseRuns} base runs measure the run noise: 3–7% exclude 0, whatever its share`, () => {
      const random = seededRandom(700 + baseRuns);
      for (const [runSigma, roundSigma] of [[60, 20], [0, 40], [40, 40]] as const) {
        let hits = 0;
        for (let i = 0; i < SIMULATIONS; i++) {
          const means = Array.from({ length: baseRuns }, () => mean(run(random, 3, runSigma, roundSigma)));
          if (excludesZero(baseRunsPredictionInterval(run(random, 3, runSigma, roundSigma), means))) hits++;
        }
        expect(hits / SIMULATIONS, `σ_run ${runSigma}, σ_round ${roundSigma}`).toBeGreaterThanOrEqual(0.03);
        expect(hits / SIMULATIONS, `σ_run ${runSigma}, σ_round ${roundSigma}`).toBeLessThanOrEqual(0.07);
      }
    });
  }

  it('rounds alone (Welch over both runs\' rounds) claim a difference between identical runs most of the time', () => {
    // Why the run noise is needed: with a run effect 3× the round noise, Welch's interval excludes 0 in over half
    // of the pairs of identical runs, and the assumed noise set to 0 is exactly Welch's interval.
    const random = seededRandom(42);
    let welch = 0;
    let noNoise = 0;
    for (let i = 0; i < SIMULATIONS; i++) {
      const a = run(random, 3, 60, 20);
      const b = run(random, 3, 60, 20);
      if (excludesZero(welchTInterval(a, b))) welch++;
      if (excludesZero(assumedRunNoiseInterval(a, b, 0))) noNoise++;
    }
    expect(welch / SIMULATIONS).toBeGreaterThan(0.5);
    expect(noNoise).toBe(welch);
  });

  it('computes the interval by its formula', () => {
    // a = [10, 12], b = [4, 6]: means 11 and 5, sa² = sb² = 2, σ_run = 1 → SE² = 2/2 + 2/2 + 2 = 4, ν = 16 / (1 + 1) = 8.
    const interval = assumedRunNoiseInterval([10, 12], [4, 6], 1)!;
    expect(interval.estimate).toBe(6);
    expect(interval.high - interval.estimate).toBeCloseTo(2.306004 * 2, 5);
    // Base run means [4, 6, 8] (s = 2, k = 3), candidate mean 10: 10 − 6 ± t(0.975, 2) × 2 × √(4/3).
    const prediction = baseRunsPredictionInterval([9, 11], [4, 6, 8])!;
    expect(prediction.estimate).toBe(4);
    expect(prediction.high - prediction.estimate).toBeCloseTo(4.302653 * 2 * Math.sqrt(4 / 3), 5);
  });

  it('has no interval without a spread to estimate, and refuses a negative noise', () => {
    expect(assumedRunNoiseInterval([1], [1, 2], 5)).toBeNull();
    expect(baseRunsPredictionInterval([1, 2], [3])).toBeNull();
    expect(() => assumedRunNoiseInterval([1, 2], [1, 2], -1)).toThrow(/≥ 0/);
  });
});
