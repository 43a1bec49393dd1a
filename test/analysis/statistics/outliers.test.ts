import { expect, it } from 'vitest';
import { outliers, scaledMad } from '../../../src/analysis/statistics/spread.ts';

it('flags values farther than k × 1.4826 × MAD from the median', () => {
  // median 12; |deviations| [2, 1, 0, 1, 88] → MAD 1 → limit 3 × 1.4826 = 4.4478: only 100 (88 away).
  expect(scaledMad([10, 11, 12, 13, 100])).toBe(1.4826);
  expect(outliers([10, 11, 12, 13, 100])).toStrictEqual([4]);
  // median 100; |deviations| [0, 1, 1, 2, 2, 50, 50] → MAD 2 → limit 8.8956: both 50 and 150, on either side.
  expect(outliers([100, 101, 99, 102, 98, 50, 150])).toStrictEqual([5, 6]);
  // k = 0.5 → limit 1.4826: the deviations of 2 (102 and 98) count too.
  expect(outliers([100, 101, 99, 102, 98, 50, 150], 0.5)).toStrictEqual([3, 4, 5, 6]);
  // MAD 0 (more than half equal): none, by definition.
  expect(outliers([5, 5, 5, 9])).toStrictEqual([]);
  expect(outliers([])).toStrictEqual([]);
  expect(() => outliers([1, 2, 3], 0)).toThrow(RangeError);
});
