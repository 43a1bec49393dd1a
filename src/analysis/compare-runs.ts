import { PERCENTILES, type PercentileKey } from '../core/percentiles.ts';
import type { PhaseRecord, RunDocument } from '../results/schema.ts';
import { runtimeFacts } from '../runtimes/descriptions.ts';
import { meshCost } from './comparisons.ts';
import { pairRounds } from './intervals.ts';
import { failedShare, groupByModeAndRate } from './phase-groups.ts';
import { judgeDelta } from './statistics/significance.ts';
import { invalidPhases, validityText, validityOf } from './validity.ts';
import { mean, sampleStandardDeviation } from './statistics/spread.ts';
import { DEFAULT_CONFIDENCE } from './statistics/t-interval.ts';
import { assumedRunNoiseInterval, baseRunsPredictionInterval } from './statistics/run-noise.ts';
import { BASELINE_MODE } from '../core/modes.ts';

const KEYS = Object.keys(PERCENTILES) as PercentileKey[];
const DELTA_METRICS = KEYS.map((key) => `${key}-delta` as const);

/**
 * Metrics `meshtax compare` can gate on. `pN-delta`: a mode's latency percentile minus the baseline's of the same
 * round in the same run (the mesh tax), µs; `mesh-cpu-cores` and `mesh-memory-bytes`: what the proxies used; `pN`:
 * absolute latency, µs (baseline included); `error-rate`: failed requests as a fraction.
 */
