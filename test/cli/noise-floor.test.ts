import { describe, expect, it } from 'vitest';
import { readRun, runCli, tempDir } from '../helpers/cli.ts';

describe('an A/A run', () => {
  it('reports no significant delta between two identical baselines', async () => {
    const out = tempDir();
    const result = await runCli([
      'run', '--out', out, '--set', 'modes=[baseline]', '--set', 'load.noiseFloor=true', '--set', 'load.rates=[500]',
      '--set', 'load.duration=1s', '--set', 'load.warmup=200ms', '--set', 'load.repetitions=3',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { run } = readRun(out);
    expect(run.phases.map((p) => p.mode)).toEqual(['baseline', 'baseline-aa', 'baseline', 'baseline-aa', 'baseline', 'baseline-aa']);
    const [aa, ...rest] = run.comparisons;
    expect(rest).toEqual([]);
    expect(aa!.mode).toBe('baseline-aa');
    expect(aa!.noiseFloorUs).not.toBeNull();
    for (const key of ['p50', 'p90', 'p95', 'p99', 'p999'] as const) expect(aa!.significant[key].significant, key).not.toBe(true);
  });

  it('needs a baseline to measure against', async () => {
    const result = await runCli(['validate', 'scenarios/quickstart.yaml', '--set', 'modes=[sidecar]', '--set', 'load.noiseFloor=true']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/noise floor compares baseline with a second baseline/);
  });
});
