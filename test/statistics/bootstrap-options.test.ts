import { expect, it } from 'vitest';
import { bootstrapDeltaInterval } from '../../src/analysis/statistics/bootstrap.ts';

it('rejects invalid options and non-finite values', () => {
  const a = [1, 2, 3];
  expect(() => bootstrapDeltaInterval(a, a, { seed: 1, resamples: 0 })).toThrow(RangeError);
  expect(() => bootstrapDeltaInterval(a, a, { seed: 1, resamples: 2.5 })).toThrow(RangeError);
  expect(() => bootstrapDeltaInterval(a, a, { seed: 1, confidence: 1 })).toThrow(RangeError);
  expect(() => bootstrapDeltaInterval(a, a, { seed: 1, confidence: 0 })).toThrow(RangeError);
  expect(() => bootstrapDeltaInterval(a, a, { seed: 1.5 })).toThrow(RangeError);
  expect(() => bootstrapDeltaInterval([1, Number.NaN], a, { seed: 1 })).toThrow(RangeError);
  expect(() => bootstrapDeltaInterval(a, [Infinity, 1], { seed: 1 })).toThrow(RangeError);
});
