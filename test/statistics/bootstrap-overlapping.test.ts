import { expect, it } from 'vitest';
import { bootstrapDeltaInterval } from '../../src/analysis/statistics/bootstrap.ts';

it('includes 0 when the sides overlap (values frozen for seed 1)', () => {
  // Means 105 and 104: a delta of 1 against repetition spreads of about 11 and 8.
  const interval = bootstrapDeltaInterval([100, 120, 90, 110, 105], [102, 115, 95, 108, 100], { seed: 1 });
  expect(interval!.estimate).toBe(1);
  expect(interval!.low).toBe(-10);
  // 11.6 on the grid of multiples of 0.2, less the rounding of the two float means it is the difference of.
  expect(interval!.high).toBe(11.599999999999994);
  expect(interval!.low).toBeLessThan(0);
  expect(interval!.high).toBeGreaterThan(0);
});
