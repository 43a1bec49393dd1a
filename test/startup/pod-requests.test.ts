import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { effectiveAmounts, injectedContainers, podsThatFit } from '../../src/startup/pod-requests.ts';

const MI = 1024 ** 2;
const container = (name: string, cpu?: string, memory?: string, extra: Partial<V1Container> = {}): V1Container => ({
  name,
  resources: { requests: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) }, limits: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } },
  ...extra,
});

describe('what admission added to a pod', () => {
  const template: V1PodSpec = { containers: [container('echo', '1', '256Mi')] };

  it('counts a classic sidecar with the app, and an init container only where it is larger', () => {
    const admitted: V1PodSpec = {
      initContainers: [container('istio-init', '100m', '128Mi')],
      containers: [container('istio-proxy', '100m', '128Mi'), container('echo', '1', '256Mi')],
    };
    expect(effectiveAmounts(admitted, 'requests')).toEqual({ cpuCores: 1.1, memoryBytes: 384 * MI });
    expect(injectedContainers(template, admitted)).toEqual(['istio-init', 'istio-proxy']);
  });

  it('counts a native sidecar (restartable init container) beside the app and under later init containers', () => {
    const admitted: V1PodSpec = {
      initContainers: [container('linkerd-proxy', '100m', '20Mi', { restartPolicy: 'Always' }), container('big-init', '2', '64Mi')],
      containers: [container('echo', '1', '256Mi')],
    };
    // CPU: max(1 + 0.1, 0.1 + 2) = 2.1; memory: max(256 + 20, 20 + 64) MiB.
    expect(effectiveAmounts(admitted, 'requests')).toEqual({ cpuCores: 2.1, memoryBytes: 276 * MI });
  });

  it('takes a limit without a request as the request, and no limit as unbounded', () => {
    const spec: V1PodSpec = { containers: [{ name: 'a', resources: { limits: { cpu: '500m' } } }, { name: 'b' }] };
    expect(effectiveAmounts(spec, 'requests')).toEqual({ cpuCores: 0.5, memoryBytes: 0 });
    expect(effectiveAmounts(spec, 'limits')).toEqual({ cpuCores: null, memoryBytes: null });
  });

  it('fits pods by CPU, memory and the pod limit', () => {
    const node = { cpuCores: 4, memoryBytes: 16 * 1024 * MI, maxPods: 110 };
    expect(podsThatFit(node, { cpuCores: 1.1, memoryBytes: 384 * MI })).toBe(3);
    expect(podsThatFit(node, { cpuCores: 0.01, memoryBytes: 1024 * MI })).toBe(16);
    expect(podsThatFit(node, { cpuCores: 0, memoryBytes: 0 })).toBe(110);
    expect(podsThatFit(node, { cpuCores: 1, memoryBytes: 0 })).toBe(4);
  });
});
