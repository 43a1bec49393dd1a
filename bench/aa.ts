/**
 * npm run bench:aa — are meshtax's intervals calibrated on real runs? Runs the quick start's load (1000 rps,
 * 8 connections, 2.5 s windows after 0.5 s warmup, 5 interleaved repetitions) with only the baseline and
 * load.noiseFloor, which adds mode baseline-aa: the same path measured twice, so every true delta is 0. Each run is
 * `meshtax run` from this checkout's source, as a user runs it. For each run it reads the baseline-aa comparison's
 * 95% intervals at p50, p90, p95 and p99 and counts those that exclude 0; a calibrated method excludes 0 in about
 * 5% of them (the issue measured 5 of 12, about 40%, before the paired t intervals).
 * BENCH_RUNS (default 10) sets the number of runs; BENCH_SET adds `--set` overrides separated by spaces (e.g.
 * "load.repetitions=3"). Figures are printed, never asserted. A run with an invalid phase is counted apart: its
 * intervals are shown and counted apart, because meshtax itself does not present them as mesh tax.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunDocument } from '../src/results/schema.ts';

const runs = Number(process.env.BENCH_RUNS ?? 10);
const extraSets = (process.env.BENCH_SET ?? '').split(' ').filter((s) => s.length > 0);
const PERCENTILES = ['p50', 'p90', 'p95', 'p99'] as const;
const cli = new URL('../src/cli/entry.ts', import.meta.url).pathname;
const sets = ['modes=[baseline]', 'load.noiseFloor=true', ...extraSets];

interface RunFigures {
  excluded: number;
  judged: number;
  valid: boolean;
  cells: string[];
}

console.log(`meshtax bench:aa — ${runs} A/A runs: meshtax run ${sets.map((s) => `--set ${s}`).join(' ')} (the quick start's load otherwise)`);
console.log(`node ${process.version}, ${os.cpus().length} cores, load average at start ${os.loadavg()[0]!.toFixed(2)}\n`);

let excluded = 0;
let judged = 0;
let excludedAll = 0;
let judgedAll = 0;
let invalidRuns = 0;
let failedRuns = 0;
for (let run = 1; run <= runs; run++) {
  const out = await mkdtemp(path.join(os.tmpdir(), 'meshtax-bench-aa-'));
  try {
    const code = await meshtax(['run', '--out', out, '--quiet', '--progress', 'none', '--allow-invalid', ...sets.flatMap((s) => ['--set', s])]);
    const result = await readRun(out);
    if (!result) {
      failedRuns++;
      console.log(`  run ${run}: exit ${code}, no run.json`);
      continue;
    }
    const figures = aaFigures(result);
    if (!figures) {
      failedRuns++;
      console.log(`  run ${run}: exit ${code}, no baseline-aa comparison in run.json`);
      continue;
    }
    excludedAll += figures.excluded;
    judgedAll += figures.judged;
    if (figures.valid) {
      excluded += figures.excluded;
      judged += figures.judged;
    } else invalidRuns++;
    console.log(`  run ${run}: ${figures.cells.join('  ')}  → ${figures.excluded}/${figures.judged} exclude 0${figures.valid ? '' : ' (an invalid phase: not counted)'}  load ${os.loadavg()[0]!.toFixed(2)}`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

console.log(`\n${excluded} of ${judged} intervals (p50, p90, p95, p99 over ${runs - invalidRuns - failedRuns} valid runs) exclude 0: ${judged > 0 ? ((100 * excluded) / judged).toFixed(1) : '–'}% (calibrated: about 5%)`);
if (invalidRuns > 0) {
  console.log(`${invalidRuns} run(s) had an invalid phase and were left out; with them: ${excludedAll} of ${judgedAll} (${judgedAll > 0 ? ((100 * excludedAll) / judgedAll).toFixed(1) : '–'}%)`);
}
if (failedRuns > 0) console.log(`${failedRuns} run(s) failed to produce a baseline-aa comparison`);

function meshtax(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** The run.json the run wrote: `--out` holds one run directory. */
async function readRun(out: string): Promise<RunDocument | undefined> {
  for (const entry of await readdir(out, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const text = await readFile(path.join(out, entry.name, 'run.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) return JSON.parse(text) as RunDocument;
  }
  return undefined;
}

function aaFigures(result: RunDocument): RunFigures | undefined {
  const comparison = result.comparisons.find((c) => c.mode === 'baseline-aa');
  if (!comparison) return undefined;
  let count = 0;
  let total = 0;
  const cells: string[] = [];
  for (const p of PERCENTILES) {
    const interval = comparison.intervals.latencyDeltaUs[p];
    if (!interval) {
      cells.push(`${p} –`);
      continue;
    }
    total++;
    const outside = interval.low > 0 || interval.high < 0;
    if (outside) count++;
    cells.push(`${p} [${interval.low.toFixed(0)}, ${interval.high.toFixed(0)}]${outside ? '*' : ''}`);
  }
  return { excluded: count, judged: total, valid: comparison.validity?.valid !== false, cells };
}
