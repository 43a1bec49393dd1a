import { describe, expect, it } from 'vitest';
import { capacityProblem, type NodeRoom } from '../../../src/runtimes/kubernetes/capacity.ts';
import type { KubernetesMode } from '../../../src/runtimes/kubernetes/modes.ts';
import { loadScenarioFile } from '../../../src/scenario/load.ts';

const MI = 1024 ** 2;

/** A node with `cpu` cores and 8 GiB allocatable and nothing requested yet. */
const node = (name: string, cpu: number): NodeRoom => ({ node: name, allocatable: { cpu, memory: 8192 * MI }, requested: { cpu: 0, memory: 0 } });

describe('capacity of the chosen nodes, the waypoint included', async () => {
  // Echo pod 1 CPU on the server node, one generator pod of 1 CPU per phase on the client node (the scenario's defaults).
  const { scenario } = await loadScenarioFile('scenarios/kubernetes/istio-waypoint.yaml', ['load.rates=[500]']);
  const modes: KubernetesMode[] = ['baseline', 'istio-waypoint'];

  it('places the waypoint (Istio\'s default 100m CPU, 128Mi) beside the echo pod when the server node has room', () => {
    expect(capacityProblem(scenario, modes, node('server', 1.1), node('client', 1))).toBeUndefined();
  });

  it('places it on the client node when only that one has room', () => {
    expect(capacityProblem(scenario, modes, node('server', 1), node('client', 1.1))).toBeUndefined();
  });

  it('names the waypoint when it fits on neither node, before anything is created', () => {
    expect(capacityProblem(scenario, modes, node('server', 1.05), node('client', 1.05))).toBe(
      'the waypoint pod of istio-waypoint (Istio\'s default request, 0.1 CPU and 128 MiB) fits on neither node once the mode\'s pods are placed; ' +
        'lower kubernetes.resources.app, or use a larger node',
    );
    // Without a waypoint the same nodes are enough.
    expect(capacityProblem(scenario, ['baseline'], node('server', 1.05), node('client', 1.05))).toBeUndefined();
  });

  it('counts both on one node when server and client are the same node', () => {
    expect(capacityProblem(scenario, modes, node('one', 2.05), node('one', 2.05))).toMatch(/^the waypoint pod of istio-waypoint/);
    expect(capacityProblem(scenario, modes, node('one', 2.1), node('one', 2.1))).toBeUndefined();
  });
});
