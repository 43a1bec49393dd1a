import Table from 'cli-table3';
import { compareRuns, parseLimit, type Limits, type MetricChange } from '../analysis/compare-runs.ts';
import { readRunFile } from '../results/read-run.ts';
import type { RunDocument } from '../results/schema.ts';
import { formatBytes, formatCores, formatRate, formatUs } from '../report/format.ts';
import { EXIT, UsageError, type ExitCode } from './exit-codes.ts';

export interface CompareFlags {
  maxRegression: string[];
  json: boolean;
}

/** `meshtax compare`: candidate run against base run, exit 3 on a significant regression beyond the limit. */
export async function compareCommand(basePath: string, candidatePath: string, flags: CompareFlags): Promise<ExitCode> {
  const limits: Limits = {};
  for (const text of flags.maxRegression) {
    try {
      const [metric, limit] = parseLimit(text);
      limits[metric] = limit;
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  const [base, candidate] = await Promise.all([readRunFile(basePath), readRunFile(candidatePath)]);
  const changes = compareRuns(base, candidate, limits);
  if (changes.length === 0) {
    throw new UsageError(`${basePath} and ${candidatePath} have no mode and rate in common to compare`);
  }
  const regressions = changes.filter((change) => change.regression);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ base: base.runId, candidate: candidate.runId, regressions: regressions.length, changes }, null, 2)}\n`);
  } else {
    process.stdout.write(`${render(base, candidate, changes)}\n`);
  }
  return regressions.length > 0 ? EXIT.gateFailed : EXIT.ok;
}

function show(change: MetricChange, value: number): string {
  if (change.metric.startsWith('p')) return formatUs(value);
  if (change.metric === 'mesh-cpu-cores') return `${formatCores(value)} cores`;
  if (change.metric === 'mesh-memory-bytes') return formatBytes(value);
  return `${(value * 100).toFixed(3)}%`;
}

function render(base: RunDocument, candidate: RunDocument, changes: readonly MetricChange[]): string {
  const table = new Table({
    head: ['mode', 'rate', 'metric', 'base', 'candidate', 'verdict'],
    style: { head: [], border: [] },
  });
  for (const change of changes) {
    table.push([
      change.mode,
      formatRate(change.rate),
      change.metric,
      show(change, change.base),
      show(change, change.candidate),
      change.reason,
    ]);
  }
  const regressions = changes.filter((change) => change.regression).length;
  return [
    `meshtax compare: base ${base.runId} → candidate ${candidate.runId}`,
    table.toString(),
    regressions > 0 ? `${regressions} significant regression(s) beyond their limit` : 'no significant regression beyond the limits',
  ].join('\n');
}
