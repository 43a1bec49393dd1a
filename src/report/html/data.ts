import { splitComparisons } from '../../analysis/validity.ts';
import { decodeHistogram, mergeHistograms, MIN_TAIL_SAMPLES } from '../../core/histogram.ts';
import type { Comparison, PhaseRecord, RunDocument } from '../../results/schema.ts';
import { shownDelta } from '../uncertainty.ts';
import { modeColors } from './colors.ts';
import { BASELINE_MODE } from '../../core/modes.ts';
import { type Role } from '../../core/modes.ts';

/** One point of a latency spectrum: percentile p (0–100), x = 1/(1 − p/100), latency in milliseconds. */
export interface SpectrumPoint {
  p: number;
  x: number;
  ms: number;
}

/** Latency spectrum of every mode at one rate, from each mode's histograms pooled over repetitions. */
export interface SpectrumChart {
  rate: number | null;
  series: { mode: string; samples: number; points: SpectrumPoint[] }[];
}

export const DELTA_PERCENTILES = [
  { key: 'p50', label: 'p50' },
  { key: 'p90', label: 'p90' },
  { key: 'p99', label: 'p99' },
  { key: 'p999', label: 'p99.9' },
] as const;

/** Latency deltas against baseline at one rate, milliseconds, in DELTA_PERCENTILES order; null when unmeasured. */
export interface DeltaChart {
  rate: number | null;
  baseline: string;
  confidence: number | null;
  series: {
    mode: string;
    valuesMs: (number | null)[];
    intervalsMs: ({ low: number; high: number } | null)[];
    /** Per percentile "not significant", "no interval" or "" (significant): the chart draws marked bars hollow. */
    marks: string[];
    /** Per percentile, why there is no estimate ("600 samples per repetition … p99 needs 1 000: …"); null with one. */
    missing: (string | null)[];
  }[];
}

/**
 * CPU (cores) and memory (MiB) per role, summed over a role's containers, mean over repetitions, per mode and rate.
 * The load generator is kept apart (`loadgen`, aligned with `groups`; null when it was not measured): it is not
 * part of the system under test, and stacked with the rest it dwarfed the mesh's own share.
 */
export interface ResourceChart {
  groups: { mode: string; rate: number | null; label: string }[];
  roles: { role: Role; cpuCores: number[]; memoryMiB: number[] }[];
  loadgen: { cpuCores: number[]; memoryMiB: number[] } | null;
}

export interface ReportData {
  spectrum: SpectrumChart[];
  deltas: DeltaChart[];
  resources: ResourceChart;
  /** The colour of every mode on the page, the same as on history.html. */
  colors: Record<string, string>;
}

const ROLE_ORDER: readonly Role[] = ['app', 'sidecar', 'node-proxy', 'waypoint', 'control-plane'];
/** x = 1/(1 − p) from 1 (p0) to 10 000 (p99.99), 20 points a decade. */
const POINTS_PER_DECADE = 20;
const DECADES = 4;
const MIN_MS = 0.001;

const rateKey = (rate: number | null): string => (rate === null ? 'closed' : String(rate));
const mean = (values: readonly number[]): number => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

/** Rates in ascending order, the closed loop (null) last. */
function sortedRates(rates: Iterable<number | null>): (number | null)[] {
  const unique = [...new Map([...rates].map((rate) => [rateKey(rate), rate])).values()];
  return unique.sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
}

/** Modes in order of first appearance, baseline first. */
function sortedModes(modes: Iterable<string>): string[] {
  const unique = [...new Set(modes)];
  return [...unique.filter((mode) => mode === BASELINE_MODE), ...unique.filter((mode) => mode !== BASELINE_MODE)];
}

function groupPhases(phases: readonly PhaseRecord[]): Map<string, PhaseRecord[]> {
  const groups = new Map<string, PhaseRecord[]>();
  for (const phase of phases) {
    const key = `${phase.mode}\u0000${rateKey(phase.rate)}`;
    const group = groups.get(key) ?? [];
    group.push(phase);
    groups.set(key, group);
  }
  return groups;
}

/**
 * Percentile spectrum of the pooled histograms: p from 0 to 99.99 evenly spaced on log 1/(1 − p), stopping where
 * fewer than MIN_TAIL_SAMPLES samples lie above p (the same rule that makes a percentile null in run.json).
 */
