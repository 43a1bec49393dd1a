import { expect, it } from 'vitest';
import { relativeSpread, sampleStandardDeviation } from '../../../src/analysis/statistics/spread.ts';

it('is the sample standard deviation over |mean|, null for n < 2 or mean 0', () => {
  // mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; s = √(5/3); s / 2.5
  expect(sampleStandardDeviation([1, 2, 3, 4])).toBe(Math.sqrt(5 / 3));
  expect(relativeSpread([1, 2, 3, 4])).toBe(0.5163977794943222);
  expect(relativeSpread([-1, -2, -3, -4])).toBe(0.5163977794943222);
  expect(relativeSpread([7, 7, 7])).toBe(0);
  expect(relativeSpread([5])).toBeNull();
  expect(relativeSpread([])).toBeNull();
  expect(relativeSpread([-1, 1])).toBeNull();
});
