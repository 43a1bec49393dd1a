import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('rejects zero repetitions, saying the allowed range', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '  repetitions: 0'))).toEqual([
    { source: 'test.yaml', line: 6, col: 16, message: 'load.repetitions: must be an integer from 1 to 1000; got 0' },
  ]);
});
