import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podProblem } from '../../../src/runtimes/kubernetes/pod-status.ts';
import { roleOf, sharedComponents, targetsOf } from '../../../src/runtimes/kubernetes/scope.ts';

function pod(name: string, role: string, containers: string[], nativeSidecars: string[] = []): V1Pod {
  return {
    metadata: { name, namespace: 'ns', labels: { 'meshtax.dev/role': role } },
    spec: {
      nodeName: 'node-a',
      initContainers: [{ name: 'istio-init' }, ...nativeSidecars.map((n) => ({ name: n, restartPolicy: 'Always' }))],
      containers: containers.map((n) => ({ name: n })),
    },
    status: { phase: 'Running' },
  };
}

describe('what a phase measures', () => {
  it('counts classic and native sidecars, never finished init containers, and marks generator pods ephemeral', () => {
    const pods = [pod('echo-1', 'app', ['echo'], ['istio-proxy']), pod('loadgen-1-0', 'loadgen', ['loadgen', 'istio-proxy'])];
    const targets = targetsOf(pods, (p, c) => roleOf(p, c, 'istio-proxy'));
    expect(targets.map((t) => `${t.pod}/${t.container}:${t.role}:${t.ephemeral}`)).toEqual([
      'echo-1/istio-proxy:sidecar:false',
      'echo-1/echo:app:false',
      'loadgen-1-0/loadgen:loadgen:true',
      'loadgen-1-0/istio-proxy:sidecar:true',
    ]);
  });

  it('gives a waypoint pod\'s proxy the waypoint role', () => {
    const waypoint: V1Pod = { metadata: { name: 'waypoint-1', labels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } };
    expect(roleOf(waypoint, 'istio-proxy', null)).toBe('waypoint');
  });
});

describe('why a pod is not ready', () => {
  it('gives up at once on a node without room, and waits on other scheduling reasons', () => {
    const unschedulable = (message: string): V1Pod => ({
      metadata: { name: 'echo-1' },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] },
    });
    expect(podProblem(unschedulable('0/2 nodes are available: 1 Insufficient cpu.'))).toEqual({
      reason: 'pod echo-1 cannot be scheduled: 0/2 nodes are available: 1 Insufficient cpu. (lower kubernetes.resources, or run fewer modes at once)',
      stuck: true,
    });
    expect(podProblem(unschedulable('0/2 nodes are available: 2 node(s) had untolerated taint.'))?.stuck).toBe(false);
  });
});

describe('shared components', () => {
  const meshes = [
    { mesh: 'istio' as const, namespace: 'istio-system', version: '1.28.0', selector: 'app=istiod' },
    { mesh: 'istio-ambient' as const, namespace: 'istio-system', version: '1.28.0', selector: 'app=ztunnel' },
    { mesh: 'linkerd' as const, namespace: 'linkerd', version: 'edge-26.8.1', selector: 'linkerd.io/control-plane-component' },
  ];

  it('names ztunnel and the control planes the modes use, and nothing for baseline', () => {
    expect(sharedComponents(['baseline', 'istio-ambient', 'linkerd'], meshes)).toEqual([
      'ztunnel in namespace istio-system (node-proxy rows)',
      'the Istio control plane in namespace istio-system (control-plane rows)',
      'the Linkerd control plane in namespace linkerd (control-plane rows)',
    ]);
    expect(sharedComponents(['istio-sidecar'], meshes)).toEqual(['the Istio control plane in namespace istio-system (control-plane rows)']);
    expect(sharedComponents(['baseline', 'baseline-aa'], meshes)).toEqual([]);
  });
});
