import { expect, it } from 'vitest';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it('reports a YAML syntax error at its line and column', () => {
  expect(problemsOf(yaml(...HEAD, 'load:', '\tduration: 5s'))).toEqual([
    { source: 'test.yaml', line: 6, col: 1, message: 'invalid YAML: Tabs are not allowed as indentation' },
  ]);
  expect(problemsOf(yaml(...HEAD, 'load:', '  duration: 5s: 1'))).toEqual([
    { source: 'test.yaml', line: 6, col: 13, message: 'invalid YAML: Nested mappings are not allowed in compact mappings' },
  ]);
});

it('rejects a second document', () => {
  expect(problemsOf(yaml(...HEAD, '---', 'kind: Scenario'))).toEqual([
    { source: 'test.yaml', line: 5, col: 1, message: 'a scenario file holds one YAML document; found another after ---', hint: 'split it into two files' },
  ]);
});