export const COMPARE_METRICS = [...DELTA_METRICS, 'mesh-cpu-cores', 'mesh-memory-bytes', ...KEYS, 'error-rate'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

/**
 * Gated by default: the mesh tax. Each is measured against its own run's baseline, so a slower or busier machine
 * (which moves baseline and mode alike) does not read as a regression; absolute latency is available by name.
 */
export const DEFAULT_METRICS: readonly CompareMetric[] = ['p50-delta', 'p99-delta', 'mesh-cpu-cores', 'mesh-memory-bytes'];

/** A regression limit: a relative increase of the base value (`+10%`), or an absolute one in the metric's unit. */
export type Limit = { kind: 'relative'; fraction: number } | { kind: 'absolute'; amount: number };
export type Limits = Partial<Record<CompareMetric, Limit>>;
export const DEFAULT_LIMIT: Limit = { kind: 'relative', fraction: 0.1 };

/**
 * The run-to-run noise assumed when there is one base run, as a standard deviation of a run's own effect relative to
 * the base value. Runs differ by more than their rounds say (see statistics/run-noise.ts). Measured: eight identical
 * runs of a sidecar pair at 200 rps, 3 rounds each, on a quiet 2-core VM spread their means by 15% (p50-delta, the
 * run effect alone 11.5%), 10% (mesh CPU) and 1.7% (mesh memory); two identical runs in this project's CI, on a 2-core
 * runner busy with other tests, gave a p50-delta 48% apart with rounds that agreed within 8%. The defaults sit above
 * the quiet figures, because a nightly job runs on shared runners. Several base runs measure it instead.
 */
export const DEFAULT_RUN_NOISE: Readonly<Record<CompareMetric, number>> = Object.fromEntries(
  COMPARE_METRICS.map((metric) => [metric, metric === 'mesh-cpu-cores' ? 0.15 : metric === 'mesh-memory-bytes' ? 0.05 : metric === 'error-rate' ? 0 : 0.25]),
) as Record<CompareMetric, number>;

/** Assumed run-to-run noise per metric, a fraction of the base value (see {@link DEFAULT_RUN_NOISE}). */
export type RunNoise = Partial<Record<CompareMetric, number>>;

/** What is compared, said once in every output: with one base run (the noise between runs assumed) or several (measured). */
export function compareStatistic(baseRuns: number): string {
  const common =
    `mean over rounds of each run's per-round value (deltas: mode minus the baseline of the same round), candidate minus base`;
  const noise =
    baseRuns >= 2
      ? `a ${DEFAULT_CONFIDENCE * 100}% prediction interval from the ${baseRuns} base runs' means, which measures the noise between runs`
      : `a ${DEFAULT_CONFIDENCE * 100}% t interval from both runs' rounds plus each run's own effect, assumed (one base run cannot measure the ` +
        `noise between runs: pass earlier runs as more bases, or set --run-noise)`;
  return `${common}, with ${noise}; a regression is an increase whose whole interval lies above the limit`;
}

export interface MetricChange {
  mode: string;
  rate: number | null;
  metric: CompareMetric;
  /** Mean of the base run's per-round values, in the metric's unit. */
  base: number;
  candidate: number;
  /** candidate − base, in the metric's unit. */
  change: number;
  /** change / |base|; null when base is 0. */
  relative: number | null;
  interval: { low: number; high: number } | null;
  significant: boolean | null;
  /** The limit as an absolute increase in the metric's unit (a relative limit times |base|). */
  limit: number;
  /**
   * The run-to-run noise in the interval, as a standard deviation in the metric's unit: assumed (one base run) or
   * measured (the spread of several base runs' means, their rounds' noise included).
   */
  runNoise: { source: 'assumed' | 'measured'; sigma: number } | null;
  regression: boolean;
  reason: string;
}

/** One value per round of a mode in one run; null when the metric does not apply to the mode. */
function perRound(phases: readonly PhaseRecord[], basePhases: readonly PhaseRecord[] | undefined, mode: string, metric: CompareMetric): number[] | null {
  const present = (values: readonly (number | null)[]): number[] => values.filter((value): value is number => value !== null);
  if (metric === 'error-rate') return present(phases.map((phase) => failedShare([phase])));
  if ((KEYS as readonly string[]).includes(metric)) return present(phases.map((phase) => phase.latencyUs[metric as PercentileKey]));
  if (mode === BASELINE_MODE) return null;
  if (metric === 'mesh-cpu-cores') return phases.map((phase) => meshCost(phase, 'cpuCores'));
  if (metric === 'mesh-memory-bytes') return phases.map((phase) => meshCost(phase, 'memoryBytes'));
  if (!basePhases) return null;
  const key = metric.replace('-delta', '') as PercentileKey;
  return present(
    pairRounds(phases, basePhases).map(({ mode: m, base }) =>
      m.latencyUs[key] === null || base.latencyUs[key] === null ? null : m.latencyUs[key] - base.latencyUs[key],
    ),
  );
}

/**
 * Why a run cannot stand in a comparison of mesh tax, or none: it did not complete (failed, interrupted, still
 * running), or a measured phase is invalid (below its rate, failed requests, the generator's own tail). Either would
 * let a broken night pass the gate with "no interval" or gate numbers that are not mesh tax.
 */
export function runProblems(run: RunDocument): string[] {
  const problems: string[] = [];
  if (run.status !== 'completed') problems.push(`status ${run.status}${run.error ? ` (${run.error})` : ''}`);
  const invalid = invalidPhases(run.phases);
  if (invalid.length > 0) {
    const first = invalid[0]!;
    problems.push(`${invalid.length} invalid phase(s); the first, ${first.mode} @ ${first.rate ?? 'closed loop'} rps rep ${first.repetition}: ${validityText(validityOf(first))}`);
  }
  return problems;
}

function limitAmount(limit: Limit, base: number): number {
  return limit.kind === 'absolute' ? limit.amount : limit.fraction * Math.abs(base);
}

function describeLimit(limit: Limit, amount: number, unit: (value: number) => string): string {
  return limit.kind === 'relative' ? `+${(limit.fraction * 100).toFixed(0)}% (${unit(amount)})` : `+${unit(amount)}`;
}

/**
 * Candidate against base for every mode and rate both have, for `metrics`: the change of the mean per-round value,
 * an interval of that change which counts the noise between runs, and a verdict: a regression when the interval's
 * lower bound exceeds the limit (the whole interval lies above it), so noise cannot fail a gate and a real increase
 * beyond the limit does. With one base run the noise between runs is assumed (`runNoise`, a fraction of the base
 * value per metric, default {@link DEFAULT_RUN_NOISE}) and each run needs 2 rounds; with several base runs it is
 * measured from their means. Without an interval nothing is judged, and the reason says why.
 */
export function compareRuns(
  bases: RunDocument | readonly RunDocument[],
  candidate: RunDocument,
  limits: Limits,
  metrics: readonly CompareMetric[] = DEFAULT_METRICS,
  unit: (metric: CompareMetric, value: number) => string = (_metric, value) => String(value),
  runNoise: RunNoise = {},
): MetricChange[] {
  const baseRuns = Array.isArray(bases) ? (bases as readonly RunDocument[]) : [bases as RunDocument];
  const baseGroups = baseRuns.map((run) => groupByModeAndRate(run.phases));
  const candidateGroups = groupByModeAndRate(candidate.phases);
  const find = (groups: ReturnType<typeof groupByModeAndRate<PhaseRecord>>, mode: string, rate: number | null) =>
    groups.find((group) => group.mode === mode && group.rate === rate)?.phases;
  const changes: MetricChange[] = [];
  for (const { mode, rate, phases: candidatePhases } of candidateGroups) {
    for (const metric of metrics) {
      const c = perRound(candidatePhases, find(candidateGroups, BASELINE_MODE, rate), mode, metric);
      // Per base run, its per-round values; runs without the mode, rate or metric drop out.
      const b = baseGroups
        .map((groups) => {
          const phases = find(groups, mode, rate);
          return phases ? perRound(phases, find(groups, BASELINE_MODE, rate), mode, metric) : null;
        })
        .filter((values): values is number[] => values !== null && values.length > 0);
      if (c === null || c.length === 0 || b.length === 0) continue;
      changes.push(judge(mode, rate, metric, c, b, limits[metric] ?? DEFAULT_LIMIT, runNoise[metric] ?? DEFAULT_RUN_NOISE[metric], unit));
    }
  }
  return changes;
}

function judge(
  mode: string,
  rate: number | null,
  metric: CompareMetric,
  candidate: number[],
  baseRuns: number[][],
  limit: Limit,
  assumedNoise: number,
  unit: (metric: CompareMetric, value: number) => string,
): MetricChange {
  const baseMeans = baseRuns.map(mean);
  const baseValue = mean(baseMeans);
  const candidateValue = mean(candidate);
  const change = candidateValue - baseValue;
  const relative = baseValue === 0 ? null : change / Math.abs(baseValue);
  const measured = baseRuns.length >= 2;
  const sigma = measured ? null : assumedNoise * Math.abs(baseValue);
  const interval = measured ? baseRunsPredictionInterval(candidate, baseMeans) : assumedRunNoiseInterval(candidate, baseRuns[0]!, sigma!);
  const rounds = Math.min(candidate.length, baseRuns[0]!.length);
  const judgement = judgeDelta(interval, null, '', `${rounds} round${rounds === 1 ? '' : 's'} in a run: no interval (needs 2 in each), not judged`);
  const amount = limitAmount(limit, baseValue);
  const show = (value: number): string => unit(metric, value);
  const regression = interval !== null && interval.low > amount;
  const pct = relative === null ? 'from 0' : `${relative >= 0 ? '+' : ''}${(relative * 100).toFixed(1)}%`;
  const span = interval ? ` [${show(interval.low)}, ${show(interval.high)}]` : '';
  const reason = regression
    ? `regression: ${pct}${span}, all above the limit ${describeLimit(limit, amount, show)}`
    : interval === null
      ? `${pct}; ${judgement.reason}`
      : `${pct}${span}; ${judgement.significant ? 'significant, ' : 'not significant, '}${interval.high > amount ? 'may reach' : 'within'} the limit ${describeLimit(limit, amount, show)}`;
  const runNoise = measured
    ? { source: 'measured' as const, sigma: sampleStandardDeviation(baseMeans)! }
    : interval === null
      ? null
      : { source: 'assumed' as const, sigma: sigma! };
  return {
    mode,
    rate,
    metric,
    base: baseValue,
    candidate: candidateValue,
    change,
    relative,
    interval: interval ? { low: interval.low, high: interval.high } : null,
    significant: judgement.significant,
    limit: amount,
    runNoise,
    regression,
    reason,
  };
}

const UNITS: Record<string, number> = { us: 1, µs: 1, ms: 1000, s: 1_000_000, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, cores: 1 };

/**
 * `p99-delta=+10%` → ['p99-delta', relative 0.1]; `p99-delta=+200us` (or ms, s) and `mesh-memory-bytes=+4MiB` (B,
 * KiB, MiB, GiB), `mesh-cpu-cores=+0.05` → absolute limits in the metric's unit (µs, bytes, cores).
 */
export function parseLimit(text: string): [CompareMetric, Limit] {
  const match = /^([a-z0-9-]+)=\+?(\d+(?:\.\d+)?)\s*(%|us|µs|ms|s|B|KiB|MiB|GiB|cores)?$/.exec(text.trim());
  if (!match) {
    throw new Error(`--max-regression takes metric=+N% or metric=+N<unit>, e.g. p99-delta=+10% or p99-delta=+200us; got '${text}'`);
  }
  const metric = match[1] as CompareMetric;
  if (!COMPARE_METRICS.includes(metric)) {
    throw new Error(`--max-regression: unknown metric '${match[1]}'; known: ${COMPARE_METRICS.join(', ')}`);
  }
  return [metric, parseAmount(metric, Number(match[2]), match[3])];
}

function parseAmount(metric: CompareMetric, value: number, unit: string | undefined): Limit {
  if (unit === '%') return { kind: 'relative', fraction: value / 100 };
  const latency = metric.startsWith('p');
  const allowed = latency ? ['us', 'µs', 'ms', 's'] : metric === 'mesh-memory-bytes' ? ['B', 'KiB', 'MiB', 'GiB'] : ['cores', undefined];
  if (unit === undefined && metric !== 'mesh-cpu-cores' && metric !== 'error-rate') {
    throw new Error(`--max-regression ${metric}: give a unit (${allowed.filter(Boolean).join(', ')}) or a percentage`);
  }
  if (unit !== undefined && !allowed.includes(unit)) {
    throw new Error(`--max-regression ${metric}: '${unit}' is not a unit of ${metric}; use ${allowed.filter(Boolean).join(', ')} or %`);
  }
  return { kind: 'absolute', amount: value * (unit === undefined ? 1 : UNITS[unit]!) };
}

/**
 * `--run-noise` values: `30%` for every metric, `p99-delta=40%` for one (later values win), each the standard
 * deviation of a run's own effect as a percentage of the base value, used with one base run.
 */
export function parseRunNoise(texts: readonly string[]): RunNoise {
  const noise: RunNoise = {};
  for (const text of texts) {
    const match = /^(?:([a-z0-9-]+)=)?(\d+(?:\.\d+)?)%$/.exec(text.trim());
    if (!match) throw new Error(`--run-noise takes N% or metric=N%, e.g. 30% or p99-delta=40%; got '${text}'`);
    const fraction = Number(match[2]) / 100;
    if (match[1] === undefined) {
      for (const metric of COMPARE_METRICS) noise[metric] = fraction;
      continue;
    }
    if (!COMPARE_METRICS.includes(match[1] as CompareMetric)) {
      throw new Error(`--run-noise: unknown metric '${match[1]}'; known: ${COMPARE_METRICS.join(', ')}`);
    }
    noise[match[1] as CompareMetric] = fraction;
  }
  return noise;
}

/** `--metric` values: known metric names, each once. */
export function parseMetrics(names: readonly string[]): CompareMetric[] {
  const metrics: CompareMetric[] = [];
  for (const name of names.flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean)) {
    if (!COMPARE_METRICS.includes(name as CompareMetric)) {
      throw new Error(`--metric: unknown metric '${name}'; known: ${COMPARE_METRICS.join(', ')}`);
    }
    if (!metrics.includes(name as CompareMetric)) metrics.push(name as CompareMetric);
  }
  return metrics;
}

