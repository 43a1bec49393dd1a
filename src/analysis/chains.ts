import { round } from '../core/numbers.ts';
import { PERCENTILES, type PercentileKey } from '../core/percentiles.ts';
import type { ChainResult, Comparison, PhaseRecord } from '../results/schema.ts';
import { pairRounds } from './intervals.ts';
import { groupByModeAndRate } from './phase-groups.ts';
import { DEFAULT_CONFIDENCE, pairedTInterval } from './statistics/t-interval.ts';

const KEYS = Object.keys(PERCENTILES) as PercentileKey[];
const DECIMALS = 6;

type Fit = ChainResult['perHopUs'][PercentileKey];
type ByPercentile<T> = Record<PercentileKey, T>;

/**
 * Coefficients of y over x by orthogonal polynomials: the slope is the least-squares line's; the curvature is the
 * coefficient of the quadratic term orthogonal to the constant and the line, q(x) = c² − a·c − b with c = x − x̄,
 * b = mean(c²), a = Σc³ / Σc² (a = 0 for evenly spaced depths). Orthogonality keeps the slope the same whether or not a
 * curve is fitted beside it. Curvature is null with fewer than 3 distinct x. Both are rounded to 6 decimals, so a
 * straight line's curvature is 0 rather than a rounding error's sign.
 */
export function polynomialFit(x: readonly number[], y: readonly number[]): { slope: number; curvature: number | null } {
  const n = x.length;
  const xBar = x.reduce((a, b) => a + b, 0) / n;
  const c = x.map((value) => value - xBar);
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  const c2 = sum(c.map((v) => v * v));
  const slope = round(sum(c.map((v, i) => v * y[i]!)) / c2, DECIMALS);
  if (new Set(x).size < 3) return { slope, curvature: null };
  const a = sum(c.map((v) => v ** 3)) / c2;
  const b = c2 / n;
  const q = c.map((v) => v * v - a * v - b);
  return { slope, curvature: round(sum(q.map((v, i) => v * y[i]!)) / sum(q.map((v) => v * v)), DECIMALS) };
}

/** Per round, the mode's delta at every depth (null: a percentile some phase lacks the samples for). */
interface RoundDeltas {
  repetition: number;
  deltas: ByPercentile<(number | null)[]>;
}

function roundDeltas(depths: readonly number[], modeByDepth: Map<number, PhaseRecord[]>, baseByDepth: Map<number, PhaseRecord[]>): RoundDeltas[] {
  const perDepth = depths.map((depth) => pairRounds(modeByDepth.get(depth) ?? [], baseByDepth.get(depth) ?? []));
  const repetitions = (perDepth[0] ?? []).map((round) => round.repetition).filter((r) => perDepth.every((rounds) => rounds.some((round) => round.repetition === r)));
  return repetitions.map((repetition) => {
    const rounds = perDepth.map((rounds) => rounds.find((round) => round.repetition === repetition)!);
    const deltas = Object.fromEntries(
      KEYS.map((key) => [
        key,
        rounds.map(({ mode, base }) => (mode.latencyUs[key] === null || base.latencyUs[key] === null ? null : mode.latencyUs[key] - base.latencyUs[key])),
      ]),
    ) as ByPercentile<(number | null)[]>;
    return { repetition, deltas };
  });
}

function fitOf(
  depths: readonly number[],
  pooled: readonly (number | null)[],
  perRound: readonly (readonly (number | null)[])[],
  pick: (fit: ReturnType<typeof polynomialFit>) => number | null,
): Fit {
  const complete = (values: readonly (number | null)[]): values is number[] => values.every((value) => value !== null);
  const estimate = complete(pooled) ? pick(polynomialFit(depths, pooled)) : null;
  if (perRound.length < 2) {
    return { estimate, interval: null, reason: `${perRound.length} round${perRound.length === 1 ? '' : 's'} with every depth measured: no interval (needs 2)` };
  }
  if (!perRound.every(complete)) return { estimate, interval: null, reason: 'a round lacks the samples for this percentile at some depth: no interval' };
  const interval = pairedTInterval(perRound.map((values) => pick(polynomialFit(depths, values))!));
  return interval
    ? { estimate, interval: { low: interval.low, high: interval.high }, reason: interval.method }
    : { estimate, interval: null, reason: 'no interval' };
}

