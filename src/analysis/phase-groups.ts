import type { PhaseRecord } from '../results/schema.ts';

/** The phases of one mode at one rate (null: closed loop) and chain depth, in run order: its repetitions. */
export interface PhaseGroup<P extends Grouped = PhaseRecord> {
  mode: string;
  rate: number | null;
  /** With workload.chain: the depth of the path measured; undefined for one service. */
  depth: number | undefined;
  phases: P[];
}

type Grouped = Pick<PhaseRecord, 'mode' | 'rate' | 'depth'>;

/** Phases grouped by mode, rate and chain depth, groups in the order their first phase ran. */
export function groupByModeAndRate<P extends Grouped>(phases: readonly P[]): PhaseGroup<P>[] {
  const groups = new Map<string, PhaseGroup<P>>();
  for (const phase of phases) {
    const key = `${phase.mode}\u0000${phase.rate}\u0000${phase.depth}`;
    const group = groups.get(key) ?? { mode: phase.mode, rate: phase.rate, depth: phase.depth, phases: [] };
    group.phases.push(phase);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Failed requests (errors, timeouts, non-2xx) as a fraction of all requests of the phases; null without requests. */
export function failedShare(phases: readonly PhaseRecord[]): number | null {
  let failed = 0;
  let total = 0;
  for (const { counts } of phases) {
    failed += counts.errors + counts.timeouts + counts.non2xx;
    total += counts.ok + counts.non2xx + counts.errors + counts.timeouts;
  }
  return total === 0 ? null : failed / total;
}
