import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ScenarioError } from '../../src/scenario/errors.ts';
import { loadScenarioFile, loadScenarioText } from '../../src/scenario/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'meshtax-scenario-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function problemsLoading(path: string) {
  const error: unknown = await loadScenarioFile(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ScenarioError);
  return (error as ScenarioError).problems;
}

it('says a missing file does not exist', async () => {
  const path = join(dir, 'nope.yaml');
  expect(await problemsLoading(path)).toEqual([{ source: path, message: `cannot read ${path}: no such file` }]);
});

it('says a directory is not a file', async () => {
  expect(await problemsLoading(dir)).toEqual([{ source: dir, message: `cannot read ${dir}: it is a directory` }]);
});

it('refuses a file over 1 MiB before reading it', async () => {
  const path = join(dir, 'big.yaml');
  writeFileSync(path, `# ${'x'.repeat(2 * 1024 * 1024)}\n`);
  expect(await problemsLoading(path)).toEqual([
    { source: path, message: 'the file is 2.0 MiB; a scenario file may be at most 1 MiB', hint: 'is this the scenario file you meant?' },
  ]);
});

it('refuses text over 1 MiB', () => {
  expect(() => loadScenarioText(`# ${'x'.repeat(1024 * 1024)}\n`, 'big.yaml')).toThrow(
    'big.yaml: the file is 1.0 MiB; a scenario file may be at most 1 MiB',
  );
});
