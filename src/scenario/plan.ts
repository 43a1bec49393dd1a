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
 * Phases in the order they run: repetitions interleaved across modes, so slow drift of the machine spreads over every
 * mode instead of landing on one. Within a repetition, rates ascend and the modes take turns per rate (and per chain
 * depth, which ascends within a rate).
 *
 * By default (load.order: rotated) each repetition starts one mode later than the one before (A B, B A, A B, … for
 * two modes): a mode paired with the baseline measured next to it is as often before it as after it. In the same
 * order every time, the machine's drift within a run lands on every pair with the same sign. Measured on the
 * development machine (quick start with load.noiseFloor, 8 rounds): p50 fell from 161 to 103 µs over the run as the
 * processes warmed up, so the A/A baseline, always second, always looked faster; 10 A/A runs (npm run bench:aa)
 * called 6 of 40 p50–p99 intervals significant, every one negative, against about 5% expected. `interleaved` keeps
 * the fixed order; `shuffled` shuffles each repetition's modes (Fisher-Yates, seeded by load.seed).
 */
export function planPhases(scenario: Scenario): PlannedPhase[] {
  const rates: (number | null)[] = scenario.load.loop === 'open' ? [...scenario.load.rates] : [null];
  const modes = plannedModes(scenario);
  const random = scenario.load.order === 'shuffled' ? seededRandom(scenario.load.seed ?? 1) : undefined;
  const phases: PlannedPhase[] = [];
  for (let repetition = 1; repetition <= scenario.load.repetitions; repetition++) {
    for (const [rate, depth] of rates.flatMap((rate) => plannedDepths(scenario).map((depth) => [rate, depth] as const))) {
      const order = scenario.load.order === 'rotated' ? rotate(modes, repetition - 1) : [...modes];
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

/** `items` starting at `by` (modulo their number): [A, B, C] by 1 is [B, C, A]. */
function rotate<T>(items: readonly T[], by: number): T[] {
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
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