export function spectrumPoints(phases: readonly PhaseRecord[]): { samples: number; points: SpectrumPoint[] } {
  const pooled = mergeHistograms(phases.map((phase) => decodeHistogram(phase.histogram)));
  const samples = pooled.totalCount;
  const points: SpectrumPoint[] = [];
  for (let step = 0; step <= POINTS_PER_DECADE * DECADES; step++) {
    const x = 10 ** (step / POINTS_PER_DECADE);
    const tail = 1 / x;
    if (samples === 0 || samples * tail < MIN_TAIL_SAMPLES) break;
    const p = 100 * (1 - tail);
    points.push({ p: Math.round(p * 1e4) / 1e4, x, ms: Math.max(MIN_MS, pooled.getValueAtPercentile(p) / 1000) });
  }
  return { samples, points };
}

function deltaChart(rate: number | null, comparisons: readonly Comparison[]): DeltaChart {
  return {
    rate,
    baseline: comparisons[0]?.baseline ?? BASELINE_MODE,
    confidence: comparisons.find((comparison) => comparison.intervals.reliability !== 'none')?.intervals.confidence ?? null,
    series: comparisons.map((comparison) => ({
      mode: comparison.mode,
      valuesMs: DELTA_PERCENTILES.map(({ key }) => {
        const us = comparison.latencyDeltaUs[key];
        return us === null ? null : us / 1000;
      }),
      intervalsMs: DELTA_PERCENTILES.map(({ key }) => {
        const interval = comparison.intervals.latencyDeltaUs[key];
        return interval === null ? null : { low: interval.low / 1000, high: interval.high / 1000 };
      }),
      marks: DELTA_PERCENTILES.map(({ key }) => shownDelta(comparison, key).mark),
      missing: DELTA_PERCENTILES.map(({ key }) => (comparison.latencyDeltaUs[key] === null ? shownDelta(comparison, key).reason : null)),
    })),
  };
}

function resourceChart(phases: readonly PhaseRecord[], multipleRates: boolean): ResourceChart {
  const groups = groupPhases(phases);
  const modes = sortedModes(phases.map((phase) => phase.mode));
  const rates = sortedRates(phases.map((phase) => phase.rate));
  const present = new Set(phases.flatMap((phase) => phase.resources.map((row) => row.role)));
  const roles = ROLE_ORDER.filter((role) => present.has(role));
  const chart: ResourceChart = { groups: [], roles: roles.map((role) => ({ role, cpuCores: [], memoryMiB: [] })), loadgen: null };
  const loadgen = present.has('loadgen') ? { role: 'loadgen' as const, cpuCores: [] as number[], memoryMiB: [] as number[] } : null;
  for (const rate of rates) {
    for (const mode of modes) {
      const group = groups.get(`${mode}\u0000${rateKey(rate)}`);
      if (!group) continue;
      chart.groups.push({ mode, rate, label: multipleRates ? `${mode} @ ${rate === null ? 'max' : rate} rps` : mode });
      for (const series of loadgen ? [...chart.roles, loadgen] : chart.roles) {
        // Sum the role's containers within a repetition, then average the repetitions.
        const rows = group.map((phase) => phase.resources.filter((row) => row.role === series.role));
        series.cpuCores.push(mean(rows.map((row) => row.reduce((total, r) => total + r.cpuCores, 0))));
        series.memoryMiB.push(mean(rows.map((row) => row.reduce((total, r) => total + r.memoryBytes, 0))) / 2 ** 20);
      }
    }
  }
  if (loadgen) chart.loadgen = { cpuCores: loadgen.cpuCores, memoryMiB: loadgen.memoryMiB };
  return chart;
}

/** Everything the page's charts draw, computed from run.json alone. */
export function reportData(run: RunDocument): ReportData {
  const groups = groupPhases(run.phases);
  const rates = sortedRates(run.phases.map((phase) => phase.rate));
  const modes = sortedModes(run.phases.map((phase) => phase.mode));
  const spectrum: SpectrumChart[] = rates.map((rate) => ({
    rate,
    series: modes.flatMap((mode) => {
      const group = groups.get(`${mode}\u0000${rateKey(rate)}`);
      return group ? [{ mode, ...spectrumPoints(group) }] : [];
    }),
  }));
  // An invalid comparison's deltas are not mesh tax: they are not drawn.
  const { valid } = splitComparisons(run.comparisons, run.phases);
  const deltas = sortedRates(valid.map((comparison) => comparison.rate)).map((rate) =>
    deltaChart(
      rate,
      valid.filter((comparison) => rateKey(comparison.rate) === rateKey(rate)),
    ),
  );
  return { spectrum, deltas, resources: resourceChart(run.phases, rates.length > 1), colors: modeColors(modes) };
}
