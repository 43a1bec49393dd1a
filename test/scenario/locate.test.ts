import { expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, yaml } from './helpers.ts';

const text = yaml(...HEAD, 'modes:', '  - baseline', '  - sidecar', '  - node-proxy', 'load: {duration: 5s}');

it('finds values by path, for validators that run after loading', () => {
  const loaded = loadScenarioText(text, 'test.yaml');
  expect(loaded.locate(['modes', 2])).toEqual({ line: 8, col: 5 });
  expect(loaded.locate(['load', 'duration'])).toEqual({ line: 9, col: 18 });
  expect(loaded.locate(['metadata', 'name'])).toEqual({ line: 4, col: 9 });
});

it('points a key the file leaves out at the mapping that would hold it', () => {
  const loaded = loadScenarioText(text, 'test.yaml');
  expect(loaded.locate(['load', 'warmup'])).toEqual({ line: 9, col: 7 });
  expect(loaded.locate(['runtime'])).toEqual({ line: 1, col: 1 });
});

it('has no place in the file for a value from --set, and where() names the --set instead', () => {
  const loaded = loadScenarioText(text, 'test.yaml', ['modes.2=ambient']);
  expect(loaded.locate(['modes', 2])).toBeUndefined();
  expect(loaded.where(['modes', 2])).toEqual({ source: '--set modes.2=ambient' });
  expect(loaded.where(['modes', 1])).toEqual({ source: 'test.yaml', line: 7, col: 5 });
});
