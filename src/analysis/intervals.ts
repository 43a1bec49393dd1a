import type { Comparison, PhaseRecord } from '../results/schema.ts';
import { decodeHistogram, samplesNeeded } from '../core/histogram.ts';
import { PERCENTILES, type PercentileKey } from '../core/percentiles.ts';
import { DEFAULT_CONFIDENCE, intervalReliability, pairedTInterval, type DeltaInterval } from './statistics/t-interval.ts';
import { judgeDelta, type Judgement } from './statistics/significance.ts';

const KEYS = Object.keys(PERCENTILES) as PercentileKey[];
const count = (value: number): string => value.toLocaleString('en-US');

type Interval = { low: number; high: number } | null;

const bounds = (interval: DeltaInterval | null): Interval => (interval ? { low: interval.low, high: interval.high } : null);

/** A phase of the mode and the baseline phase of the same round (the same repetition at the same rate). */
export interface Round {
  repetition: number;
  mode: PhaseRecord;
  base: PhaseRecord;
}

/**
 * The rounds both sides completed, by repetition number: a round where either phase failed drops out, so every
 * difference compares two phases that ran next to each other.
 */
export function pairRounds(modePhases: readonly PhaseRecord[], basePhases: readonly PhaseRecord[]): Round[] {
  const rounds: Round[] = [];
  for (const mode of modePhases) {
    const base = basePhases.find((phase) => phase.repetition === mode.repetition);
    if (base) rounds.push({ repetition: mode.repetition, mode, base });
  }
  return rounds;
}

/** Why there is no interval when rounds are too few: "1 round: no interval". */
function tooFewRounds(rounds: number): string {
  return `${rounds} round${rounds === 1 ? '' : 's'} paired with baseline: no interval (needs 2)`;
}

/**
 * The reason a percentile has no per-round value: too few samples in a repetition, with the counts said — and when
 * even the repetitions pooled are too few, that there is no estimate either.
 */
function missingPercentile(rounds: readonly Round[], key: PercentileKey): string {
  const samples = (phase: PhaseRecord): number => decodeHistogram(phase.histogram).totalCount;
  const perRepetition = Math.min(...rounds.flatMap(({ mode, base }) => [samples(mode), samples(base)]));
  const pooled = Math.min(
    rounds.reduce((sum, { mode }) => sum + samples(mode), 0),
    rounds.reduce((sum, { base }) => sum + samples(base), 0),
  );
  const percent = PERCENTILES[key];
  const needed = samplesNeeded(percent);
  return pooled < needed
    ? `${count(perRepetition)} samples per repetition and ${count(pooled)} pooled, p${percent} needs ${count(needed)}: no estimate, no interval`
    : `${count(perRepetition)} samples per repetition, p${percent} needs ${count(needed)}: no interval (its estimate pools the repetitions)`;
}

/**
 * Confidence intervals of a comparison, paired by round: for each round where both ran, the mode's value minus the
 * baseline's value of that round (each repetition's percentile from its own histogram; mesh CPU and memory against
 * no mesh, i.e. 0), and a Student t interval on those differences ({@link pairedTInterval}). The estimates beside
 * them come from the pooled histograms, so an interval need not be centred on its estimate; significance is judged
 * only from the interval. A percentile that some repetition has too few samples for gets no interval, and the
 * reason says so with the counts.
 */
export function comparisonIntervals(
  modePhases: readonly PhaseRecord[],
  basePhases: readonly PhaseRecord[],
  meshCpu: (phase: PhaseRecord) => number,
  meshMemory: (phase: PhaseRecord) => number,
): Pick<Comparison, 'intervals' | 'significant'> {
  const rounds = pairRounds(modePhases, basePhases);
  const few = rounds.length < 2 ? tooFewRounds(rounds.length) : null;
  const latency = {} as Record<PercentileKey, DeltaInterval | null>;
  const significant = {} as Record<PercentileKey, Judgement>;
  for (const key of KEYS) {
    const differences = rounds.map(({ mode, base }) =>
      mode.latencyUs[key] === null || base.latencyUs[key] === null ? null : mode.latencyUs[key] - base.latencyUs[key],
    );
    const complete = differences.every((value) => value !== null);
    latency[key] = complete ? pairedTInterval(differences) : null;
    significant[key] = judgeDelta(latency[key], null, 'µs', few ?? (complete ? undefined : missingPercentile(rounds, key)));
  }
  const cpu = pairedTInterval(rounds.map(({ mode }) => meshCpu(mode)));
  const memory = pairedTInterval(rounds.map(({ mode }) => meshMemory(mode)));
  return {
    intervals: {
      method:
        `Student t interval (${DEFAULT_CONFIDENCE * 100}%) of the mean per-round difference, mode minus the baseline ` +
        `of the same round, over ${rounds.length} round${rounds.length === 1 ? '' : 's'}; mesh CPU and memory against no mesh`,
      confidence: DEFAULT_CONFIDENCE,
      reliability: intervalReliability(rounds.length),
      latencyDeltaUs: {
        p50: bounds(latency.p50),
        p90: bounds(latency.p90),
        p95: bounds(latency.p95),
        p99: bounds(latency.p99),
        p999: bounds(latency.p999),
      },
      meshCpuCores: bounds(cpu),
      meshMemoryBytes: bounds(memory),
    },
    significant: {
      ...significant,
      meshCpuCores: judgeDelta(cpu, null, 'cores', few ?? undefined),
      meshMemoryBytes: judgeDelta(memory, null, 'bytes', few ?? undefined),
    },
  };
}

/**
 * The A/A check at one rate. The A/A pair (baseline against a second baseline on the same path) is judged by its own
 * calibrated interval like any mode — never by a floor made from itself — and about 5% of its intervals exclude 0 by
 * chance. Its floor (per percentile, the largest |delta| its interval allows: max(|low|, |high|)) is recorded for
 * every comparison at the rate, and it judges a mode's delta only where the A/A pair itself differed: there two
 * identical paths showed a difference the rounds' spread does not explain (something systematic, e.g. which port or
 * CPU a process landed on), so the t interval's assumption failed and a mode's delta counts only beyond that floor.
 */
export function applyNoiseFloor(comparison: Comparison, aa: Comparison): Comparison {
  const floors = Object.fromEntries(
    KEYS.map((key) => {
      const interval = aa.intervals.latencyDeltaUs[key];
      return [key, interval ? Math.max(Math.abs(interval.low), Math.abs(interval.high)) : null];
    }),
  ) as Record<PercentileKey, number | null>;
  if (comparison === aa) return { ...comparison, noiseFloorUs: floors };
  const significant = { ...comparison.significant };
  for (const key of KEYS) {
    const interval = comparison.intervals.latencyDeltaUs[key];
    const estimate = comparison.latencyDeltaUs[key];
    if (!interval || estimate === null || aa.significant[key].significant !== true) continue;
    const judged = judgeDelta({ estimate, low: interval.low, high: interval.high, method: comparison.intervals.method }, floors[key], 'µs');
    significant[key] = judged.reason.startsWith('below')
      ? { significant: false, reason: `${judged.reason} (the A/A pair differed at ${key}, so the floor applies)` }
      : judged;
  }
  return { ...comparison, significant, noiseFloorUs: floors };
}
