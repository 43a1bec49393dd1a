import { afterEach, expect, it, vi } from 'vitest';
import { runScenario, type RunObserver } from '../../src/pipeline/run.ts';
import { localRuntime } from '../../src/runtimes/local/runtime.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';
import { tempDir } from '../helpers/cli.ts';

afterEach(() => vi.restoreAllMocks());

it('tells the observer when modes come up, a group in place of another, and when clean-up starts and ends', async () => {
  // The local runtime keeps every mode up; this one swaps them like a cluster too small for both (Kubernetes).
  const create = localRuntime.create.bind(localRuntime);
  vi.spyOn(localRuntime, 'create').mockImplementation((scenario, runId, options) => {
    const runtime = create(scenario, runId, options);
    let active = 'baseline';
    runtime.activate = async (mode, _signal, switching) => {
      if (mode === active) return;
      switching?.({ down: [active], up: [mode] });
      active = mode;
    };
    return runtime;
  });
  const events: string[] = [];
  const observer: RunObserver = {
    activating: ({ down, up }) => events.push(`activating ${down.join(',')} → ${up.join(',')}`),
    activated: (modes) => events.push(`activated ${modes.join(',')}`),
    phaseStarted: (phase) => events.push(`phase ${phase.mode}`),
    cleaningUp: () => events.push('cleaning up'),
    cleanedUp: (error) => events.push(error ?? 'cleaned up'),
  };
  const loaded = loadScenarioText(
    'apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: { name: c }\nmodes: [baseline, baseline-aa]\n' +
      'load: { rates: [100], duration: 1s, warmup: 0s, repetitions: 1 }\n',
    'c.yaml',
  );
  await runScenario(loaded, { outDir: tempDir(), signal: new AbortController().signal, observer });
  expect(events).toEqual([
    'activating  → baseline,baseline-aa',
    'activated baseline,baseline-aa',
    'phase baseline',
    'phase baseline-aa',
    'activating baseline → baseline-aa',
    'activated baseline-aa',
    'cleaning up',
    'cleaned up',
  ]);
});
