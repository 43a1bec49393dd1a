import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { trend, type TrendPoint } from '../analysis/history.ts';
import { HistogramPayloadError } from '../loadgen/histogram-payload.ts';
import { checkRunHistograms, parseRunText, readRunText, RunFileError } from '../results/read-run.ts';
import type { RunDocument } from '../results/schema.ts';
import { formatCores, formatDeltaUs, formatRate, formatUs } from '../report/format.ts';
import { trendReport } from '../report/html/trend.ts';
import { writeFileAtomically } from '../results/atomic-write.ts';
import { boxTable } from './columns.ts';
import { EXIT, UsageError, type ExitCode } from './exit-codes.ts';

/** `meshtax history <dir>`: a trend table over the runs under a results directory, oldest first. */
export async function historyCommand(dir: string, flags: { json: boolean; html?: string }): Promise<ExitCode> {
  const { runs, skipped, points } = trendOf(await readRuns(dir));
  if (runs.length === 0) throw new UsageError(`no run.json under ${dir}; give the output directory of meshtax run (default: results)`);
  if (flags.html) {
    await writeFileAtomically(flags.html, trendReport(points, `meshtax history: ${dir}`));
    process.stderr.write(`wrote ${flags.html}\n`);
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ runs: runs.length, skipped: skipped.map((entry) => entry.file), points }, null, 2)}\n`);
    return EXIT.ok;
  }
  const head = ['run', 'started', 'status', 'mode', 'rate', 'reps', 'p50', 'p99', 'Δp50', 'Δp99', 'mesh CPU'];
  const rows = points.map((point) => [
    point.runId,
    point.startedAt.slice(0, 16).replace('T', ' '),
    point.status,
    point.mode,
    formatRate(point.rate),
    String(point.repetitions),
    formatUs(point.p50),
    formatUs(point.p99),
    formatDeltaUs(point.deltaP50),
    formatDeltaUs(point.deltaP99),
    point.meshCpuCores === null ? '—' : `${formatCores(point.meshCpuCores)} cores`,
  ]);
  const lines = [`meshtax history: ${runs.length} run(s) under ${dir}`, boxTable(head, rows)];
  for (const { file, reason } of skipped) lines.push(`skipped ${file}: ${reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

interface ReadRun {
  file: string;
  run: RunDocument;
}

/**
 * Trend points run by run, oldest first. The histograms history pools are checked as they are read; a run with a
 * damaged one is skipped, named with its phase.
 */
function trendOf(read: { runs: ReadRun[]; skipped: Skipped[] }): { runs: RunDocument[]; skipped: Skipped[]; points: TrendPoint[] } {
  const runs: RunDocument[] = [];
  const skipped = [...read.skipped];
  const points: TrendPoint[] = [];
  for (const { file, run } of [...read.runs].sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt))) {
    try {
      points.push(...trend([run]));
      runs.push(run);
    } catch (error) {
      if (!(error instanceof HistogramPayloadError)) throw error;
      skipped.push({ file, reason: damaged(file, run, error) });
    }
  }
  return { runs, skipped, points };
}

/** Which phase's histogram is damaged, found by checking them all (only once one has failed). */
function damaged(file: string, run: RunDocument, error: HistogramPayloadError): string {
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
 * run.json files directly under `dir` or one level down (`<dir>/<run-id>/run.json`). Only regular files are read
 * (a FIFO would block forever); a file that is not a run.json this version reads is skipped with the reason.
 */
async function readRuns(dir: string): Promise<{ runs: ReadRun[]; skipped: Skipped[] }> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new UsageError(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const candidates = [path.join(dir, 'run.json'), ...entries.map((entry) => path.join(dir, entry, 'run.json'))];
  const runs: ReadRun[] = [];
  const skipped: Skipped[] = [];
  for (const file of candidates) {
    try {
      runs.push({ file, run: parseRunText(file, await readRunText(file)) });
    } catch (error) {
      if (!(error instanceof RunFileError)) throw error;
      // A directory without run.json is not a run; anything else that was there but unusable is said.
      if (/: (ENOENT|ENOTDIR)$/.test(error.message)) continue;
      skipped.push({ file, reason: error.message.startsWith(file) ? error.message.slice(file.length).replace(/^(:\s*|\s+is\s+)/, '') : error.message });
    }
  }
  return { runs, skipped };
}
