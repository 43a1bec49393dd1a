import Table from 'cli-table3';
import {
  COMPARE_STATISTIC,
  compareRuns,
  DEFAULT_METRICS,
  parseLimit,
  parseMetrics,
  runProblems,
  scenarioDifferences,
  type CompareMetric,
  type Limits,
  type MetricChange,
} from '../analysis/compare-runs.ts';
import { readRunFile } from '../results/read-run.ts';
import type { RunDocument } from '../results/schema.ts';
import { formatBytes, formatCores, formatDeltaUs, formatRate, formatUs } from '../core/format.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';

export interface CompareFlags {
  maxRegression: string[];
  metric: string[];
  allowDifferentScenarios: boolean;
  allowInvalid: boolean;
  json: boolean;
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `meshtax compare`: candidate run against base run, exit 3 when a gated metric regressed beyond its limit. Runs of
 * different scenarios are refused (exit 2) unless --allow-different-scenarios: their numbers measure different things.
 */
export async function compareCommand(basePath: string, candidatePath: string, flags: CompareFlags): Promise<ExitCode> {
  const limits: Limits = {};
  for (const text of flags.maxRegression) {
    const [metric, limit] = usage(() => parseLimit(text));
    limits[metric] = limit;
  }
  const named = usage(() => parseMetrics(flags.metric));
  // A limit given for a metric gates that metric too, so `--max-regression p99=+25%` is never silently ignored.
  const metrics = [...(named.length > 0 ? named : DEFAULT_METRICS)];
  for (const metric of Object.keys(limits) as CompareMetric[]) if (!metrics.includes(metric)) metrics.push(metric);
  const [base, candidate] = await Promise.all([readRunFile(basePath), readRunFile(candidatePath)]);
  const differences = scenarioDifferences(base, candidate);
  const differ = differences.map((d) => `  ${d.path}: ${d.base} → ${d.candidate}`);
  if (differences.length > 0 && !flags.allowDifferentScenarios) {
    throw new UsageError(
      [
        `${basePath} and ${candidatePath} were made from different scenario settings, so their numbers are not comparable:`,
        ...differ,
        'rerun the candidate with the base run\'s settings, or pass --allow-different-scenarios to compare them anyway',
      ].join('\n'),
    );
  }
  // A run that did not complete or has invalid phases measured no mesh tax: gating it would pass a broken night.
  const problems = [
    ...runProblems(base).map((problem) => `${basePath}: ${problem}`),
    ...runProblems(candidate).map((problem) => `${candidatePath}: ${problem}`),
  ];
  if (problems.length > 0 && !flags.allowInvalid) {
    process.stderr.write(`meshtax: ${problems.join('\nmeshtax: ')}\nmeshtax: compare gates completed runs with valid phases only; pass --allow-invalid to compare them anyway\n`);
    return EXIT.runFailed;
  }
  const changes = compareRuns(base, candidate, limits, metrics, show);
  if (changes.length === 0) {
    throw new UsageError(`${basePath} and ${candidatePath} have no mode and rate in common with the metrics ${metrics.join(', ')}`);
  }
  const regressions = changes.filter((change) => change.regression);
  if (flags.json) {
    const document = { base: base.runId, candidate: candidate.runId, statistic: COMPARE_STATISTIC, scenarioDifferences: differences, regressions: regressions.length, changes };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    process.stdout.write(`${render(base, candidate, changes, differ)}\n`);
  }
  if (problems.length > 0) process.stderr.write(`meshtax: compared although ${problems.join('; ')} (--allow-invalid)\n`);
  return regressions.length > 0 ? EXIT.gateFailed : EXIT.ok;
}

/** A value of a metric in its unit, for people. */
function show(metric: CompareMetric, value: number): string {
  if (metric.endsWith('-delta')) return formatDeltaUs(value);
  if (metric.startsWith('p')) return value < 0 ? `-${formatUs(-value)}` : formatUs(value);
  if (metric === 'mesh-cpu-cores') return `${formatCores(value)} cores`;
  if (metric === 'mesh-memory-bytes') return value < 0 ? `-${formatBytes(-value)}` : formatBytes(value);
  return `${(value * 100).toFixed(3)}%`;
}

function render(base: RunDocument, candidate: RunDocument, changes: readonly MetricChange[], differ: readonly string[]): string {
  const table = new Table({
    head: ['mode', 'rate', 'metric', 'base', 'candidate', 'verdict'],
    style: { head: [], border: [] },
  });
  for (const change of changes) {
    table.push([change.mode, formatRate(change.rate), change.metric, show(change.metric, change.base), show(change.metric, change.candidate), change.reason]);
  }
  const regressions = changes.filter((change) => change.regression).length;
  return [
    `meshtax compare: base ${base.runId} → candidate ${candidate.runId}`,
    `statistic: ${COMPARE_STATISTIC}`,
    ...(differ.length > 0 ? ['scenario settings that differ (allowed by --allow-different-scenarios):', ...differ] : []),
    table.toString(),
    regressions > 0 ? `${regressions} regression(s) beyond their limit` : 'no regression beyond the limits',
  ].join('\n');
}
