import { expect, it } from 'vitest';
import { problemsOf, yaml } from './helpers.ts';

it('points a missing key at the mapping that should hold it, with what to add', () => {
  expect(problemsOf(yaml('kind: Scenario', 'metadata:', '  description: no name'))).toEqual([
    { source: 'test.yaml', line: 1, col: 1, message: "missing required key 'apiVersion'", hint: 'add apiVersion: meshtax.dev/v1alpha1' },
    { source: 'test.yaml', line: 3, col: 3, message: "missing required key 'name' in metadata", hint: 'for example name: quickstart' },
  ]);
});
