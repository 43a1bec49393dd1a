import type { RunDocument } from '../results/schema.ts';

/**
 * Which load loop a run's phases ran: open (at fixed rates; latency from the intended send time, corrected for
 * coordinated omission), closed (each connection sends when its previous response arrives; latency from the
 * send), or both. A run without phases yet is taken at its scenario's word.
 */
export function runLoop(run: RunDocument): 'open' | 'closed' | 'mixed' {
  if (run.phases.length === 0) return (run.scenario as { load?: { loop?: string } }).load?.loop === 'closed' ? 'closed' : 'open';
  const closed = run.phases.filter((phase) => phase.loop === 'closed').length;
  return closed === 0 ? 'open' : closed === run.phases.length ? 'closed' : 'mixed';
}
