import { expect, it } from 'vitest';
import { problemsOf, yaml } from './helpers.ts';

const hint = 'start with apiVersion: meshtax.dev/v1alpha1, kind: Scenario and metadata: {name: ...}; see scenarios/quickstart.yaml';

it('rejects a document that is a list, a single value or nothing', () => {
  expect(problemsOf(yaml('- apiVersion: meshtax.dev/v1alpha1'))).toEqual([
    { source: 'test.yaml', line: 1, col: 1, message: 'a scenario must be a YAML mapping (key: value lines); the file holds a list', hint },
  ]);
  expect(problemsOf(yaml('# a comment', 'quickstart'))).toEqual([
    { source: 'test.yaml', line: 2, col: 1, message: 'a scenario must be a YAML mapping (key: value lines); the file holds a single value', hint },
  ]);
  expect(problemsOf('')).toEqual([{ source: 'test.yaml', message: 'a scenario must be a YAML mapping (key: value lines); the file is empty', hint }]);
});
