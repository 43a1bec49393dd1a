import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('rejects a duration it cannot read, a bare number and one out of range', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '  duration: 20 seconds', '  warmup: 5', '  timeout: 1h'))).toEqual([
    {
      source: 'test.yaml',
      line: 6,
      col: 13,
      message:
        "load.duration: '20 seconds' is not a valid duration: it contains a space; write a number with a unit (h, m, s, ms or us/µs), e.g. 250us, 1.5ms, 20s, 1m30s or 2h",
    },
    {
      source: 'test.yaml',
      line: 7,
      col: 11,
      message: 'load.warmup: expected a duration such as 250ms, 20s or 1m30s; got 5, a number without a unit',
      hint: 'write 5ms or 5s',
    },
    { source: 'test.yaml', line: 8, col: 12, message: 'load.timeout: must be from 1ms to 10m; got 1h' },
  ]);
});
