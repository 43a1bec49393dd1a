import { describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../helpers/cli.ts';

describe('an A/A run', () => {
  it('judges two identical baselines by their own interval, never by a floor made from themselves', async () => {
    const out = tempDir();
    const result = await runCli([
      'run', '--out', out, '--set', 'modes=[baseline]', '--set', 'load.noiseFloor=true', '--set', 'load.rates=[500]',
      '--set', 'load.duration=1s', '--set', 'load.warmup=200ms', '--set', 'load.repetitions=3', ...ANY_MACHINE,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { run } = readRun(out);
    // Rotated: each round starts one mode later.
    expect(run.phases.map((p) => p.mode)).toEqual(['baseline', 'baseline-aa', 'baseline-aa', 'baseline', 'baseline', 'baseline-aa']);
    const [aa, ...rest] = run.comparisons;
    expect(rest).toEqual([]);
    expect(aa!.mode).toBe('baseline-aa');
    expect(aa!.noiseFloorUs).not.toBeNull();
    // Calibrated intervals call about 1 in 20 A/A deltas significant by chance (test/analysis/statistics/aa-calibration.test.ts
    // proves the rate); what must hold in every run is that the verdict comes from the A/A pair's own interval.
    for (const key of ['p50', 'p90', 'p95'] as const) {
      const interval = aa!.intervals.latencyDeltaUs[key]!;
      expect(aa!.significant[key].reason, key).toBe(interval.low <= 0 && interval.high >= 0 ? 'interval includes 0' : 'interval excludes 0');
      expect(aa!.noiseFloorUs![key], key).toBe(Math.max(Math.abs(interval.low), Math.abs(interval.high)));
    }
    // About 500 samples per repetition: p99 comes only from the pooled repetitions, p99.9 not at all, and the reasons
    // say so with the counts.
    expect(aa!.significant.p99).toMatchObject({ significant: null });
    expect(aa!.significant.p99.reason).toMatch(/^\d{3} samples per repetition, p99 needs 1,000: no interval \(its estimate pools the repetitions\)$/);
    expect(aa!.significant.p999.reason).toMatch(/^\d{3} samples per repetition and 1,\d{3} pooled, p99.9 needs 10,000: no estimate, no interval$/);
  });

  it('needs a baseline to measure against', async () => {
    const result = await runCli(['validate', 'scenarios/quickstart.yaml', '--set', 'modes=[sidecar]', '--set', 'load.noiseFloor=true']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/noise floor compares baseline with a second baseline/);
  });
});
