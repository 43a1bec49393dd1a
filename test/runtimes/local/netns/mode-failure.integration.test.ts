import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { modeNames } from '../../../../src/runtimes/local/netns/names.ts';
import { localRuntime } from '../../../../src/runtimes/local/runtime.ts';
import type { Runtime } from '../../../../src/runtimes/types.ts';
import { loadScenarioText } from '../../../../src/scenario/load.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { netnsRuns, runProcessesAfter, traces, tracesAfter } from './helpers.ts';

const SCENARIO = 'apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: { name: netns-test }\n';

function namespaceExists(name: string): boolean {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').some((line) => line.split(' ')[0] === name);
}

describe('a mode whose set-up fails halfway', () => {
  const runs = netnsRuns();
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.cleanup();
    runtime = undefined;
  });

  it('is removed before the error reaches the caller; modes set up before it stay for cleanup()', async () => {
    const runId = runs.fresh();
    const names = { baseline: modeNames(runId, 'baseline'), sidecar: modeNames(runId, 'sidecar') };
    const loaded = loadScenarioText(SCENARIO, 'netns.yaml', ['local.isolation=netns', 'local.proxy=haproxy', 'modes=[baseline,sidecar]']);
    runtime = localRuntime.create(loaded.scenario, runId, { keep: false });
    const controller = new AbortController();
    const preparing = runtime.prepare(loaded.scenario.modes, controller.signal);
    // Interrupt as soon as the sidecar mode's namespace exists: baseline is up, the sidecar mode halfway.
    await waitFor('the sidecar namespace', 20_000, () => namespaceExists(names.sidecar.server), 5);
    controller.abort();
    await expect(preparing).rejects.toThrow();
    // At once, without waiting: nothing of the sidecar mode is left, baseline's namespace and link are.
    const left = traces(runId);
    expect(left.some((line) => line.includes('-sc-'))).toBe(false);
    expect(left.some((line) => line.startsWith(names.baseline.server))).toBe(true);
    await runtime.cleanup();
    runtime = undefined;
    expect(await tracesAfter(runId)).toEqual([]);
    expect(await runProcessesAfter({ descendantsOf: process.pid })).toEqual([]);
  });
});
