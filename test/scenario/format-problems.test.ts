import { expect, it } from 'vitest';
import { formatProblems, ScenarioError } from '../../src/scenario/errors.ts';

const problems = [
  { source: 'scenarios/x.yaml', line: 7, col: 3, message: "unknown key 'durration' in load", hint: "did you mean 'duration'?" },
  { source: '--set load.duration=5', message: 'load.duration: expected a duration' },
];

it('writes file:line:col: message, then the hint indented', () => {
  expect(formatProblems(problems)).toBe(
    ["scenarios/x.yaml:7:3: unknown key 'durration' in load", "  hint: did you mean 'duration'?", '--set load.duration=5: load.duration: expected a duration'].join('\n'),
  );
});

it('carries the problems and exit code 2', () => {
  const error = new ScenarioError(problems);
  expect(error.problems).toBe(problems);
  expect(error.message).toBe(formatProblems(problems));
  expect(error.exitCode).toBe(2);
  expect(error.text()).toBe(formatProblems(problems));
});
