import { PERCENTILES, type PercentileKey } from '../core/percentiles.ts';
import type { PhaseRecord, RunDocument } from '../results/schema.ts';
import { runtimeFacts } from '../runtimes/descriptions.ts';
import { meshCost } from './comparisons.ts';
import { pairRounds } from './intervals.ts';
import { failedShare, groupByModeAndRate } from './phase-groups.ts';
import { judgeDelta } from './statistics/significance.ts';
import { invalidPhases, validityText, validityOf } from './validity.ts';
import { mean } from './statistics/spread.ts';
import { DEFAULT_CONFIDENCE, welchTInterval } from './statistics/t-interval.ts';
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

/** What is compared, said once in every output. */
export const COMPARE_STATISTIC =
  `mean over rounds of each run's per-round value (deltas: mode minus the baseline of the same round), candidate ` +
  `minus base, with a ${DEFAULT_CONFIDENCE * 100}% Welch t interval; a regression is an increase whose whole interval ` +
  `lies above the limit`;

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
 * Candidate against base for every mode and rate both runs have, for `metrics`: the change of the mean per-round
 * value, a Welch t interval of that change (the rounds of the two runs as two independent samples), and a verdict:
 * a regression when the interval's lower bound exceeds the limit (the whole interval lies above it), so noise between
 * rounds cannot fail a gate and a real increase beyond the limit does. Fewer than two rounds in a run: no interval,
 * no regression, and the reason says so.
 */
export function compareRuns(
  base: RunDocument,
  candidate: RunDocument,
  limits: Limits,
  metrics: readonly CompareMetric[] = DEFAULT_METRICS,
  unit: (metric: CompareMetric, value: number) => string = (_metric, value) => String(value),
): MetricChange[] {
  const baseGroups = groupByModeAndRate(base.phases);
  const candidateGroups = groupByModeAndRate(candidate.phases);
  const find = (groups: typeof baseGroups, mode: string, rate: number | null) =>
    groups.find((group) => group.mode === mode && group.rate === rate)?.phases;
  const changes: MetricChange[] = [];
  for (const { mode, rate, phases: candidatePhases } of candidateGroups) {
    const basePhases = find(baseGroups, mode, rate);
    if (!basePhases) continue;
    for (const metric of metrics) {
      const b = perRound(basePhases, find(baseGroups, BASELINE_MODE, rate), mode, metric);
      const c = perRound(candidatePhases, find(candidateGroups, BASELINE_MODE, rate), mode, metric);
      if (b === null || c === null || b.length === 0 || c.length === 0) continue;
      const baseValue = mean(b);
      const candidateValue = mean(c);
      const change = candidateValue - baseValue;
      const relative = baseValue === 0 ? null : change / Math.abs(baseValue);
      const interval = welchTInterval(c, b);
      const rounds = Math.min(b.length, c.length);
      const judgement = judgeDelta(interval, null, '', `${rounds} round${rounds === 1 ? '' : 's'} in a run: no interval (needs 2 in each), not judged`);
      const limit = limits[metric] ?? DEFAULT_LIMIT;
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
      changes.push({
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
        regression,
        reason,
      });
    }
  }
  return changes;
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
