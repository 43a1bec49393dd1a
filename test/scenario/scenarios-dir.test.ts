import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load.ts';

const dir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const files = readdirSync(dir).filter((name) => name.endsWith('.yaml'));

it('has the quickstart and closed-loop examples', () => {
  expect(files).toEqual(expect.arrayContaining(['quickstart.yaml', 'closed-loop.yaml']));
});

it.each(files)('loads scenarios/%s cleanly', async (name) => {
  const loaded = await loadScenarioFile(`${dir}${name}`);
  expect(loaded.scenario.metadata.name).toBe(name.replace(/\.yaml$/, ''));
});

it('keeps the quickstart under a minute', async () => {
  const { load, modes } = (await loadScenarioFile(`${dir}quickstart.yaml`)).scenario;
  const phases = modes.length * load.rates.length * load.repetitions;
  expect(phases * (load.warmup + load.duration)).toBeLessThan(60_000);
});
