import { expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('names the kind of max each metric takes', () => {
  const text = yaml(
    ...HEAD,
    'thresholds:',
    '  - {metric: p99-delta, max: 2}',
    '  - {metric: error-rate, max: 1%}',
    '  - {metric: mesh-cpu-cores, max: 1ms}',
    '  - {metric: mesh-memory-per-proxy, max: lots}',
  );
  expect(problemsOf(text)).toEqual([
    {
      source: 'test.yaml',
      line: 6,
      col: 30,
      message: 'thresholds[0].max: latency metrics take a duration such as 5ms or 250us as max; got 2, a number without a unit',
      hint: 'write 2ms or 2s',
    },
    { source: 'test.yaml', line: 7, col: 31, message: "thresholds[1].max: error-rate takes a fraction from 0 to 1 as max (0.01 = 1%); got '1%'" },
    {
      source: 'test.yaml',
      line: 8,
      col: 35,
      message: "thresholds[2].max: CPU metrics take a number of cores from 0 to 1000000 as max, such as 0.5; got '1ms'",
    },
    {
      source: 'test.yaml',
      line: 9,
      col: 42,
      message:
        "thresholds[3].max: 'lots' is not a valid size: expected a number optionally followed by a unit; write whole bytes or a number with a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. 1024, 512B, 4KiB, 4KB (4000 bytes) or 1MiB",
    },
  ]);
});

it('converts max to milliseconds, cores, bytes and fractions', () => {

  const text = yaml(
    ...HEAD,
    'thresholds:',
    '  - {metric: p99-delta, max: 2ms}',
    '  - {metric: error-rate, max: 0.01}',
    '  - {metric: mesh-cpu-per-1k-rps, max: 0.25}',
    '  - {metric: mesh-memory-per-proxy, max: 64MiB, modes: [baseline]}',
  );
  expect(loadScenarioText(text, 'test.yaml').scenario.thresholds).toStrictEqual([
    { metric: 'p99-delta', max: 2 },
    { metric: 'error-rate', max: 0.01 },
    { metric: 'mesh-cpu-per-1k-rps', max: 0.25 },
    { metric: 'mesh-memory-per-proxy', max: 67_108_864, modes: ['baseline'] },
  ]);
});

it('suggests a metric for a misspelled one', () => {
  expect(problemsOf(yaml(...HEAD, 'thresholds:', '  - {metric: p99-delat, max: 2ms}'))).toEqual([
    {
      source: 'test.yaml',
      line: 6,
      col: 14,
      message:
        "thresholds[0].metric: must be one of: p50-delta, p90-delta, p95-delta, p99-delta, p999-delta, p50, p90, p95, p99, p999, mesh-cpu-cores, mesh-cpu-per-1k-rps, mesh-memory-per-proxy, error-rate; got 'p99-delat'",
      hint: "did you mean 'p99-delta'?",
    },
  ]);
});
