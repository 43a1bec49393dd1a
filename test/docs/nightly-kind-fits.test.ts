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

const MI = 1024 ** 2;
const GI = 1024 ** 3;

/**
 * What kind and the meshes request of one worker at most, from their defaults: every DaemonSet's pod on each node,
 * and istiod and both CoreDNS replicas possibly on the same worker (the scheduler places them where it likes).
 */
const SYSTEM_REQUESTS = [
  // kubernetes-sigs/kind pkg/build/nodeimage/const_cni.go:135-137 (at fed26882): kindnet, a DaemonSet.
  { cpu: 0.1, memory: 50 * MI },
  // k8s.io/kubernetes v1.37.2 cmd/kubeadm/app/phases/addons/dns/manifests.go:106-108, two replicas (dns.go:51).
  { cpu: 0.2, memory: 140 * MI },
  // istio/istio (at 86c9f01fd73) manifests/charts/ztunnel/values.yaml:58-64: ztunnel, a DaemonSet.
  { cpu: 0.2, memory: 512 * MI },
  // manifests/charts/istio-cni/values.yaml:118-121: istio-cni-node, a DaemonSet.
  { cpu: 0.1, memory: 100 * MI },
  // manifests/charts/istio-control/istio-discovery/values.yaml:20-24: istiod, one replica.
  { cpu: 0.5, memory: 2048 * MI },
  // Linkerd's control plane requests nothing by default: linkerd/linkerd2 (at b24cd4059)
  // charts/linkerd-control-plane/values.yaml:433-436, 500-503 and 580-585 leave its controllers' and their proxies'
  // resources unset, and :195-211 the proxy's requests empty.
].reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }));

/**
 * The kind workflow's scenario must fit the runner it names. A kind node reports the host's CPUs and memory as
 * allocatable. GitHub's ubuntu-24.04 hosted runner has 4 vCPUs and 16 GB for a public repository and 2 vCPUs for a
 * private one (docs.github.com, "Supported runners and hardware resources").
 */
describe('docs/ci/nightly-kind.yml', () => {
  const workflow = parse(readFileSync('docs/ci/nightly-kind.yml', 'utf8')) as Workflow;
  const job = Object.values(workflow.jobs)[0]!;
  const scenarioPath = job.steps.map((s) => s.env?.SCENARIO).find((s) => s !== undefined)!;
  const node = (name: string, cpu: number, memory: number): NodeRoom => ({ node: name, allocatable: { cpu, memory }, requested: SYSTEM_REQUESTS });

  it('adds up what kind and the meshes request of a worker from their defaults', () => {
    expect(SYSTEM_REQUESTS.cpu).toBeCloseTo(1.1, 9);
    expect(SYSTEM_REQUESTS.memory).toBe(2850 * MI);
  });

  it('runs on a hosted runner whose 4 vCPUs (public repositories) the scenario fits, with the meshes\' requests', async () => {
    expect(job['runs-on']).toBe('ubuntu-24.04');
    const { scenario } = await loadScenarioFile(scenarioPath, []);
    const modes = plannedModes(scenario).filter(isKubernetesMode);
    expect(modes).toHaveLength(6);
    expect(capacityProblem(scenario, modes, node('worker', 4, 16 * GI), node('worker2', 4, 16 * GI))).toBeUndefined();
    // Every mode at once, as before modes were deployed a group at a time, does not fit.
    const all = { ...scenario, kubernetes: { ...scenario.kubernetes, modesAtOnce: 6 } };
    expect(capacityProblem(all, modes, node('worker', 4, 16 * GI), node('worker2', 4, 16 * GI))).toMatch(
      /^modes baseline, baseline-aa, linkerd, istio-sidecar, istio-ambient, istio-waypoint do not fit at once/,
    );
  });

  it('does not fit the 2 vCPUs of a private repository\'s runner, as the workflow says', async () => {
    const { scenario } = await loadScenarioFile(scenarioPath, []);
    const modes = plannedModes(scenario).filter(isKubernetesMode);
    // The generator pod (1 CPU) is checked first: 2 - 1.1 leaves 0.9.
    expect(capacityProblem(scenario, modes, node('worker', 2, 7 * GI), node('worker2', 2, 7 * GI))).toMatch(/^the generator pods of one phase do not fit/);
    expect(readFileSync('docs/ci/nightly-kind.yml', 'utf8')).toMatch(/private repository.*2 vCPUs/s);
  });
});
