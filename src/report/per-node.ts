import type { Comparison } from '../results/schema.ts';
import { formatBytes, formatCores, formatRate, modeLabel } from '../core/format.ts';
import { NO_INTERVAL } from './uncertainty.ts';

/**
 * The per-node table every text report shows beside the per-container rows: for each mode and rate, what its mesh
 * containers on each node use together, with the interval over rounds. Cells are plain strings.
 */

export const NODE_HEAD = ['mode', 'rate', 'node', 'mesh containers', 'CPU (cores)', 'memory'];

const range = (interval: { low: number; high: number } | null, format: (value: number) => string): string =>
  interval ? `[${format(interval.low)}, ${format(interval.high)}]` : NO_INTERVAL;
/** Cores with the decimals of the estimate they bound, so an interval reads in its estimate's precision. */
const coresLike = (like: number) => (value: number): string => value.toFixed(formatCores(like).split('.')[1]?.length ?? 2);

export function nodeRows(comparisons: readonly Comparison[]): string[][] {
  return comparisons.flatMap((comparison) =>
    (comparison.meshPerNode ?? []).map((node) => [
      modeLabel(comparison),
      formatRate(comparison.rate),
      node.node,
      String(node.containers),
      `${formatCores(node.cpuCores)} ${range(node.intervals.cpuCores, coresLike(node.cpuCores))}`,
      `${formatBytes(node.memoryBytes)} ${range(node.intervals.memoryBytes, formatBytes)}`,
    ]),
  );
}

export const NODE_NOTE =
  'Per node: the mesh containers on it summed (sidecars in its pods, its node proxy, waypoints placed on it; a shared component its increase over idle), ' +
  'mean over rounds, with a 95% Student t interval over the rounds\' sums.';
