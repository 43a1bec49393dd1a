import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { invalidPhases } from '../../src/analysis/validity.ts';
import { runSchema } from '../../src/results/schema.ts';
import { ANY_MACHINE, runProcessPids, readRun, runCli, tempDir, sets } from '../helpers/cli.ts';
import { besidesProgress } from '../helpers/progress.ts';

describe('meshtax run on the local runtime', () => {
  it('runs the quick start, prints a summary and writes a valid run.json', async () => {
    const out = tempDir();
    const result = await runCli([
      'run',
      'scenarios/quickstart.yaml',
      '--out',
      out,
      ...sets('load.duration=1s', 'load.warmup=200ms', 'load.repetitions=1'),
      ...ANY_MACHINE,
    ]);
    expect(besidesProgress(result.stderr)).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/meshtax run \S+: completed/);
    expect(result.stdout).toMatch(/baseline/);
    const { run } = readRun(out);
    expect(runSchema.parse(run)).toBeTruthy();
    expect(run.status).toBe('completed');
    expect(run.phases.map((phase) => [phase.mode, phase.rate, phase.repetition])).toEqual([
      ['baseline', 1000, 1],
      ['sidecar', 1000, 1],
      ['node-proxy', 1000, 1],
    ]);
    expect(run.phases.map((phase) => phase.counts.ok)).toEqual([1000, 1000, 1000]);
    expect((run.scenario as { load: { duration: number } }).load.duration).toBe(1000);
    // Every phase measures the generator and the app; mesh modes their proxies too, by role.
    const roles = run.phases.map((phase) => phase.resources.map((row) => `${row.pod}/${row.container}:${row.role}`).sort());
    expect(roles).toEqual([
      ['client/meshtax:loadgen', 'server/echo:app'],
      ['client/client-sidecar:sidecar', 'client/meshtax:loadgen', 'server/echo:app', 'server/server-sidecar:sidecar'],
      ['client/meshtax:loadgen', 'node-a/node-proxy:node-proxy', 'node-b/node-proxy:node-proxy', 'server/echo:app'],
    ]);
    for (const row of run.phases.flatMap((phase) => phase.resources)) {
      expect(row.memoryBytes).toBeGreaterThan(0);
      expect(row.memoryBytesMax).toBeGreaterThanOrEqual(row.memoryBytes);
    }
    expect(run.comparisons.map((c) => [c.mode, c.baseline, c.rate, c.proxies])).toEqual([
      ['sidecar', 'baseline', 1000, 2],
      ['node-proxy', 'baseline', 1000, 2],
    ]);
    const proxy = (run.environment.runtime as { proxy: { kind: string; version: string } }).proxy;
    expect(proxy.kind).toBe('haproxy');
    expect(result.stdout).toContain(`proxy: haproxy ${proxy.version} (mTLS on)`);
    // The mesh tax is printed for valid phases; a crowded machine's invalid phases are named instead of taxed.
    expect(result.stdout).toMatch(invalidPhases(run.phases).length === 0 ? /mesh tax against baseline/ : /invalid measurement, not mesh tax/);
    expect(runProcessPids(result)).toEqual([]);
  });

  it('runs the same comparison with the built-in proxy and records it', async () => {
    const out = tempDir();
    const result = await runCli(['run', '--out', out, '--set', 'local.proxy=builtin', '--set', 'load.duration=1s', '--set', 'load.warmup=200ms', '--set', 'load.rates=[300]', ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(0);
    const { run } = readRun(out);
    expect((run.environment.runtime as { proxy: { kind: string } }).proxy.kind).toBe('builtin');
    expect(result.stdout).toMatch(/proxy: built-in Node proxy meshtax \S+ on Node v\d+/);
    expect(run.phases.every((phase) => phase.counts.ok === 300)).toBe(true);
    expect(runProcessPids(result)).toEqual([]);
  });

  it('--json prints run.json on stdout and nothing else', async () => {
    const out = tempDir();
    const result = await runCli(['run', '--out', out, '--set', 'modes=[baseline]', '--set', 'load.duration=1s', '--set', 'load.warmup=0s', '--set', 'load.rates=[200]', '--json', ...ANY_MACHINE]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { runId: string };
    const { runDir, run } = readRun(out);
    expect(printed).toEqual(run);
    expect(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'))).toEqual(printed);
  });
});
