import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('says which type was expected and what was found', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '  connections: eight', 'modes: baseline'))).toEqual([
    { source: 'test.yaml', line: 6, col: 16, message: "load.connections: must be an integer from 1 to 10000; got 'eight'" },
    { source: 'test.yaml', line: 7, col: 8, message: "modes: expected a list; got 'baseline'", hint: 'a list is written in brackets, e.g. [baseline]' },
  ]);
});
