import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../helpers/cli.ts';

const scenario = (max: string): string =>
  [
    'apiVersion: meshtax.dev/v1alpha1',
    'kind: Scenario',
    'metadata: { name: gate }',
    'local: { proxy: builtin }',
    'modes: [baseline, sidecar]',
    'load: { rates: [200], duration: 1s, warmup: 200ms }',
    'thresholds:',
    `  - { metric: p50-delta, max: ${max} }`,
    '',
  ].join('\n');

describe('threshold gates', () => {
  it('exits 3 and lists the failed threshold when a delta exceeds its max', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'gate.yaml');
    // A proxy pair adds far more than a microsecond.
    writeFileSync(file, scenario('1us'));
    const result = await runCli(['run', file, '--out', path.join(dir, 'out'), ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/threshold FAIL: p50-delta of sidecar at 200 rps: \+\S+ (µs|ms) > 1 µs/);
    const { run } = readRun(path.join(dir, 'out'));
    expect(run.status).toBe('completed');
    expect(run.thresholds.map((t) => t.status)).toEqual(['fail']);
  });

  it('exits 0 when every threshold holds', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'gate.yaml');
    writeFileSync(file, scenario('10s'));
    const result = await runCli(['run', file, '--out', path.join(dir, 'out'), ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/threshold pass: p50-delta of sidecar/);
  });
});
