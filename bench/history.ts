/**
 * npm run bench:history — how long `meshtax history` takes over a results directory of many runs. Writes
 * BENCH_RUNS (default 10 000) synthetic run.json files into a temporary directory (each: three modes, two
 * repetitions, histograms of 20 000 samples spread like real latencies), then times the CLI as a user runs it,
 * for the table, --json and --html. Figures only; nothing is asserted. The directory is removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeHistogram, newHistogram, recordUs, summarize } from '../src/core/histogram.ts';
import type { RunDocument } from '../src/results/schema.ts';
import { fixtureRun } from '../test/report/fixture.ts';

const runs = Number(process.env.BENCH_RUNS ?? 10_000);
const samples = 20_000;

/** A seeded lognormal latency sample around `medianUs` (a run's histograms look like this, not like three spikes). */
function latencies(medianUs: number, seed: number): { encoded: string; summary: RunDocument['phases'][number]['latencyUs'] } {
  let state = seed;
  const uniform = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return (state + 1) / (2 ** 31 + 1);
  };
  const histogram = newHistogram();
  for (let i = 0; i < samples; i++) {
    const normal = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    recordUs(histogram, medianUs * Math.exp(0.6 * normal));
  }
  return { encoded: encodeHistogram(histogram), summary: summarize(histogram) };
}

const template = structuredClone(fixtureRun) as RunDocument;
for (const [index, phase] of template.phases.entries()) {
  const latency = latencies(400 + 60 * index, index + 1);
  const service = latencies(350 + 60 * index, index + 101);
  Object.assign(phase, {
    counts: { ok: samples, non2xx: 0, errors: 0, timeouts: 0 },
    histogram: latency.encoded,
    latencyUs: latency.summary,
    serviceTimeHistogram: service.encoded,
    serviceTimeUs: service.summary,
  });
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-bench-history-'));
try {
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < runs; i++) {
    const started = new Date(start + i * 3_600_000);
    const stamp = started.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const runId = `${stamp}-${(i % 65_536).toString(16).padStart(4, '0')}`;
    const run = { ...template, runId, startedAt: started.toISOString(), finishedAt: started.toISOString() };
    mkdirSync(path.join(dir, runId));
    writeFileSync(path.join(dir, runId, 'run.json'), JSON.stringify(run, null, 2));
  }
  const bin = path.resolve(import.meta.dirname, '../bin/meshtax.js');
  // Wall time depends on what else the machine runs; the CPU time of the command (user + sys, from bash's time)
  // is the figure to compare.
  const time = (args: string[]): string => {
    const began = process.hrtime.bigint();
    const command = [process.execPath, bin, 'history', dir, ...args].map((word) => `'${word}'`).join(' ');
    const cpu = execFileSync('bash', ['-c', `TIMEFORMAT='%U %S'; { time ${command} >/dev/null; } 2>&1 | tail -1`], { encoding: 'utf8' });
    const [user, sys] = cpu.trim().split(' ').map(Number);
    const wall = Number(process.hrtime.bigint() - began) / 1e9;
    return `wall ${wall.toFixed(2)} s, CPU ${((user ?? 0) + (sys ?? 0)).toFixed(2)} s (user ${user} s, sys ${sys} s)`;
  };
  console.log(`load average before: ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} on ${os.availableParallelism()} CPUs`);
  console.log(`bench:history — ${runs} runs (${template.phases.length} phases each, ${samples} samples per histogram) in ${dir}`);
  console.log(`meshtax history <dir>          ${time([])}`);
  console.log(`meshtax history <dir> --json   ${time(['--json'])}`);
  console.log(`meshtax history <dir> --html   ${time(['--html', path.join(dir, 'trend.html')])}`);
} finally {
  if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
