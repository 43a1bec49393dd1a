import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('reports every problem at once, in file order', () => {
  const text = yaml(
    ...HEAD,
    'runtime: kubernets',
    'load:',
    '  rates: [0]',
    '  connections: 0',
    '  durration: 5s',
    'modes: [baseline, baseline]',
  );
  expect(problemsOf(text)).toEqual([
    { source: 'test.yaml', line: 5, col: 10, message: "runtime: must be one of: local, kubernetes; got 'kubernets'", hint: "did you mean 'kubernetes'?" },
    { source: 'test.yaml', line: 7, col: 11, message: 'load.rates[0]: must be greater than 0 and at most 1000000 requests/second; got 0' },
    { source: 'test.yaml', line: 8, col: 16, message: 'load.connections: must be an integer from 1 to 10000; got 0' },
    { source: 'test.yaml', line: 9, col: 3, message: "unknown key 'durration' in load", hint: "did you mean 'duration'?" },
    { source: 'test.yaml', line: 10, col: 19, message: "modes[1]: 'baseline' is listed twice", hint: 'list each mode once' },
  ]);
});

it('caps a flood of problems at 100 and says how many more there were', () => {
  const text = yaml(...HEAD, ...Array.from({ length: 150 }, (_, i) => `extra${i}: 1`));
  const problems = problemsOf(text);
  expect(problems).toHaveLength(101);
  expect(problems[100]).toEqual({ source: 'test.yaml', message: 'and 50 more problems' });
});
