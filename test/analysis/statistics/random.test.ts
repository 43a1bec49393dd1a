import { expect, it } from 'vitest';
import { mulberry32, seededRandom } from '../../../src/core/random.ts';

it('is mulberry32 for the seed, with integers floor(u × bound)', () => {
  const reference = mulberry32(9);
  const random = seededRandom(9);
  expect([random.next(), random.next()]).toStrictEqual([reference(), reference()]);
  const draws = Array.from({ length: 1000 }, () => random.integer(5));
  const expected = Array.from({ length: 1000 }, () => Math.floor(reference() * 5));
  expect(draws).toStrictEqual(expected);
  expect(new Set(draws)).toStrictEqual(new Set([0, 1, 2, 3, 4]));
  expect(() => seededRandom(0.5)).toThrow(RangeError);
  expect(() => random.integer(0)).toThrow(RangeError);
});
