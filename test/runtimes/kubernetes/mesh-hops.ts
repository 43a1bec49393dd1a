import type { PhaseRecord } from '../../../src/results/schema.ts';

/**
 * The mesh hops meshtax read for a phase, one string each: name, unit, status, and whether it saw at least what the
 * measured window got answers to (requests) or anything at all (ztunnel's connections).
 */
export function hops(phase: PhaseRecord): string[] {
  const answered = phase.counts.ok + phase.counts.non2xx;
  return (phase.meshPath ?? []).map((h) => `${h.hop}:${h.unit}:${h.status}:${h.unit === 'requests' ? (h.seen ?? 0) >= answered : (h.seen ?? 0) > 0}`);
}
