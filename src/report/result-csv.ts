import { splitComparisons } from '../analysis/validity.ts';
import { PERCENTILE_KEYS } from '../core/percentiles.ts';
import type { ChainResult, RunDocument } from '../results/schema.ts';
import { csvField } from './csv.ts';

/**
 * The results beside phases.csv that are not phases, in the same CSV dialect (see csv.ts), one value per field so a
 * spreadsheet or data frame reads them without parsing cells:
 * - chains.csv (with workload.chain): long form, one row per mode, rate, quantity and percentile: the end-to-end
 *   `delta` at each `depth`, the `per-hop` tax (the slope) and the `curvature`, each with its interval where the
 *   rounds give one; `verdict` says on a per-hop row whether the single-hop delta lies inside its interval, on a
 *   curvature row how the tail grows with depth;
 * - nodes.csv (when the runtime recorded nodes): what each mode's mesh containers on each node use together, with
 *   the intervals over rounds. Only comparisons that are mesh tax (both sides valid) are written.
 * Empty fields are null values, as in phases.csv.
 */

export const CHAIN_CSV_COLUMNS = ['mode', 'baseline', 'rate', 'fanOut', 'rounds', 'quantity', 'depth', 'percentile', 'estimateUs', 'lowUs', 'highUs', 'verdict'] as const;

export const NODE_CSV_COLUMNS = ['mode', 'baseline', 'rate', 'depth', 'node', 'containers', 'cpuCores', 'cpuCoresLow', 'cpuCoresHigh', 'memoryBytes', 'memoryBytesLow', 'memoryBytesHigh'] as const;

type Field = string | number | null;
const text = (head: readonly string[], rows: readonly Field[][]): string => `${[head.join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\n')}\n`;

function chainRows(chain: ChainResult): Field[][] {
  const lead: Field[] = [chain.mode, chain.baseline, chain.rate, chain.fanOut, chain.rounds];
  const rows: Field[][] = [];
  for (const row of chain.perDepth) {
    for (const key of PERCENTILE_KEYS) rows.push([...lead, 'delta', row.depth, key, row.latencyDeltaUs[key], null, null, null]);
  }
  for (const key of PERCENTILE_KEYS) {
    const fit = chain.perHopUs[key];
    const inside = chain.singleHop[key].withinPerHopInterval;
    const verdict = inside === null ? null : inside ? 'single-hop-inside' : 'single-hop-outside';
    rows.push([...lead, 'per-hop', null, key, fit.estimate, fit.interval?.low ?? null, fit.interval?.high ?? null, verdict]);
  }
  if (chain.curvatureUs) {
    for (const key of PERCENTILE_KEYS) {
      const fit = chain.curvatureUs[key];
      rows.push([...lead, 'curvature', null, key, fit.estimate, fit.interval?.low ?? null, fit.interval?.high ?? null, chain.compounding[key]]);
    }
  }
  return rows;
}

function nodeRows(run: RunDocument): Field[][] {
  return splitComparisons(run.comparisons, run.phases).valid.flatMap((comparison) =>
    (comparison.meshPerNode ?? []).map((node): Field[] => [
      comparison.mode,
      comparison.baseline,
      comparison.rate,
      comparison.depth ?? null,
      node.node,
      node.containers,
      node.cpuCores,
      node.intervals.cpuCores?.low ?? null,
      node.intervals.cpuCores?.high ?? null,
      node.memoryBytes,
      node.intervals.memoryBytes?.low ?? null,
      node.intervals.memoryBytes?.high ?? null,
    ]),
  );
}

/** A CSV file written beside phases.csv when the run has rows for it. */
export interface ResultCsv {
  file: string;
  columns: readonly string[];
  rows: (run: RunDocument) => Field[][];
}

export const RESULT_CSVS: readonly ResultCsv[] = [
  { file: 'chains.csv', columns: CHAIN_CSV_COLUMNS, rows: (run) => (run.chains ?? []).flatMap(chainRows) },
  { file: 'nodes.csv', columns: NODE_CSV_COLUMNS, rows: nodeRows },
];

/**
 * The files of RESULT_CSVS with rows, each with its text; `label` puts a first column before every row (the pilot's
 * `service`), given its name and each run's value.
 */
export function resultCsvFiles(runs: readonly { run: RunDocument; label?: string }[], labelColumn?: string): { file: string; text: string }[] {
  return RESULT_CSVS.flatMap(({ file, columns, rows }) => {
    const all = runs.flatMap(({ run, label }) => rows(run).map((row) => (labelColumn === undefined ? row : [label ?? null, ...row])));
    return all.length === 0 ? [] : [{ file, text: text(labelColumn === undefined ? columns : [labelColumn, ...columns], all) }];
  });
}
