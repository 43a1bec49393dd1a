/**
 * npm run bench:history — how long `meshtax history` takes over a results directory of many runs. Writes
 * BENCH_RUNS (default 10 000) synthetic run.json files into a temporary directory, shaped like the runs of the
 * shipped local scenarios (bench/history-runs.ts: quickstart, local-builtin-proxy, local-tls-cost and
 * local-all-modes mixed; 4 to 24 phases each, histograms of 2 500 to 20 000 samples), then times the built CLI as a
 * user runs it, for the table, --json and --html, wall and CPU time. Figures only; nothing is asserted. The
 * directory is removed afterwards (BENCH_KEEP=1 keeps it). Build first: `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRunFile } from '../src/results/read-run.ts';
import type { RunDocument } from '../src/results/schema.ts';
import { formatCount } from '../src/core/format.ts';
import { SCENARIO_MIX, syntheticRun } from './history-runs.ts';

const runs = Number(process.env.BENCH_RUNS ?? 10_000);
/** Distinct documents per scenario (each its own histograms); the runs cycle through them. */
const VARIANTS = 4;

const bin = path.resolve(import.meta.dirname, '../bin/meshtax.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-bench-history-'));
try {
  const templates: { file: string; share: number; documents: RunDocument[] }[] = [];
  for (const [s, { file, share }] of SCENARIO_MIX.entries()) {
    const documents: RunDocument[] = [];
    for (let v = 0; v < VARIANTS; v++) documents.push(await syntheticRun(file, 1000 * s + v + 1));
    templates.push({ file, share, documents });
  }
  // Every template is a run.json the full reader accepts (schema and every histogram), so the bench times real input.
  const check = path.join(dir, 'check.json');
  for (const document of templates.flatMap((t) => t.documents)) {
    writeFileSync(check, JSON.stringify(document));
    await readRunFile(check);
  }
  rmSync(check);

  const start = Date.UTC(2026, 0, 1);
  let bytes = 0;
  const counts = templates.map(() => 0);
  for (let i = 0; i < runs; i++) {
    // The scenarios interleaved in time, as a directory of nightly runs of several scenarios is, each at its share.
    let pick = (i * 0.618_034) % 1;
    const s = Math.max(0, templates.findIndex((t) => (pick -= t.share) < 0));
    const documents = templates[s]!.documents;
    const started = new Date(start + i * 3_600_000);
    const stamp = started.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const runId = `${stamp}-${(i % 65_536).toString(16).padStart(4, '0')}`;
    const run = { ...documents[counts[s]!++ % documents.length]!, runId, startedAt: started.toISOString(), finishedAt: new Date(started.getTime() + 60_000).toISOString() };
    mkdirSync(path.join(dir, runId));
    const text = `${JSON.stringify(run, null, 2)}\n`;
    writeFileSync(path.join(dir, runId, 'run.json'), text);
    bytes += Buffer.byteLength(text);
  }

  // Wall time depends on what else the machine runs; the CPU time of the command (user + sys, from bash's time)
  // is the figure to compare between machines and versions.
  const time = (args: string[]): string => {
    const began = process.hrtime.bigint();
    const command = [process.execPath, bin, 'history', dir, ...args].map((word) => `'${word}'`).join(' ');
    const cpu = execFileSync('bash', ['-c', `TIMEFORMAT='%U %S'; { time ${command} >/dev/null; } 2>&1 | tail -1`], { encoding: 'utf8' });
    const [user, sys] = cpu.trim().split(' ').map(Number);
    const wall = Number(process.hrtime.bigint() - began) / 1e9;
    return `wall ${wall.toFixed(2)} s, CPU ${((user ?? 0) + (sys ?? 0)).toFixed(2)} s (user ${user} s, sys ${sys} s)`;
  };
  const mix = templates.map(({ file, documents }, s) => `${file.replace('.yaml', '')} ${formatCount(counts[s]!)} (${documents[0]!.phases.length} phases)`).join(', ');
  console.log(`bench:history — ${formatCount(runs)} runs, ${(bytes / 1024 / 1024).toFixed(0)} MiB of run.json, in ${dir}`);
  console.log(`scenarios: ${mix}`);
  console.log(`load average before: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')} on ${os.availableParallelism()} CPUs`);
  console.log(`meshtax history <dir>          ${time([])}`);
  console.log(`meshtax history <dir> --json   ${time(['--json'])}`);
  const html = path.join(dir, 'history.html');
  console.log(`meshtax history <dir> --html   ${time(['--html', html])}, page ${(statSync(html).size / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`load average after: ${os.loadavg().map((value) => value.toFixed(2)).join(' ')}`);
} finally {
  if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
