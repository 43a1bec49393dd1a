import { describe, expect, it } from 'vitest';
import { capacityProblem, chainReserve, type NodeRoom } from '../../../src/runtimes/kubernetes/capacity.ts';
import { kubeScenario } from './fixture.ts';

const MI = 1024 ** 2;
const node = (name: string, cpu: number, requested = { cpu: 0, memory: 0 }): NodeRoom => ({ node: name, allocatable: { cpu, memory: 8192 * MI }, requested });

describe('capacity of a call chain', () => {
  // Echo pods of 1 CPU and 256Mi, generator pods of 1 CPU and 512Mi (the defaults); istio-proxy adds 100m and 128Mi.
  const chain = (depth: number, modesAtOnce = 1) =>
    kubeScenario(['baseline', 'istio-sidecar'], `workload: {chain: {depth: ${depth}}}\nload: {rates: [500]}\nkubernetes: {modesAtOnce: ${modesAtOnce}}`);

  it('adds nothing without a chain', () => {
    expect(chainReserve(kubeScenario(['baseline']), ['baseline'], false)).toBeUndefined();
  });

  it('puts ⌈N/2⌉ services and the even depths\' generators on the server node, ⌊N/2⌋ services on the client node', () => {
    // Depth 3: svc-1 and svc-3 on the server node (one already counted), svc-2 on the client node; the largest mode's pods.
    expect(chainReserve(chain(3), ['baseline', 'istio-sidecar'], false)).toEqual({
      server: { cpu: 1.1 + 1.1, memory: (256 + 128) * MI + (512 + 128) * MI },
      client: { cpu: 1.1, memory: (256 + 128) * MI },
    });
    // Two modes at once: both modes' services.
    expect(chainReserve(chain(2, 2), ['baseline', 'istio-sidecar'], false)?.client).toEqual({ cpu: 2.1, memory: (512 + 128) * MI });
    // One node holds everything: the N−1 other services (the generators are counted already).
    expect(chainReserve(chain(3), ['baseline'], true)).toEqual({ server: { cpu: 2, memory: 512 * MI }, client: { cpu: 0, memory: 0 } });
  });

  it('refuses nodes that hold a single echo pod but not the chain', () => {
    const scenario = chain(2);
    const modes = ['baseline'] as const;
    // Without the chain's pods, 1 CPU each is enough: the echo pod on one node, the generator on the other.
    expect(capacityProblem(scenario, modes, node('s', 1), node('c', 1))).toBeUndefined();
    // Depth 2: each node holds a service and, for one depth, the generator pod: 2 CPU each.
    const reserve = chainReserve(scenario, modes, false)!;
    expect(capacityProblem(scenario, modes, node('s', 2, reserve.server), node('c', 1.5, reserve.client))).toMatch(/^the generator pods of one phase do not fit/);
    expect(capacityProblem(scenario, modes, node('s', 1.5, reserve.server), node('c', 2, reserve.client))).toMatch(/^mode baseline does not fit even alone/);
    expect(capacityProblem(scenario, modes, node('s', 2, reserve.server), node('c', 2, reserve.client))).toBeUndefined();
  });
});
