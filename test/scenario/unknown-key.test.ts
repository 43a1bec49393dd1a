import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('points at a misspelled key and suggests the known one', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '  connections: 4', '  durration: 5s'))).toEqual([
    { source: 'test.yaml', line: 7, col: 3, message: "unknown key 'durration' in load", hint: "did you mean 'duration'?" },
  ]);
});

it('lists the known keys when nothing is close', () => {
  expect(problemsOf(yaml(...HEAD, 'colour: blue'))).toEqual([
    {
      source: 'test.yaml',
      line: 5,
      col: 1,
      message: "unknown key 'colour' at the top level",
      hint: 'known keys at the top level: apiVersion, kind, metadata, runtime, local, kubernetes, modes, workload, load, thresholds, faults, output',
    },
  ]);
});
