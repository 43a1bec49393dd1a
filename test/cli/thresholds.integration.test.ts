import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../helpers/cli.ts';
import { splitComparisons } from '../../src/analysis/validity.ts';
import type { RunDocument } from '../../src/results/schema.ts';

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

/** Whether the run's sidecar comparison is valid, so its threshold is judged (a crowded machine can make it invalid). */
const judged = (run: RunDocument): boolean => splitComparisons(run.comparisons, run.phases).valid.some((c) => c.mode === 'sidecar');

describe('threshold gates', () => {
  it('exits 3 and lists the failed threshold when a delta exceeds its max', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'gate.yaml');
    // A proxy pair adds far more than a microsecond.
    writeFileSync(file, scenario('1us'));
    const result = await runCli(['run', file, '--out', path.join(dir, 'out'), ...ANY_MACHINE]);
    const { run } = readRun(path.join(dir, 'out'));
    expect(run.status).toBe('completed');
    if (!judged(run)) {
      // A crowded machine made a phase invalid: the gate is not judged on numbers that are not mesh tax.
      expect(run.thresholds.map((t) => t.status)).toEqual(['invalid']);
      return;
    }
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/threshold FAIL: p50-delta of sidecar at 200 rps: \+\S+ (µs|ms) > 1 µs/);
    expect(run.thresholds.map((t) => t.status)).toEqual(['fail']);
  });

  it('exits 0 when every threshold holds', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'gate.yaml');
    writeFileSync(file, scenario('10s'));
    const result = await runCli(['run', file, '--out', path.join(dir, 'out'), ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(0);
    const { run } = readRun(path.join(dir, 'out'));
    expect(run.thresholds.map((t) => t.status)).toEqual([judged(run) ? 'pass' : 'invalid']);
    if (judged(run)) expect(result.stdout).toMatch(/threshold pass: p50-delta of sidecar/);
  });
});
