import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSchema } from '../../src/results/schema.ts';
import { echoServerPids, readRun, runCli, tempDir } from '../helpers/cli.ts';

describe('meshtax run on the local runtime', () => {
  it('runs the quick start, prints a summary and writes a valid run.json', async () => {
    const out = tempDir();
    const result = await runCli([
      'run',
      'scenarios/quickstart.yaml',
      '--out',
      out,
      '--set',
      'load.duration=1s',
      '--set',
      'load.warmup=200ms',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/meshtax run \S+: completed/);
    expect(result.stdout).toMatch(/baseline/);
    const { run } = readRun(out);
    expect(runSchema.parse(run)).toBeTruthy();
    expect(run.status).toBe('completed');
    expect(run.phases.map((phase) => [phase.mode, phase.rate, phase.repetition])).toEqual([
      ['baseline', 500, 1],
      ['baseline', 1000, 1],
    ]);
    expect(run.phases[1]!.counts.ok).toBe(1000);
    expect((run.scenario as { load: { duration: number } }).load.duration).toBe(1000);
    expect(echoServerPids()).toEqual([]);
  });

  it('--json prints run.json on stdout and nothing else', async () => {
    const out = tempDir();
    const result = await runCli(['run', '--out', out, '--set', 'load.duration=1s', '--set', 'load.warmup=0s', '--set', 'load.rates=[200]', '--json']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { runId: string };
    const { runDir, run } = readRun(out);
    expect(printed).toEqual(run);
    expect(JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'))).toEqual(printed);
  });
});
