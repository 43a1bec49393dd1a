import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runScenario } from '../../src/pipeline/run.ts';
import type { RunDocument } from '../../src/results/schema.ts';
import { localRuntime } from '../../src/runtimes/local/runtime.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { tempDir } from '../helpers/cli.ts';

afterEach(() => vi.restoreAllMocks());

describe('a clean-up that fails', () => {
  it('fails the run with the reason and still writes run.json in its final state', async () => {
    const create = localRuntime.create.bind(localRuntime);
    vi.spyOn(localRuntime, 'create').mockImplementation((scenario, runId, options) => {
      const runtime = create(scenario, runId, options);
      const cleanup = runtime.cleanup.bind(runtime);
      runtime.cleanup = async () => {
        await cleanup();
        throw new Error('could not delete namespace mtx-test');
      };
      return runtime;
    });
    const loaded = loadScenarioText(
      'apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: { name: c }\nload: { rates: [100], duration: 1s, warmup: 0s }\n',
      'c.yaml',
    );
    const { run, runDir } = await runScenario(loaded, { outDir: tempDir(), signal: new AbortController().signal });
    expect(run.status).toBe('failed');
    expect(run.error).toBe('clean-up failed: could not delete namespace mtx-test');
    expect(run.phases).toHaveLength(1);
    const onDisk = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunDocument;
    expect(onDisk.status).toBe('failed');
    expect(onDisk.finishedAt).not.toBeNull();
  });
});
