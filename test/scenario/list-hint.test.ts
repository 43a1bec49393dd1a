import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

const text = yaml(...HEAD, 'load:', '  rates: [500, 1000]');

it('shows the --set that gives a list when one value was given for a list', () => {
  expect(problemsOf(text, ['load.rates=500'])).toEqual([
    { source: '--set load.rates=500', message: 'load.rates: expected a list; got 500', hint: 'write --set load.rates=[500]' },
  ]);
});

it('shows the brackets when the file gives one value for a list', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '  rates: 500'))).toEqual([
    { source: 'test.yaml', line: 6, col: 10, message: 'load.rates: expected a list; got 500', hint: 'a list is written in brackets, e.g. [500]' },
  ]);
});
