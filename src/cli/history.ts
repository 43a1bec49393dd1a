import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Table from 'cli-table3';
import { trend } from '../analysis/history.ts';
import { runSchema, type RunDocument } from '../results/schema.ts';
import { formatCores, formatDeltaUs, formatRate, formatUs } from '../report/format.ts';
import { trendReport } from '../report/html/trend.ts';
import { writeFileAtomically } from '../results/atomic-write.ts';
import { EXIT, UsageError, type ExitCode } from './exit-codes.ts';

/** `meshtax history <dir>`: a trend table over the runs under a results directory, oldest first. */
export async function historyCommand(dir: string, flags: { json: boolean; html?: string }): Promise<ExitCode> {
  const { runs, skipped } = await readRuns(dir);
  if (runs.length === 0) throw new UsageError(`no run.json under ${dir}; give the output directory of meshtax run (default: results)`);
  const points = trend(runs);
  if (flags.html) {
    await writeFileAtomically(flags.html, trendReport(points, `meshtax history: ${dir}`));
    process.stderr.write(`wrote ${flags.html}\n`);
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ runs: runs.length, skipped, points }, null, 2)}\n`);
    return EXIT.ok;
  }
  const table = new Table({
    head: ['run', 'started', 'status', 'mode', 'rate', 'reps', 'p50', 'p99', 'Δp50', 'Δp99', 'mesh CPU'],
    style: { head: [], border: [] },
  });
  for (const point of points) {
    table.push([
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
  }
  const lines = [`meshtax history: ${runs.length} run(s) under ${dir}`, table.toString()];
  for (const file of skipped) lines.push(`skipped ${file}: not a run.json this version reads`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

/** run.json files directly under `dir` or one level down (`<dir>/<run-id>/run.json`). */
async function readRuns(dir: string): Promise<{ runs: RunDocument[]; skipped: string[] }> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    throw new UsageError(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const candidates = [path.join(dir, 'run.json'), ...entries.map((entry) => path.join(dir, entry, 'run.json'))];
  const runs: RunDocument[] = [];
  const skipped: string[] = [];
  for (const file of candidates) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    try {
      runs.push(runSchema.parse(JSON.parse(text)));
    } catch {
      skipped.push(file);
    }
  }
  return { runs, skipped };
}
