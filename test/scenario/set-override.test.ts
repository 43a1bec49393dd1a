import { expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, yaml } from './helpers.ts';

const text = yaml(...HEAD, 'modes: [baseline, sidecar]', 'load:', '  rates: [500, 1000]', '  duration: 20s');

it('applies --set values over the file, parsed as YAML', () => {
  const { scenario } = loadScenarioText(text, 'test.yaml', [
    'load.duration=5s',
    'load.connections=4',
    'metadata.name=x',
    'metadata.description=a quick look',
  ]);
  expect(scenario.load.duration).toBe(5000);
  expect(scenario.load.connections).toBe(4);
  expect(scenario.metadata).toStrictEqual({ name: 'x', description: 'a quick look' });
});

it('replaces lists and indexes into them', () => {
  expect(loadScenarioText(text, 'test.yaml', ['load.rates=[100,200]']).scenario.load.rates).toStrictEqual([100, 200]);
  expect(loadScenarioText(text, 'test.yaml', ['load.rates.1=2000']).scenario.load.rates).toStrictEqual([500, 2000]);
  expect(loadScenarioText(text, 'test.yaml', ['modes[2]=ambient']).scenario.modes).toStrictEqual(['baseline', 'sidecar', 'ambient']);
});

it('applies later overrides over earlier ones', () => {
  expect(loadScenarioText(text, 'test.yaml', ['load.duration=5s', 'load.duration=7s']).scenario.load.duration).toBe(7000);
});