function compounding(curvature: Fit | undefined): ChainResult['compounding'][PercentileKey] {
  if (!curvature?.interval) return 'unknown';
  if (curvature.interval.low > 0) return 'faster-than-linear';
  if (curvature.interval.high < 0) return 'slower-than-linear';
  return 'linear';
}

/**
 * The tax beyond one hop, per mode and rate of a chain run: the end-to-end delta at each depth (the comparisons'),
 * the per-hop tax as the slope of the delta over depth, and its curvature (does the tax compound?). Estimates come
 * from the pooled histograms; intervals from the per-round fits: in each round every depth of the mode is paired
 * with baseline at the same depth, the delta fitted over depth, and a Student t interval taken over the rounds'
 * coefficients — the round stays the unit of inference, as for every other delta.
 */
export function chainResults(phases: readonly PhaseRecord[], comparisons: readonly Comparison[], fanOut = 1): ChainResult[] {
  const chained = comparisons.filter((comparison): comparison is Comparison & { depth: number } => comparison.depth !== undefined);
  const keys = [...new Map(chained.map((c) => [`${c.mode}\u0000${c.rate}`, { mode: c.mode, baseline: c.baseline, rate: c.rate }])).values()];
  const groups = groupByModeAndRate(phases);
  const byDepth = (mode: string, rate: number | null): Map<number, PhaseRecord[]> =>
    new Map(groups.filter((g) => g.mode === mode && g.rate === rate && g.depth !== undefined).map((g) => [g.depth!, g.phases]));
  return keys.map(({ mode, baseline, rate }) => {
    const rows = chained.filter((c) => c.mode === mode && c.rate === rate).sort((a, b) => a.depth - b.depth);
    const depths = rows.map((row) => row.depth);
    const rounds = roundDeltas(depths, byDepth(mode, rate), byDepth(baseline, rate));
    const fit = (key: PercentileKey, pick: (fit: ReturnType<typeof polynomialFit>) => number | null): Fit =>
      fitOf(
        depths,
        rows.map((row) => row.latencyDeltaUs[key]),
        rounds.map((round) => round.deltas[key]),
        pick,
      );
    const perHopUs = Object.fromEntries(KEYS.map((key) => [key, fit(key, (f) => f.slope)])) as ByPercentile<Fit>;
    const curvatureUs =
      new Set(depths).size >= 3 ? (Object.fromEntries(KEYS.map((key) => [key, fit(key, (f) => f.curvature)])) as ByPercentile<Fit>) : null;
    const single = rows.find((row) => row.depth === 1);
    return {
      mode,
      baseline,
      rate,
      depth: Math.max(...depths),
      fanOut,
      rounds: rounds.length,
      perDepth: rows.map((row) => ({ depth: row.depth, latencyDeltaUs: row.latencyDeltaUs })),
      perHopUs,
      curvatureUs,
      compounding: Object.fromEntries(KEYS.map((key) => [key, compounding(curvatureUs?.[key])])) as ChainResult['compounding'],
      singleHop: Object.fromEntries(
        KEYS.map((key) => {
          const deltaUs = single?.latencyDeltaUs[key] ?? null;
          const interval = perHopUs[key].interval;
          return [key, { deltaUs, withinPerHopInterval: deltaUs === null || !interval ? null : deltaUs >= interval.low && deltaUs <= interval.high }];
        }),
      ) as ChainResult['singleHop'],
      method:
        `least-squares fit of the delta over depths ${depths.join(', ')} (orthogonal polynomials); intervals: ${DEFAULT_CONFIDENCE * 100}% Student t ` +
        `over ${rounds.length} round${rounds.length === 1 ? '' : 's'} of per-round fits, each depth paired with baseline at that depth`,
    };
  });
}
