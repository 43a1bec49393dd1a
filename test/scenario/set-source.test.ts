import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

const text = yaml(...HEAD, 'load:', '  rates: [500, 1000]');

it('reports a problem in a --set value against the --set, not the file', () => {
  expect(problemsOf(text, ['load.duration=5'])).toEqual([
    {
      source: '--set load.duration=5',
      message: 'load.duration: expected a duration such as 250ms, 20s or 1m30s; got 5, a number without a unit',
      hint: 'write 5ms or 5s',
    },
  ]);
});

it('reports a --set path the schema does not have against the --set', () => {
  expect(problemsOf(text, ['load.durations=5s', 'lod.duration=5s'])).toEqual([
    { source: '--set load.durations=5s', message: "unknown key 'durations' in load", hint: "did you mean 'duration'?" },
    { source: '--set lod.duration=5s', message: "unknown key 'lod' at the top level", hint: "did you mean 'load'?" },
  ]);
});

it('reports a --set path that cannot be set', () => {
  expect(problemsOf(text, ['load.rates.5=100', 'metadata.name.first=x'])).toEqual([
    { source: '--set load.rates.5=100', message: 'cannot set load.rates[5]: index 5 is past the end of load.rates, which has 2 items' },
    { source: '--set metadata.name.first=x', message: 'cannot set metadata.name.first: metadata.name holds a single value, not a mapping or list' },
  ]);
});
