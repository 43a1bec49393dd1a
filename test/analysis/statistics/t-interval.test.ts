import { describe, expect, it } from 'vitest';
import { intervalReliability, pairedTInterval, welchTInterval } from '../../../src/analysis/statistics/t-interval.ts';

describe('the paired t interval', () => {
  it('is mean ± t(0.975, n − 1) × sd / √n', () => {
    // mean 12, sd 2, t(0.975, 2) = 4.302653: 12 ± 4.302653 × 2 / √3 = 12 ± 4.968275.
    const interval = pairedTInterval([10, 12, 14])!;
    expect(interval.estimate).toBe(12);
    expect(interval.low).toBeCloseTo(7.031725, 5);
    expect(interval.high).toBeCloseTo(16.968275, 5);
    expect(interval.method).toBe('95% Student t interval of the mean of 3 per-round paired differences (2 degrees of freedom)');
  });

  it('with 2 rounds uses t(0.975, 1) = 12.706: wide, as two values deserve', () => {
    // mean 5, sd √2 × 5 = 7.0711, se 5: 5 ± 12.7062 × 5.
    const interval = pairedTInterval([0, 10])!;
    expect(interval.low).toBeCloseTo(5 - 63.531024, 4);
    expect(interval.high).toBeCloseTo(5 + 63.531024, 4);
  });

  it('has no interval for fewer than 2 rounds, and a point for rounds without spread', () => {
    expect(pairedTInterval([5])).toBeNull();
    expect(pairedTInterval([])).toBeNull();
    expect(pairedTInterval([3, 3, 3])).toMatchObject({ estimate: 3, low: 3, high: 3 });
  });

  it('rejects non-finite differences and a confidence outside (0, 1)', () => {
    expect(() => pairedTInterval([1, Number.NaN])).toThrow(RangeError);
    expect(() => pairedTInterval([1, 2], 1)).toThrow(/confidence/);
  });
});

describe("Welch's t interval", () => {
  it('uses the Welch–Satterthwaite degrees of freedom', () => {
    // a: mean 11, var 1 (n 3); b: mean 5, var 4 (n 3). se² = 1/3 + 4/3 = 5/3; ν = (5/3)² / ((1/9 + 16/9) / 2) = 2.9412.
    const interval = welchTInterval([10, 11, 12], [3, 5, 7])!;
    expect(interval.estimate).toBe(6);
    expect(interval.method).toBe('95% Welch t interval of the difference of means (3 and 3 values, 2.9 degrees of freedom)');
    // t(0.975, 2.9412) = 3.2199 (between the table's 4.303 at 2 and 3.182 at 3): 6 ± 3.2199 × 1.290994.
    expect(interval.high - interval.estimate).toBeGreaterThan(3.182 * Math.sqrt(5 / 3));
    expect(interval.high - interval.estimate).toBeLessThan(4.303 * Math.sqrt(5 / 3));
    expect(interval.low).toBeCloseTo(6 - (interval.high - 6), 12);
  });

  it('is null with fewer than 2 values on a side, and a point when neither side varies', () => {
    expect(welchTInterval([1], [1, 2])).toBeNull();
    expect(welchTInterval([4, 4], [1, 1, 1])).toMatchObject({ estimate: 3, low: 3, high: 3 });
  });
});

it('calls 2–4 rounds low reliability, 5 or more ok, fewer than 2 none', () => {
  expect([0, 1, 2, 4, 5, 10].map(intervalReliability)).toEqual(['none', 'none', 'low', 'low', 'ok', 'ok']);
});
