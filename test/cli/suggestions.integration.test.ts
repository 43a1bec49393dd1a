import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_MODES } from '../../src/runtimes/kubernetes/modes.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { fixtureRun } from '../report/fixture.ts';

/** A name one typo away from a known one gets "did you mean", as a scenario's mode typo does. */
describe('did you mean, for names given as flags', () => {
  it('render --mode sidcar', async () => {
    const scenario = path.resolve(import.meta.dirname, '../../scenarios/pilot-kubernetes.yaml');
    const result = await runCli(['render', scenario, '--mode', 'sidcar', '--run-id', '20261201-120000-ab12']);
    expect([result.code, result.stderr]).toEqual([
      2,
      `meshtax: --mode sidcar is not a Kubernetes mode; did you mean 'istio-sidecar'? modes: ${KUBERNETES_MODES.join(', ')}\n`,
    ]);
  });

  it('history --scenario quickstrt', async () => {
    const results = tempDir();
    mkdirSync(path.join(results, fixtureRun.runId));
    writeFileSync(path.join(results, fixtureRun.runId, 'run.json'), JSON.stringify(fixtureRun));
    const result = await runCli(['history', results, '--scenario', 'quickstrt']);
    expect([result.code, result.stderr]).toEqual([
      2,
      `meshtax: --scenario quickstrt: no run of that scenario under ${results}; did you mean 'quickstart'? its runs are of quickstart\n`,
    ]);
  });
});
