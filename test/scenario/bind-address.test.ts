import { expect, it } from 'vitest';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { HEAD, problemsOf, yaml } from './helpers.ts';

it.each(['0.0.0.0', '10.0.0.1', 'localhost', '::'])('rejects the non-loopback bindAddress %s', (address) => {
  expect(problemsOf(yaml(...HEAD, 'local:', `  bindAddress: "${address}"`))).toEqual([
    {
      source: 'test.yaml',
      line: 6,
      col: 16,
      message: `local.bindAddress: must be a loopback address (127.0.0.0/8 or ::1); got '${address}'`,
      hint: 'the local runtime only listens on loopback; use 127.0.0.1 or ::1',
    },
  ]);
});

it.each(['127.0.0.1', '127.1.2.3', '::1'])('accepts the loopback bindAddress %s', (address) => {
  expect(loadScenarioText(yaml(...HEAD, 'local:', `  bindAddress: "${address}"`), 'test.yaml').scenario.local.bindAddress).toBe(address);
});
