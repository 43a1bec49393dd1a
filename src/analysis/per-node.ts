import { round } from '../core/numbers.ts';
import type { Comparison, PhaseRecord } from '../results/schema.ts';
import { charged } from './comparisons.ts';
import { MESH_ROLES } from '../core/modes.ts';
import { pairedTInterval } from './statistics/t-interval.ts';

type NodeCost = NonNullable<Comparison['meshPerNode']>[number];

const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
const bounds = (values: readonly number[]): { low: number; high: number } | null => {
  const interval = pairedTInterval(values);
  return interval ? { low: interval.low, high: interval.high } : null;
};

/**
 * What the mesh costs each node, the way a platform team budgets it: per node, the sum over the mesh containers on
 * it (sidecars in its pods, its node proxy, waypoints placed on it; a shared component charged its increase over
 * idle), mean over the rounds, with a Student t interval over the rounds' sums (against no mesh, as mesh CPU is).
 * Rows without a node (run.json from before nodes were recorded) are left out; no nodes, no entries.
 */
export function meshPerNode(phases: readonly PhaseRecord[]): NodeCost[] {
  const mesh = (phase: PhaseRecord) => phase.resources.filter((row) => MESH_ROLES.includes(row.role) && row.node !== undefined);
  const nodes = [...new Set(phases.flatMap((phase) => mesh(phase).map((row) => row.node!)))].sort();
  return nodes.map((node) => {
    const on = (phase: PhaseRecord) => mesh(phase).filter((row) => row.node === node);
    const sum = (phase: PhaseRecord, field: 'cpuCores' | 'memoryBytes'): number => on(phase).reduce((total, row) => total + charged(row, field), 0);
    const cpu = phases.map((phase) => sum(phase, 'cpuCores'));
    const memory = phases.map((phase) => sum(phase, 'memoryBytes'));
    return {
      node,
      containers: Math.max(...phases.map((phase) => on(phase).length)),
      cpuCores: round(mean(cpu), 4),
      memoryBytes: Math.round(mean(memory)),
      intervals: { cpuCores: bounds(cpu), memoryBytes: bounds(memory) },
    };
  });
}
