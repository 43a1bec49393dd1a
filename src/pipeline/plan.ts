import type { Scenario } from '../scenario/schema.ts';

/** One measured phase to run: a mode at a rate (null: closed loop), in a given repetition. */
export interface PlannedPhase {
  mode: string;
  rate: number | null;
  repetition: number;
}

/**
 * Phases in the order they run: repetitions interleaved across modes (A B C A B C …), so slow drift of the machine
 * spreads over every mode instead of landing on one. Within a repetition, rates ascend and modes alternate per rate.
 */
export function planPhases(scenario: Scenario): PlannedPhase[] {
  const rates: (number | null)[] = scenario.load.loop === 'open' ? [...scenario.load.rates] : [null];
  const phases: PlannedPhase[] = [];
  for (let repetition = 1; repetition <= scenario.load.repetitions; repetition++) {
    for (const rate of rates) {
      for (const mode of scenario.modes) phases.push({ mode, rate, repetition });
    }
  }
  return phases;
}

/** Rough wall time of a plan in seconds (warmup + window + a start-up allowance per phase). */
export function estimateSeconds(scenario: Scenario, phases: number): number {
  return (phases * (scenario.load.warmup + scenario.load.duration)) / 1000 + phases * 0.2;
}
