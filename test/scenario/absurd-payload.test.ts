import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('rejects a payload larger than 64 MiB, saying the limit', () => {
  expect(problemsOf(yaml(...HEAD, 'workload:', '  payloadBytes: 1GiB'))).toEqual([
    { source: 'test.yaml', line: 6, col: 17, message: 'workload.payloadBytes: must be at most 64 MiB (67108864 bytes); got 1 GiB' },
  ]);
});

it('rejects a fraction of a byte', () => {
  expect(problemsOf(yaml(...HEAD, 'workload:', '  payloadBytes: 2.5B'))).toEqual([
    {
      source: 'test.yaml',
      line: 6,
      col: 17,
      message:
        "workload.payloadBytes: '2.5B' is not a valid size: it is not a whole number of bytes; write whole bytes or a number with a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. 1024, 512B, 4KiB, 4KB (4000 bytes) or 1MiB",
    },
  ]);
});
