import { describe, expect, it } from 'vitest';
import type { DeltaInterval } from '../../../src/analysis/statistics/t-interval.ts';
import { judgeDelta } from '../../../src/analysis/statistics/significance.ts';

const interval = (estimate: number, low: number, high: number): DeltaInterval => ({ estimate, low, high, method: 'test' });

describe('judgeDelta', () => {
  it('cannot tell without an interval', () => {
    expect(judgeDelta(null)).toStrictEqual({ significant: null, reason: 'no interval (fewer than 2 rounds)' });
    expect(judgeDelta(null, null, 'µs', '1 round: no interval').reason).toBe('1 round: no interval');
    expect(judgeDelta(null, 35, 'µs').significant).toBeNull();
  });

  it('is not significant when the interval includes 0, bounds included', () => {
    expect(judgeDelta(interval(10, -5, 25))).toStrictEqual({ significant: false, reason: 'interval includes 0' });
    expect(judgeDelta(interval(10, 0, 20)).significant).toBe(false);
    expect(judgeDelta(interval(-10, -20, 0)).significant).toBe(false);
  });

  it('is significant when the interval excludes 0, on either side', () => {
    expect(judgeDelta(interval(100, 93.6, 106.2))).toStrictEqual({ significant: true, reason: 'interval excludes 0' });
    expect(judgeDelta(interval(-0.02, -0.03, -0.01)).significant).toBe(true);
  });

  it('is not significant below or at the noise floor, even when the interval excludes 0', () => {
    expect(judgeDelta(interval(30, 20, 40), 35, 'µs')).toStrictEqual({
      significant: false,
      reason: 'below the noise floor of 35 µs',
    });
    expect(judgeDelta(interval(-35, -45, -25), 35, 'µs').significant).toBe(false);
    expect(judgeDelta(interval(0.01, 0.005, 0.015), 0.0123456, 'cores').reason).toBe(
      'below the noise floor of 0.012 cores',
    );
  });

  it('is significant above the noise floor', () => {
    expect(judgeDelta(interval(100, 93.6, 106.2), 35, 'µs')).toStrictEqual({
      significant: true,
      reason: 'interval excludes 0 and exceeds the noise floor of 35 µs',
    });
    expect(judgeDelta(interval(100, 93.6, 106.2), null).reason).toBe('interval excludes 0');
  });

  it('rejects a negative or non-finite noise floor', () => {
    expect(() => judgeDelta(interval(1, 0.5, 1.5), -1)).toThrow(RangeError);
    expect(() => judgeDelta(interval(1, 0.5, 1.5), Number.NaN)).toThrow(RangeError);
  });
});
