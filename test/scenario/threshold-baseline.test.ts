import { expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('rejects a delta threshold when baseline is not among the modes, pointing at its metric', () => {
  const text = yaml(
    ...HEAD,
    'modes: [sidecar, node-proxy]',
    'thresholds:',
    '  - {metric: p99-delta, max: 2ms}',
    '  - {metric: p99, max: 20ms}',
    '  - {metric: mesh-cpu-cores, max: 0.5}',
  );
  expect(problemsOf(text)).toEqual([
    {
      source: 'test.yaml',
      line: 7,
      col: 14,
      message: "thresholds[0].metric: p99-delta compares each mode with baseline, but 'baseline' is not in modes (sidecar, node-proxy)",
      hint: 'add baseline to modes, or gate on the absolute p99 instead',
    },
    {
      source: 'test.yaml',
      line: 9,
      col: 14,
      message: "thresholds[2].metric: mesh-cpu-cores compares each mode with baseline, but 'baseline' is not in modes (sidecar, node-proxy)",
      hint: 'add baseline to modes',
    },
  ]);
});

it('takes onNoData: pass or fail (absent: fail)', () => {
  const text = yaml(
    ...HEAD,
    'modes: [baseline, sidecar]',
    'thresholds:',
    '  - {metric: p99-delta, max: 2ms}',
    '  - {metric: p999-delta, max: 2ms, onNoData: pass}',
  );
  expect(loadScenarioText(text, 'test.yaml').scenario.thresholds).toStrictEqual([
    { metric: 'p99-delta', max: 2 },
    { metric: 'p999-delta', max: 2, onNoData: 'pass' },
  ]);
  expect(problemsOf(yaml(...HEAD, 'thresholds:', '  - {metric: error-rate, max: 0.01, onNoData: skip}'))).toEqual([
    { source: 'test.yaml', line: 6, col: 47, message: "thresholds[0].onNoData: must be one of: pass, fail; got 'skip'" },
  ]);
});
