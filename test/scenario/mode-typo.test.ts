import { expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { runtimeFor } from '../../src/runtimes/registry.ts';
import { HEAD, yaml } from './helpers.ts';

function modeProblems(modes: string): ScenarioError['problems'] {
  try {
    runtimeFor(loadScenarioText(yaml(...HEAD, 'runtime: local', `modes: ${modes}`), 'test.yaml'));
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error('expected the modes to be rejected');
}

it('suggests the mode a typo was meant to be', () => {
  expect(modeProblems('[baseline, sidcar]')).toEqual([
    {
      source: 'test.yaml',
      line: 6,
      col: 19,
      message: "mode 'sidcar' is not offered by the local runtime; it offers: baseline, baseline-aa, sidecar, node-proxy, node-proxy-waypoint",
      hint: "did you mean 'sidecar'?",
    },
  ]);
});

it('suggests nothing for a mode far from every offered one', () => {
  const [problem] = modeProblems('[baseline, warp-drive]');
  expect(problem?.hint).toBeUndefined();
});
