import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { trend, type TrendPoint } from '../analysis/history.ts';
import { scenarioGrouper } from '../analysis/scenario-fingerprint.ts';
import { HistogramPayloadError } from '../core/histogram-payload.ts';
import { historyRunSchema, type HistoryRun } from '../results/history-schema.ts';
import { checkRunHistograms, parseRunText, readRunTextSync, RunFileError } from '../results/read-run.ts';
import { formatCores, formatCount, formatDeltaUs, formatUs, scenarioName } from '../core/format.ts';
import { trendGroups, trendReport } from '../report/html/trend.ts';
import { writeFileAtomically } from '../results/atomic-write.ts';
import { boxTable } from './columns.ts';
import { EXIT, type ExitCode } from '../core/exit-codes.ts';
import { UsageError } from '../core/errors.ts';
import { didYouMean } from '../scenario/suggest.ts';

/**
 * `meshtax history <dir>`: the mesh tax across the runs under a results directory, oldest first, one trend per
 * scenario and set of settings that change the numbers; `--scenario NAME` keeps one scenario's runs.
 */
export async function historyCommand(dir: string, flags: { json: boolean; html?: string; scenario?: string }): Promise<ExitCode> {
  const { runs, skipped, points, scenarios } = await readTrend(dir, flags.scenario);
  if (runs === 0 && flags.scenario !== undefined && scenarios.size > 0) {
    const names = [...scenarios].sort();
    const guess = didYouMean(flags.scenario, names);
    throw new UsageError(`--scenario ${flags.scenario}: no run of that scenario under ${dir}; ${guess === undefined ? '' : `${guess} `}its runs are of ${names.join(', ')}`);
  }
  if (runs === 0) throw new UsageError(`no run.json under ${dir}; give the output directory of meshtax run (default: results)`);
  const groups = trendGroups(points);
  if (flags.html) {
    await writeFileAtomically(flags.html, trendReport(points, `meshtax history: ${flags.scenario ?? dir}`));
    process.stderr.write(`wrote ${flags.html}\n`);
  }
  if (flags.json) {
    const summary = groups.map((group) => ({ scenario: group.scenario, fingerprint: group.fingerprint, settings: group.settings, runs: new Set(group.points.map((p) => p.runId)).size }));
    process.stdout.write(`${JSON.stringify({ runs, skipped: skipped.map((entry) => entry.file), groups: summary, points }, null, 2)}\n`);
    return EXIT.ok;
  }
  const head = ['run', 'started', 'status', 'mode', 'rate', 'reps', 'p50', 'p99', 'Δp50', 'Δp99', 'mesh CPU'];
  const lines = [`meshtax history: ${formatCount(runs)} run(s) under ${dir}, ${formatCount(groups.length)} scenario setting(s)`];
  for (const group of groups) {
    const rows = group.points.map((point) => [
      point.runId,
      point.startedAt.slice(0, 16).replace('T', ' '),
      point.status,
      point.mode,
      point.rate === null ? 'max' : formatCount(point.rate),
      formatCount(point.repetitions),
      formatUs(point.p50),
      formatUs(point.p99),
      point.invalid === null ? formatDeltaUs(point.deltaP50) : 'invalid',
      point.invalid === null ? formatDeltaUs(point.deltaP99) : 'invalid',
      point.invalid !== null ? 'invalid' : point.meshCpuCores === null ? '—' : `${formatCores(point.meshCpuCores)} cores`,
    ]);
    lines.push('', `${group.scenario} [${group.fingerprint}]: ${group.settings}`, boxTable(head, rows));
  }
  for (const { file, reason } of skipped) lines.push(`skipped ${file}: ${reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

/**
 * Trend points run by run, oldest first. Each run.json is reduced to its points as soon as it is read, so ten
 * thousand runs never sit in memory at once. Only the fields history shows are validated and kept (historyRunSchema);
 * the latency histograms it pools are checked as they are pooled, and a run with a damaged one is skipped, named with
 * its phase. Histograms it does not pool (service times, single repetitions) are not decoded at all. Files are read
 * one after another synchronously: nothing else waits on the event loop, and an asynchronous open, stat, read and
 * close per file cost more CPU than the reading.
 */
async function readTrend(
  dir: string,
  scenario: string | undefined,
): Promise<{ runs: number; skipped: Skipped[]; points: TrendPoint[]; scenarios: Set<string> }> {
  const { candidates, skipped } = await runFiles(dir);
  let runs = 0;
  const scenarios = new Set<string>();
  const points: TrendPoint[] = [];
  const groupOf = scenarioGrouper();
  for (const file of candidates) {
    let run: HistoryRun;
    try {
      run = parseRunText(file, readRunTextSync(file), historyRunSchema);
    } catch (error) {
      if (!(error instanceof RunFileError)) throw error;
      // A directory without run.json is not a run; anything else that was there but unusable is said.
      if (/: (ENOENT|ENOTDIR)$/.test(error.message)) continue;
      skipped.push({ file, reason: error.message.startsWith(file) ? error.message.slice(file.length).replace(/^(:\s*|\s+is\s+)/, '') : error.message });
      continue;
    }
    // Filtered before its histograms are pooled: the other scenarios' runs cost only their parse.
    const name = scenarioName(run);
    scenarios.add(name);
    if (scenario !== undefined && name !== scenario) continue;
    try {
      points.push(...trend([run], groupOf));
      runs++;
    } catch (error) {
      if (!(error instanceof HistogramPayloadError)) throw error;
      skipped.push({ file, reason: damaged(file, run, error) });
    }
  }
  // A stable sort: the points of one run stay together and in their order.
  points.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return { runs, skipped, points, scenarios };
}

/** Which phase's histogram is damaged, found by checking them all (only once one has failed). */
function damaged(file: string, run: HistoryRun, error: HistogramPayloadError): string {
  try {
    checkRunHistograms(file, run);
  } catch (named) {
    if (named instanceof RunFileError) return named.message.slice(file.length).replace(/^:\s*/, '');
  }
  return `a latency histogram: ${error.message}`;
}

/** A file history did not use, and why. */
interface Skipped {
  file: string;
  reason: string;
}

/**
 * Where run.json files may be: directly under `dir` or one level down (`<dir>/<run-id>/run.json`). Only regular
 * files are read later (a FIFO would block forever); one that is not a run.json this version reads is skipped.
 */
async function runFiles(dir: string): Promise<{ candidates: string[]; skipped: Skipped[] }> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new UsageError(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return { candidates: [path.join(dir, 'run.json'), ...entries.map((entry) => path.join(dir, entry, 'run.json'))], skipped: [] };
}
