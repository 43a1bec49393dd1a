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
    // baseline is checked first, and the waypoint is up beside it too.
    expect(capacityProblem(scenario, modes, node('server', 1.05), node('client', 1.05))).toBe(
      'the waypoint pod of istio-waypoint (Istio\'s default request, 0.1 CPU and 128 MiB) fits on neither node once the mode\'s pods are placed ' +
        '(baseline: the waypoint runs throughout the run, as its Gateway is applied at the start); lower kubernetes.resources.app, or use a larger node',
    );
    expect(capacityProblem(scenario, ['istio-waypoint'], node('server', 1.05), node('client', 1.05))).toBe(
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

  it('counts the waypoint beside every group, since its Gateway is applied when the run starts', () => {
    // One mode at a time (modesAtOnce 1). istio-waypoint's own group leaves 0.1 CPU for its waypoint on the server
    // node; istio-sidecar's echo pod (1 CPU and its istio-proxy's 0.1) leaves none there, and its generator pod (1.1)
    // none on the client node, while istiod's waypoint pod is still running.
    const three: KubernetesMode[] = ['baseline', 'istio-sidecar', 'istio-waypoint'];
    expect(scenario.kubernetes.modesAtOnce).toBe(1);
    expect(capacityProblem(scenario, three, node('server', 1.1), node('client', 1.1))).toBe(
      'the waypoint pod of istio-waypoint (Istio\'s default request, 0.1 CPU and 128 MiB) fits on neither node once the mode\'s pods are placed ' +
        '(istio-sidecar: the waypoint runs throughout the run, as its Gateway is applied at the start); lower kubernetes.resources.app, or use a larger node',
    );
    expect(capacityProblem(scenario, three, node('server', 1.2), node('client', 1.1))).toBeUndefined();
  });
});

describe('capacity with a control-plane outage\'s probe pod', async () => {
  // The probe pod is a copy of istio-sidecar's echo pod (1 CPU and 256Mi, istio-proxy's 0.1 and 128Mi), beside it on the server node
  // while the outage's phase runs.
  const withProbe = (await loadScenarioFile('scenarios/kubernetes/control-plane-outage.yaml')).scenario;
  const withoutProbe = (await loadScenarioFile('scenarios/kubernetes/control-plane-outage.yaml', ['faults.controlPlaneOutage.probePod=false'])).scenario;
  const modes: KubernetesMode[] = ['baseline', 'istio-sidecar'];

  it('counts the probe pod beside the meshed mode\'s echo pod, and says so', () => {
    expect(capacityProblem(withProbe, modes, node('server', 2.2), node('client', 4))).toBeUndefined();
    expect(capacityProblem(withProbe, modes, node('server', 2.1), node('client', 4))).toBe(
      'mode istio-sidecar does not fit even alone: its pods (the echo pod and the control-plane outage\'s probe pod, a copy of it) request 2.2 CPU and 768 MiB ' +
        'on node server, which has 2.1 CPU and 8192 MiB allocatable, 0 CPU and 0 MiB of it already requested by other pods; ' +
        'lower kubernetes.resources.app, set faults.controlPlaneOutage.probePod: false, or use a larger node',
    );
  });

  it('counts none for baseline, which has no control plane to stop, nor without a probe pod', () => {
    expect(capacityProblem(withProbe, ['baseline'], node('server', 1.1), node('client', 4))).toBeUndefined();
    expect(capacityProblem(withoutProbe, modes, node('server', 1.1), node('client', 4))).toBeUndefined();
  });
});
