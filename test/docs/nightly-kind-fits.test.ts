import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { capacityProblem, type NodeRoom } from '../../src/runtimes/kubernetes/capacity.ts';
import { isKubernetesMode } from '../../src/runtimes/kubernetes/modes.ts';
import { plannedModes } from '../../src/scenario/plan.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';

interface Workflow {
  jobs: Record<string, { 'runs-on': string; steps: { env?: Record<string, string> }[] }>;
}

const GI = 1024 ** 3;

/**
 * The kind workflow's scenario must fit the runner it names. A kind node reports the host's CPUs and memory as
 * allocatable; GitHub's ubuntu-24.04 hosted runner has 4 vCPUs and 16 GB. One CPU and 2 GiB per node are left for
 * what kind and the meshes put there (kindnet, ztunnel, istio-cni, Linkerd's and Istio's control planes): an
 * allowance, not a measurement.
 */
describe('docs/ci/nightly-kind.yml', () => {
  const workflow = parse(readFileSync('docs/ci/nightly-kind.yml', 'utf8')) as Workflow;
  const job = Object.values(workflow.jobs)[0]!;
  const scenarioPath = job.steps.map((s) => s.env?.SCENARIO).find((s) => s !== undefined)!;
  const node = (name: string): NodeRoom => ({ node: name, allocatable: { cpu: 4, memory: 16 * GI }, requested: { cpu: 1, memory: 2 * GI } });

  it('runs on a 4-vCPU hosted runner, and its scenario fits that runner\'s nodes', async () => {
    expect(job['runs-on']).toBe('ubuntu-24.04');
    const { scenario } = await loadScenarioFile(scenarioPath, []);
    const modes = plannedModes(scenario).filter(isKubernetesMode);
    expect(modes).toHaveLength(6);
    expect(capacityProblem(scenario, modes, node('worker'), node('worker2'))).toBeUndefined();
    // Every mode at once, as before modes were deployed a group at a time, does not fit.
    const all = { ...scenario, kubernetes: { ...scenario.kubernetes, modesAtOnce: 6 } };
    expect(capacityProblem(all, modes, node('worker'), node('worker2'))).toMatch(/^modes baseline, baseline-aa, linkerd, istio-sidecar, istio-ambient, istio-waypoint do not fit at once/);
  });
});
