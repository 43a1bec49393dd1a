import type { PhaseSpec } from '../../../loadgen/types.ts';

/**
 * Splits a phase over generator pods when one pod would have to drive more than `maxRatePerPod`: each shard gets
 * an equal part of the rate and of the connections (at least one), no more workers than connections, and its own
 * seed; the closed loop is one pod.
 */
export function shardSpecs(spec: PhaseSpec, maxRatePerPod: number): PhaseSpec[] {
  if (spec.loop === 'closed' || spec.rate === null) return [spec];
  const count = Math.max(1, Math.ceil(spec.rate / maxRatePerPod));
  if (count === 1) return [spec];
  const connections = Math.max(1, Math.ceil(spec.connections / count));
  return Array.from({ length: count }, (_, index) => ({
    ...spec,
    rate: spec.rate! / count,
    connections,
    // A worker thread needs a connection of its own.
    workers: Math.min(spec.workers, connections),
    seed: spec.seed + index,
  }));
}