/**
 * Settings that do not change what is measured: the description, where results go, and the seed (a draw of
 * Poisson gaps or shuffles, recorded even when drawn at random, so two runs of one scenario never share it).
 */
const IGNORED_SETTINGS = new Set(['metadata.description', 'output.dir', 'load.seed']);

/**
 * A run's settings as dotted paths with their JSON values: the resolved scenario and, where the runtime records one,
 * the proxy that carried the traffic (`proxy.kind`, `proxy.version`: `local.proxy: auto` picks HAProxy on one
 * machine and the built-in proxy on another).
 */
export function flatSettings(run: Pick<RunDocument, 'scenario'> & { environment: Pick<RunDocument['environment'], 'runtime'> }): Map<string, string> {
  const { proxy } = runtimeFacts(run.environment.runtime);
  const settings = proxy === undefined ? run.scenario : { ...run.scenario, proxy };
  const flat = (value: unknown, prefix: string, into: Map<string, string>): Map<string, string> => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, child] of Object.entries(value)) flat(child, prefix ? `${prefix}.${key}` : key, into);
    } else {
      into.set(prefix, JSON.stringify(value));
    }
    return into;
  };
  return flat(settings, '', new Map());
}

/** Settings that differ between two runs ({@link flatSettings} minus {@link IGNORED_SETTINGS}), with both values. */
export function scenarioDifferences(base: RunDocument, candidate: RunDocument): { path: string; base: string; candidate: string }[] {
  const a = flatSettings(base);
  const b = flatSettings(candidate);
  const paths = [...new Set([...a.keys(), ...b.keys()])].filter((path) => !IGNORED_SETTINGS.has(path)).sort();
  return paths
    .filter((path) => a.get(path) !== b.get(path))
    .map((path) => ({ path, base: a.get(path) ?? '(unset)', candidate: b.get(path) ?? '(unset)' }));
}
