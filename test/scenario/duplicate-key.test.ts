import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('points at a duplicate key and names the line of the first one', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '  duration: 10s', '  warmup: 1s', '  duration: 20s'))).toEqual([
    {
      source: 'test.yaml',
      line: 8,
      col: 3,
      message: "duplicate key 'duration' (first at line 6)",
      hint: 'a key may appear once in each mapping; keep one of them',
    },
  ]);
});
