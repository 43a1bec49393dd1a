import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('rejects more workers than connections, saying how to fix it', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '  connections: 2', '  workers: 4'))).toEqual([
    {
      source: 'test.yaml',
      line: 7,
      col: 12,
      message: 'load.workers: must be at most connections (2): each worker needs a connection of its own; got 4',
      hint: 'lower load.workers to 2 or raise load.connections to 4',
    },
  ]);
});
