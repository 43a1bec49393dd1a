import { expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('rejects flow nesting 100 000 deep by its depth, at the place it goes too deep', () => {
  const depth = 100_000;
  const problems = problemsOf(yaml(...HEAD, `modes: ${'['.repeat(depth)}${']'.repeat(depth)}`));
  // `modes:` opens level 1 at line 5; the 64th `[` after it (column 8 + 63) is level 65.
  expect(problems).toEqual([
    {
      source: 'test.yaml',
      line: 5,
      col: 71,
      message: 'nesting deeper than 64 levels; a scenario file needs a handful',
      hint: 'look for runaway [ or { or an indentation that keeps growing',
    },
  ]);
});

it('rejects block nesting deeper than 64 levels (yaml runs out of stack at about 800)', () => {
  const lines = ['metadata:', '  name: demo', 'x:'];
  for (let level = 1; level < 900; level++) lines.push(`${' '.repeat(level)}y:`);
  // Line 5 (`x:`) is level 1 and line 5 + k level k + 1: level 65 is the key at line 69, column 65.
  const problems = problemsOf(yaml('apiVersion: meshtax.dev/v1alpha1', 'kind: Scenario', ...lines));
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatchObject({ source: 'test.yaml', line: 69, col: 65, message: 'nesting deeper than 64 levels; a scenario file needs a handful' });
});

it('still reads the shipped nesting of a scenario, lists of mappings included', () => {
  const text = yaml(...HEAD, 'modes: [baseline, sidecar]', 'thresholds:', '  - metric: p99', '    max: 5ms', '    modes: [sidecar]');
  expect(loadScenarioText(text, 'test.yaml').scenario.thresholds).toStrictEqual([{ metric: 'p99', max: 5, modes: ['sidecar'] }]);
});
