import { expect, it } from 'vitest';
import { bootstrapDeltaInterval } from '../../src/analysis/statistics/bootstrap.ts';
import { noiseFloor } from '../../src/analysis/statistics/significance.ts';

it('is max(|low|, |high|) of the A/A interval, or null with fewer than 2 values', () => {
  const a = [100, 120, 90, 110, 105];
  const b = [102, 115, 95, 108, 100];
  // The A/A interval for seed 1 is [-10, 11.599999999999994] (see bootstrap-overlapping.test.ts).
  expect(noiseFloor(a, b, 1)).toBe(11.599999999999994);
  const aa = bootstrapDeltaInterval(a, b, { seed: 1, statistic: 'median', resamples: 500 })!;
  expect(noiseFloor(a, b, 1, { statistic: 'median', resamples: 500 })).toBe(Math.max(Math.abs(aa.low), Math.abs(aa.high)));
  // Identical constant baselines: no noise at all.
  expect(noiseFloor([50, 50], [50, 50, 50], 4)).toBe(0);
  expect(noiseFloor([100], b, 1)).toBeNull();
});
