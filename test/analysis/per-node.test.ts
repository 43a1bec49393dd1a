import { describe, expect, it } from 'vitest';
import { meshPerNode } from '../../src/analysis/per-node.ts';
import type { PhaseRecord, ResourceRecord } from '../../src/results/schema.ts';

function row(pod: string, role: ResourceRecord['role'], node: string | undefined, cpuCores: number, memoryBytes: number, shared = false): ResourceRecord {
  return {
    pod,
    container: role,
    role,
    ...(node === undefined ? {} : { node }),
    cpuCores,
    memoryBytes,
    memoryBytesMax: memoryBytes,
    memoryKind: 'working-set',
    idleCpuCores: 0.01,
    idleMemoryBytes: 1e6,
    ...(shared ? { shared: true } : {}),
  };
}

const phase = (resources: ResourceRecord[]): PhaseRecord => ({ resources }) as unknown as PhaseRecord;

describe('mesh cost per node', () => {
  it('sums the mesh containers on each node, charges shared ones over idle, and gives a t interval over rounds', () => {
    const round = (scale: number) =>
      phase([
        row('client', 'sidecar', 'worker-1', 0.1 * scale, 50e6),
        row('server', 'sidecar', 'worker-2', 0.2 * scale, 60e6),
        row('ztunnel-abc', 'node-proxy', 'worker-2', 0.05 * scale + 0.01, 13e6, true),
        row('waypoint', 'waypoint', 'worker-1', 0.3 * scale, 70e6),
        row('server', 'app', 'worker-2', 1, 100e6),
        row('old', 'sidecar', undefined, 5, 5e9),
      ]);
    const [one, two, ...rest] = meshPerNode([round(1), round(2), round(3)]);
    expect(rest).toEqual([]);
    // worker-1: sidecar + waypoint, 0.4 × scale: 0.4, 0.8, 1.2 → mean 0.8, sd 0.4, t(0.975, 2) = 4.302653.
    expect(one).toMatchObject({ node: 'worker-1', containers: 2, cpuCores: 0.8, memoryBytes: 120e6 });
    expect(one!.intervals.cpuCores!.low).toBeCloseTo(0.8 - (4.302653 * 0.4) / Math.sqrt(3), 5);
    // No spread in memory: the interval is the value itself.
    expect(one!.intervals.memoryBytes).toEqual({ low: 120e6, high: 120e6 });
    // worker-2: the sidecar (0.2 × scale) and ztunnel's increase over its idle 0.01 cores (0.05 × scale) and 1 MB.
    expect(two).toMatchObject({ node: 'worker-2', containers: 2, cpuCores: 0.5, memoryBytes: 72e6 });
  });

  it('has nothing to say about rows without nodes', () => {
    expect(meshPerNode([phase([row('old', 'sidecar', undefined, 1, 1)])])).toEqual([]);
  });
});
