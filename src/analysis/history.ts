import type { HistoryRun } from '../results/history-schema.ts';
import { pooledPercentilesOf } from '../core/histogram.ts';
import { groupByModeAndRate } from './phase-groups.ts';
import { scenarioGroup, type ScenarioGroup } from './scenario-fingerprint.ts';
import { comparisonValidityOf, validityText } from './validity.ts';

/** One point of a trend: a mode at a rate in one run. Latency in µs, CPU in cores. */
export interface TrendPoint {
  runId: string;
  startedAt: string;
  status: HistoryRun['status'];
  tool: string;
  /** The scenario's name and the fingerprint of its settings that change the numbers: runs on one trend share both. */
  scenario: string;
  fingerprint: string;
  /** Those settings in a line people read. */
  settings: string;
  mode: string;
  rate: number | null;
  repetitions: number;
  p50: number | null;
  p99: number | null;
  deltaP50: number | null;
  deltaP99: number | null;
  meshCpuCores: number | null;
  /** Why the comparison is not mesh tax (an invalid phase on either side), or null: its tax is then left out. */
  invalid: string | null;
}

/**
 * Trend points of several runs, oldest first, one per run, mode and rate (pooled over repetitions). A run needs only
 * the fields history reads (HistoryRun); a whole RunDocument is one too. `groupOf` places a run on its trend (a
 * scenarioGrouper() when reading many runs).
 */
export function trend(runs: readonly HistoryRun[], groupOf: (run: HistoryRun) => ScenarioGroup = scenarioGroup): TrendPoint[] {
  const points: TrendPoint[] = [];
  for (const run of [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    const group = groupOf(run);
    for (const { mode, rate, phases } of groupByModeAndRate(run.phases)) {
      // What the table needs and no more: one repetition's percentiles are in its record; several are pooled from
      // their histograms' non-empty buckets. Decoding every histogram whole made history take minutes.
      const pooled = phases.length === 1 ? phases[0]!.latencyUs : pooledPercentilesOf(phases.map((phase) => phase.histogram));
      const compared = run.comparisons.find((c) => c.mode === mode && c.rate === rate);
      const validity = compared ? comparisonValidityOf(compared, run.phases) : undefined;
      // An invalid measurement is not mesh tax: it stays in the table, marked, and off the trend of the tax.
      const comparison = validity?.valid === false ? undefined : compared;
      points.push({
        runId: run.runId,
        startedAt: run.startedAt,
        status: run.status,
        tool: run.tool.version,
        ...group,
        mode,
        rate,
        repetitions: phases.length,
        p50: pooled.p50,
        p99: pooled.p99,
        deltaP50: comparison?.latencyDeltaUs.p50 ?? null,
        deltaP99: comparison?.latencyDeltaUs.p99 ?? null,
        meshCpuCores: comparison?.meshCpuCores ?? null,
        invalid: validity?.valid === false ? validityText(validity) : null,
      });
    }
  }
  return points;
}
