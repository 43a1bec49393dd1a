import { expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, problemsOf, yaml } from './helpers.ts';

/**
 * "Billion laughs": eleven levels of nine aliases each (99 aliases, under the limit on their number), 9^12 strings
 * once expanded — more than any machine holds, so a loader that expanded aliases before refusing them would never
 * return; one that counts refuses at the first.
 */
function billionLaughs(): string {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  const names = 'abcdefghijkl';
  for (const [previous, name] of [...names.slice(0, -1)].map((c, i) => [c, names[i + 1]])) {
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
  }
  return yaml(...HEAD, ...lines);
}

it('rejects an alias bomb at its first alias, without expanding it', () => {
  const problems = problemsOf(billionLaughs());
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
