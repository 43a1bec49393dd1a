import { expect, it } from 'vitest';
import { editDistance, suggest } from '../../src/scenario/suggest.ts';

it('counts insertions, deletions and substitutions', () => {
  expect([editDistance('duration', 'durration'), editDistance('warmup', 'warmpu'), editDistance('kitten', 'sitting'), editDistance('', 'abc')]).toEqual([1, 2, 3, 3]);
});

it('suggests the closest candidate within two edits, ignoring case', () => {
  const keys = ['loop', 'rates', 'duration', 'warmup'];
  expect(suggest('durration', keys)).toBe('duration');
  expect(suggest('Rates', keys)).toBe('rates');
  expect(suggest('timeout', keys)).toBeUndefined();
});
