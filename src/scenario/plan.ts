import { seededRandom } from '../core/random.ts';
import type { PhaseSpec } from '../loadgen/types.ts';
import type { Scenario } from './schema.ts';
import { AA_MODE } from '../core/modes.ts';
import { requestMix } from './request-mix.ts';

/** One measured phase to run: a mode at a rate (null: closed loop), in a given repetition. */
export interface PlannedPhase {
  mode: string;
  rate: number | null;
  repetition: number;
  /** With workload.chain: the services on the path measured, 1 to the chain's depth. */
  depth?: number;
}

/** The chain depths a run measures: 1 to workload.chain.depth, so a line can be fitted; none without a chain. */
export function plannedDepths(scenario: Scenario): (number | undefined)[] {
  const chain = scenario.workload.chain;
  return chain ? Array.from({ length: chain.depth }, (_, i) => i + 1) : [undefined];
}

/** The modes a run deploys: the scenario's, plus the A/A baseline right after baseline when a noise floor is asked for. */
export function plannedModes(scenario: Scenario): string[] {
  const modes = [...scenario.modes];
  if (scenario.load.noiseFloor && !modes.includes(AA_MODE)) modes.splice(modes.indexOf('baseline') + 1, 0, AA_MODE);
  return modes;
}

/**
 * Phases in the order they run: repetitions interleaved across modes (A B C A B C …), so slow drift of the machine
 * spreads over every mode instead of landing on one. Within a repetition, rates ascend and modes alternate per rate
 * (and per chain depth, which ascends within a rate); with load.order: shuffled the modes of each rate, depth and
 * repetition are shuffled (Fisher-Yates, seeded by load.seed).
 */
export function planPhases(scenario: Scenario): PlannedPhase[] {
  const rates: (number | null)[] = scenario.load.loop === 'open' ? [...scenario.load.rates] : [null];
  const modes = plannedModes(scenario);
  const random = scenario.load.order === 'shuffled' ? seededRandom(scenario.load.seed ?? 1) : undefined;
  const phases: PlannedPhase[] = [];
  for (let repetition = 1; repetition <= scenario.load.repetitions; repetition++) {
    for (const [rate, depth] of rates.flatMap((rate) => plannedDepths(scenario).map((depth) => [rate, depth] as const))) {
      const order = [...modes];
      if (random) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = random.integer(i + 1);
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
      }
      for (const mode of order) phases.push({ mode, rate, repetition, ...(depth === undefined ? {} : { depth }) });
    }
  }
  return phases;
}

/** Rough wall time of a plan in seconds: warmup + window + what the runtime adds per phase (start-up, idle measurement). */
export function estimateSeconds(scenario: Scenario, phases: number, perPhaseMs: number): number {
  return (phases * (scenario.load.warmup + scenario.load.duration + perPhaseMs)) / 1000;
}

/** The load generator's settings for one planned phase, sending to `url`. */
export function phaseSpec(scenario: Scenario, phase: PlannedPhase, url: string): PhaseSpec {
  const { load } = scenario;
  return {
    url,
    loop: load.loop,
    arrival: load.arrival,
    rate: phase.rate,
    connections: load.connections,
    workers: load.workers,
    durationMs: load.duration,
    warmupMs: load.warmup,
    timeoutMs: load.timeout,
    seed: load.seed ?? 1,
    ...requestMix(load),
  };
}
