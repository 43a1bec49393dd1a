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
      message: 'aliases here expand to more than 20 copies; a scenario file has no need for that',
      hint: 'write the values out instead of using anchors (&name) and aliases (*name)',
    },
  ]);
});

it('accepts a few aliases', () => {
  const text = yaml(...HEAD, 'modes: &modes [baseline]', 'thresholds:', '  - {metric: p99, max: 5ms, modes: *modes}');
  expect(loadScenarioText(text, 'test.yaml').scenario.thresholds).toStrictEqual([{ metric: 'p99', max: 5, modes: ['baseline'] }]);
});
