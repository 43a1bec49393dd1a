import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('rejects a negative rate at its place in the list, saying the allowed range', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '  rates: [500, -100]'))).toEqual([
    { source: 'test.yaml', line: 6, col: 16, message: 'load.rates[1]: must be greater than 0 and at most 1000000 requests/second; got -100' },
  ]);
});
