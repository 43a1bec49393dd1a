import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { podProblem } from '../../../src/runtimes/kubernetes/pod-status.ts';

describe('why a pod is not ready', () => {
  it('quotes the waiting reason of every waiting container of a Pending pod', () => {
    const pod: V1Pod = {
      metadata: { name: 'echo-1' },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [echo]' }],
        initContainerStatuses: [{ name: 'istio-init', image: 'proxyv2', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
        containerStatuses: [{ name: 'echo', image: 'node', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating', message: 'pulling image' } } }],
      },
    };
    expect(podProblem(pod)).toEqual({
      reason: 'pod echo-1 is Pending: containers with unready status: [echo]; container istio-init: PodInitializing; container echo: ContainerCreating (pulling image)',
      stuck: false,
    });
  });
});
