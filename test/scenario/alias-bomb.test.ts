import { expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, problemsOf, yaml } from './helpers.ts';

/** "Billion laughs": nine levels of nine aliases each, 9^8 strings once expanded. */
function billionLaughs(): string {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (const [previous, name] of [...'abcdefgh'].map((c, i) => [c, 'bcdefghi'[i]])) {
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
  }
  return yaml(...HEAD, ...lines);
}

it('rejects an alias bomb quickly, at its first alias', () => {
  const started = performance.now();
  const problems = problemsOf(billionLaughs());
  expect(performance.now() - started).toBeLessThan(1000);
  expect(problems).toEqual([
    {
      source: 'test.yaml',
      line: 6,
      col: 8,
      message: 'alias *a: scenario files do not use YAML aliases (71 more in this file)',
      hint: 'write the value out where the alias is, and drop the anchor &a',
    },
  ]);
});

// The README says aliases are rejected; a single plain alias is rejected too, not only one that expands a lot.
it('rejects a plain alias, at its place, with a hint', () => {
  const text = yaml(...HEAD, 'modes: &modes [baseline]', 'thresholds:', '  - {metric: p99, max: 5ms, modes: *modes}');
  expect(problemsOf(text)).toEqual([
    {
      source: 'test.yaml',
      line: 7,
      col: 36,
      message: 'alias *modes: scenario files do not use YAML aliases',
      hint: 'write the value out where the alias is, and drop the anchor &modes',
    },
  ]);
});

it('accepts an anchor that nothing refers to (it changes nothing)', () => {
  const text = yaml(...HEAD, 'modes: &modes [baseline]');
  expect(loadScenarioText(text, 'test.yaml').scenario.modes).toStrictEqual(['baseline']);
});
