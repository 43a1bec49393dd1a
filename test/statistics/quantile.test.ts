import { describe, expect, it } from 'vitest';
import { quantileSorted } from '../../src/analysis/statistics/bootstrap.ts';

// Type 7: h = (n − 1)p, Q = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋ + 1] − x[⌊h⌋]).
describe('quantileSorted (Hyndman & Fan type 7)', () => {
  const xs = [10, 20, 30, 40];

  it('interpolates linearly between order statistics', () => {
    expect(quantileSorted(xs, 0)).toBe(10);
    expect(quantileSorted(xs, 0.25)).toBe(17.5); // h = 0.75
    expect(quantileSorted(xs, 0.5)).toBe(25); // h = 1.5
    expect(quantileSorted(xs, 0.75)).toBe(32.5); // h = 2.25
    expect(quantileSorted(xs, 1)).toBe(40);
    expect(quantileSorted(xs, 1 / 3)).toBe(20); // h = 1: the order statistic itself
  });

  it('places the 95% bounds of 10 000 resamples between the 250th/251st and 9750th/9751st values', () => {
    const ranks = Float64Array.from({ length: 10_000 }, (_, i) => i);
    expect(quantileSorted(ranks, 0.025)).toBe(249.97500000000002); // h = 9999 × 0.025 = 249.975
    expect(quantileSorted(ranks, 0.975)).toBe(9749.025); // h = 9749.025
  });

  it('returns the value itself between equal neighbours and for one value', () => {
    expect(quantileSorted([0.1, 0.1, 0.1], 0.37)).toBe(0.1);
    expect(quantileSorted([7], 0.5)).toBe(7);
  });

  it('rejects no values and probabilities outside [0, 1]', () => {
    expect(() => quantileSorted([], 0.5)).toThrow(RangeError);
    expect(() => quantileSorted(xs, 1.01)).toThrow(RangeError);
    expect(() => quantileSorted(xs, Number.NaN)).toThrow(RangeError);
  });
});
