import { afterEach, expect, it, vi } from 'vitest';
import { runScenario } from '../../src/pipeline/run.ts';
import { localRuntime } from '../../src/runtimes/local/runtime.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { tempDir } from '../helpers/cli.ts';

afterEach(() => vi.restoreAllMocks());

it('records a mode that cannot be brought up as that mode\'s failed phase, and goes on with the others when told to', async () => {
  // The local runtime brings every mode up at once; a runtime that brings them up a group at a time (Kubernetes)
  // can fail one later, as a rollout refused at admission does. That failure is the mode's, not the run's.
  const create = localRuntime.create.bind(localRuntime);
  vi.spyOn(localRuntime, 'create').mockImplementation((scenario, runId, options) => {
    const runtime = create(scenario, runId, options);
    runtime.activate = async (mode) => {
      if (mode === 'baseline-aa') throw new Error('pods are forbidden: violates PodSecurity "restricted:latest"');
    };
    return runtime;
  });
  const loaded = loadScenarioText(
    'apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: { name: c }\nmodes: [baseline, baseline-aa]\n' +
      'load: { rates: [100], duration: 1s, warmup: 0s, repetitions: 2, onPhaseFailure: continue }\n',
    'c.yaml',
  );
  const { run } = await runScenario(loaded, { outDir: tempDir(), signal: new AbortController().signal });
  expect(run.phases.map((phase) => phase.mode)).toEqual(['baseline', 'baseline']);
  expect(run.failures).toEqual([
    { mode: 'baseline-aa', rate: 100, repetition: 1, error: 'pods are forbidden: violates PodSecurity "restricted:latest"' },
  ]);
  expect(run.status).toBe('failed');
});
