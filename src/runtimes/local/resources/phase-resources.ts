import type { ResourceRecord } from '../../../results/schema.ts';
import type { PhaseResources } from '../../types.ts';
import { ResourceSampler } from './sampler.ts';
import type { ResourceTarget } from './types.ts';
import { type Warning } from '../../../core/warning.ts';

/** The local runtime's resource measurement of a phase: /proc per process, as run.json records it. */
export function procfsPhaseResources(targets: readonly ResourceTarget[]): PhaseResources {
  const sampler = new ResourceSampler(targets);
  return {
    measureIdle: (ms, signal) => sampler.measureIdle(ms, signal),
    start: () => sampler.start(),
    stop: async () => {
      const usage = sampler.stop();
      const rows: ResourceRecord[] = usage.map((row) => ({
        pod: row.pod,
        container: row.container,
        role: row.role,
        ...(row.node === undefined ? {} : { node: row.node }),
        cpuCores: row.cpuCores,
        memoryBytes: row.memoryBytes,
        memoryBytesMax: row.memoryBytesMax,
        memoryKind: row.memoryKind,
        idleCpuCores: row.idleCpuCores,
        idleMemoryBytes: row.idleMemoryBytes,
      }));
      return {
        rows,
        warnings: gapWarnings(Math.max(0, ...usage.map((row) => row.gaps))),
        exited: usage.filter((row) => row.exited).map((row) => `${row.pod}/${row.container}`),
      };
    },
  };
}

function gapWarnings(gaps: number): Warning[] {
  if (gaps === 0) return [];
  return [
    {
      code: 'resource-sampling-gaps',
      message: `${gaps} memory samples were missed because the sampler ran late`,
      hint: 'the machine was overloaded; memory means rest on fewer samples (CPU figures are unaffected)',
    },
  ];
}
