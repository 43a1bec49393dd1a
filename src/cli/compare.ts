import Table from 'cli-table3';
import {
  compareRuns,
  compareStatistic,
  DEFAULT_METRICS,
  parseLimit,
  parseMetrics,
  parseRunNoise,
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
  runNoise: string[];
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
 * `meshtax compare`: a candidate run against one or more base runs (the last path is the candidate), exit 3 when a
 * gated metric regressed beyond its limit. Several base runs (earlier nights) measure the noise between runs; with
 * one it is assumed (--run-noise). Runs of different scenarios are refused (exit 2) unless
 * --allow-different-scenarios: their numbers measure different things.
 */
export async function compareCommand(paths: readonly string[], flags: CompareFlags): Promise<ExitCode> {
  if (paths.length < 2) throw new UsageError('compare needs a base run.json and a candidate run.json (the last path given is the candidate)');
  const limits: Limits = {};
  for (const text of flags.maxRegression) {
    const [metric, limit] = usage(() => parseLimit(text));
    limits[metric] = limit;
  }
  const named = usage(() => parseMetrics(flags.metric));
  const runNoise = usage(() => parseRunNoise(flags.runNoise));
  // A limit given for a metric gates that metric too, so `--max-regression p99=+25%` is never silently ignored.
  const metrics = [...(named.length > 0 ? named : DEFAULT_METRICS)];
  for (const metric of Object.keys(limits) as CompareMetric[]) if (!metrics.includes(metric)) metrics.push(metric);
  const runs = await Promise.all(paths.map((file) => readRunFile(file)));
  const candidatePath = paths.at(-1)!;
  const candidate = runs.at(-1)!;
  const bases = runs.slice(0, -1);
  const basePaths = paths.slice(0, -1);
  const differences = bases.flatMap((base, index) =>
    scenarioDifferences(base, candidate).map((difference) => ({ ...difference, ...(bases.length > 1 ? { base: `${difference.base} (${basePaths[index]})` } : {}) })),
  );
  const differ = differences.map((d) => `  ${d.path}: ${d.base} → ${d.candidate}`);
  if (differences.length > 0 && !flags.allowDifferentScenarios) {
    throw new UsageError(
      [
        `${basePaths.join(', ')} and ${candidatePath} were made from different scenario settings, so their numbers are not comparable:`,
        ...differ,
        'rerun the candidate with the base run\'s settings, or pass --allow-different-scenarios to compare them anyway',
      ].join('\n'),
    );
  }
  // A run that did not complete or has invalid phases measured no mesh tax: gating it would pass a broken night.
  const problems = runs.flatMap((run, index) => runProblems(run).map((problem) => `${paths[index]}: ${problem}`));
  if (problems.length > 0 && !flags.allowInvalid) {
    process.stderr.write(`meshtax: ${problems.join('\nmeshtax: ')}\nmeshtax: compare gates completed runs with valid phases only; pass --allow-invalid to compare them anyway\n`);
    return EXIT.runFailed;
  }
  const changes = compareRuns(bases, candidate, limits, metrics, show, runNoise);
  if (changes.length === 0) {
    throw new UsageError(`${basePaths.join(', ')} and ${candidatePath} have no mode and rate in common with the metrics ${metrics.join(', ')}`);
  }
  const regressions = changes.filter((change) => change.regression);
  const statistic = compareStatistic(bases.length);
  if (flags.json) {
    const document = {
      base: bases.length === 1 ? bases[0]!.runId : bases.map((run) => run.runId),
      candidate: candidate.runId,
      statistic,
      scenarioDifferences: differences,
      regressions: regressions.length,
      changes,
    };
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    process.stdout.write(`${render(bases, candidate, statistic, changes, differ)}\n`);
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

function render(bases: readonly RunDocument[], candidate: RunDocument, statistic: string, changes: readonly MetricChange[], differ: readonly string[]): string {
  const table = new Table({
    head: ['mode', 'rate', 'metric', 'base', 'candidate', 'verdict'],
    style: { head: [], border: [] },
  });
  for (const change of changes) {
    table.push([change.mode, formatRate(change.rate), change.metric, show(change.metric, change.base), show(change.metric, change.candidate), change.reason]);
  }
  const regressions = changes.filter((change) => change.regression).length;
  return [
    `meshtax compare: base ${bases.map((run) => run.runId).join(', ')} → candidate ${candidate.runId}`,
    `statistic: ${statistic}`,
    ...(differ.length > 0 ? ['scenario settings that differ (allowed by --allow-different-scenarios):', ...differ] : []),
    table.toString(),
    regressions > 0 ? `${regressions} regression(s) beyond their limit` : 'no regression beyond the limits',
  ].join('\n');
}
