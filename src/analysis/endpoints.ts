import { decodeHistogram, mergeHistograms, summarize } from '../core/histogram.ts';
import type { PhaseRecord } from '../results/schema.ts';
import { BASELINE_MODE } from '../core/modes.ts';
import { pairRounds } from './intervals.ts';
import { groupByModeAndRate } from './phase-groups.ts';
import { pairedTInterval } from './statistics/t-interval.ts';
import { judgeDelta, type Judgement } from './statistics/significance.ts';

type Endpoint = NonNullable<PhaseRecord['endpoints']>[number];
const KEYS = ['p50', 'p90', 'p99'] as const;
export type EndpointKey = (typeof KEYS)[number];

/** One endpoint of the request mix for one mode at one rate, its histograms pooled over the repetitions. */
export interface EndpointRow {
  mode: string;
  rate: number | null;
  endpoint: string;
  requests: number;
  failed: number;
  latencyUs: Record<EndpointKey, number | null>;
  /**
   * Against the baseline's same endpoint at the same rate (absent for the baseline itself, or without one): the
   * pooled percentile difference, a paired t interval over rounds (per-repetition percentiles, mode minus the
   * baseline of the same round) and its verdict, as for the whole phase.
   */
  delta?: Record<EndpointKey, { us: number | null; interval: { low: number; high: number } | null; judgement: Judgement }>;
}

function endpointOf(phase: PhaseRecord, name: string): Endpoint | undefined {
  return phase.endpoints?.find((endpoint) => endpoint.name === name);
}

function pooled(phases: readonly PhaseRecord[], name: string): { summary: ReturnType<typeof summarize>; requests: number; failed: number } {
  const parts = phases.map((phase) => endpointOf(phase, name)).filter((e): e is Endpoint => e !== undefined);
  const summary = summarize(mergeHistograms(parts.map((part) => decodeHistogram(part.histogram))));
  let requests = 0;
  let failed = 0;
  for (const { counts } of parts) {
    requests += counts.ok + counts.non2xx + counts.errors + counts.timeouts;
    failed += counts.non2xx + counts.errors + counts.timeouts;
  }
  return { summary, requests, failed };
}

/** Whether a run has a request mix worth showing per endpoint: some phase with two or more endpoints. */
export function hasRequestMix(phases: readonly PhaseRecord[]): boolean {
  return phases.some((phase) => (phase.endpoints?.length ?? 0) > 1);
}

/** Per endpoint, mode and rate: pooled percentiles and, against baseline, deltas with intervals. */
export function endpointRows(phases: readonly PhaseRecord[], baseline = BASELINE_MODE): EndpointRow[] {
  if (!hasRequestMix(phases)) return [];
  const groups = groupByModeAndRate(phases);
  const rows: EndpointRow[] = [];
  for (const { mode, rate, phases: modePhases } of groups) {
    const names = [...new Set(modePhases.flatMap((phase) => phase.endpoints?.map((endpoint) => endpoint.name) ?? []))];
    const basePhases = mode === baseline ? undefined : groups.find((group) => group.mode === baseline && group.rate === rate)?.phases;
    for (const name of names) {
      const mine = pooled(modePhases, name);
      const row: EndpointRow = {
        mode,
        rate,
        endpoint: name,
        requests: mine.requests,
        failed: mine.failed,
        latencyUs: { p50: mine.summary.p50, p90: mine.summary.p90, p99: mine.summary.p99 },
      };
      if (basePhases && basePhases.some((phase) => endpointOf(phase, name))) {
        const base = pooled(basePhases, name).summary;
        const rounds = pairRounds(modePhases, basePhases);
        row.delta = Object.fromEntries(
          KEYS.map((key) => {
            const a = mine.summary[key];
            const b = base[key];
            const differences = rounds.map(({ mode: m, base: z }) => {
              const x = endpointOf(m, name)?.latencyUs[key] ?? null;
              const y = endpointOf(z, name)?.latencyUs[key] ?? null;
              return x === null || y === null ? null : x - y;
            });
            const complete = differences.every((value) => value !== null);
            const interval = complete ? pairedTInterval(differences) : null;
            const missing =
              rounds.length < 2
                ? `${rounds.length} round${rounds.length === 1 ? '' : 's'} paired with baseline: no interval (needs 2)`
                : `some repetition has too few samples of this endpoint for ${key}: no interval`;
            return [
              key,
              {
                us: a === null || b === null ? null : a - b,
                interval: interval ? { low: interval.low, high: interval.high } : null,
                judgement: judgeDelta(interval, null, 'µs', interval ? undefined : missing),
              },
            ];
          }),
        ) as EndpointRow['delta'];
      }
      rows.push(row);
    }
  }
  return rows;
}
