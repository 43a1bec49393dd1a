import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('rejects a threshold for a mode the scenario does not measure', () => {
  expect(problemsOf(yaml(...HEAD, 'modes: [baseline, sidecar]', 'thresholds:', '  - {metric: p99-delta, max: 2ms, modes: [sidecar, ambient]}'))).toEqual([
    {
      source: 'test.yaml',
      line: 7,
      col: 52,
      message: "thresholds[0].modes[1]: mode 'ambient' is not in modes (baseline, sidecar)",
      hint: "add 'ambient' to modes or remove it from this threshold",
    },
  ]);
});
