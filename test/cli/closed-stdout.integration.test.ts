import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.ts';
import { fixtureRun } from '../report/fixture.ts';

/**
 * `meshtax … | head`: the reader closes the pipe before meshtax writes. The read end is closed here before the CLI
 * has loaded, so its first write to stdout meets EPIPE every time; the command must end as it would have.
 */
async function withClosedStdout(args: readonly string[]) {
  const { child, done } = startCli(args);
  child.stdout!.destroy();
  return done;
}

describe('stdout closed by its reader', () => {
  it('history ends with exit 0 and no stack trace', async () => {
    const results = tempDir();
    mkdirSync(path.join(results, fixtureRun.runId));
    writeFileSync(path.join(results, fixtureRun.runId, 'run.json'), JSON.stringify(fixtureRun));
    const result = await withClosedStdout(['history', results]);
    expect([result.code, result.stderr]).toEqual([0, '']);
  });

  it('render (megabytes of YAML) ends with exit 0 and no stack trace', async () => {
    const result = await withClosedStdout(['render', path.resolve(import.meta.dirname, '../../scenarios/pilot-kubernetes.yaml'), '--run-id', '20261201-120000-ab12']);
    expect([result.code, result.stderr]).toEqual([0, '']);
  });
});
