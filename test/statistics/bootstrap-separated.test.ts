import { expect, it } from 'vitest';
import { bootstrapDeltaInterval } from '../../src/analysis/statistics/bootstrap.ts';

it('excludes 0 for clearly separated sides (values frozen for seed 1)', () => {
  const mode = [200, 210, 190, 205, 195];
  const base = [100, 98, 102, 101, 99];
  const interval = bootstrapDeltaInterval(mode, base, { seed: 1 });
  // Why these values: a resampled mode mean lies in [190, 210] and a base mean in [98, 102], so every delta lies in
  // [88, 112]. The mode values are multiples of 5, so its resample means are whole numbers; the base sums are whole,
  // so base means are multiples of 0.2: every delta is a multiple of 0.2. The spread of the delta is about
  // √(50/5 + 2/5) ≈ 3.2 (population variances 50 and 2 over n = 5), so a 95% interval of roughly 100 ± 6.3.
  // Type 7 at h = 249.975 and 9749.025 fell between equal neighbours, giving the grid values themselves.
  expect(interval!.estimate).toBe(100);
  expect(interval!.low).toBe(93.6);
  expect(interval!.high).toBe(106.2);
  expect(interval!.low).toBeGreaterThan(0);

  // Medians of 5 resampled values are themselves values, so the median deltas are differences of values.
  const medians = bootstrapDeltaInterval(mode, base, { seed: 1, statistic: 'median' });
  expect([medians!.estimate, medians!.low, medians!.high]).toStrictEqual([100, 90, 110]);
});
