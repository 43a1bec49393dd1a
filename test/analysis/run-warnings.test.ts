import { describe, expect, it } from 'vitest';
import { runWarnings, withoutSampleWarning } from '../../src/analysis/run-warnings.ts';
import { encodeHistogram, newHistogram } from '../../src/core/histogram.ts';
import type { Comparison, PhaseRecord } from '../../src/results/schema.ts';

function histogramOf(samples: number): string {
  const h = newHistogram();
  h.recordValueWithCount(100, samples);
  return encodeHistogram(h);
}

function phase(mode: string, repetition: number, p50: number, errors = 0, samples = 20_000): PhaseRecord {
  const latencyUs = { p50, p90: null, p95: null, p99: null, p999: null, max: p50, mean: p50 };
  return {
    mode, rate: 500, repetition, loop: 'open', connections: 8, startedAt: '2026-11-22T00:00:00.000Z', durationS: 1,
    achievedRps: 500, counts: { ok: 1000 - errors, non2xx: 0, errors, timeouts: 0 }, bytesReceived: 0, latencyUs,
    serviceTimeUs: latencyUs, histogram: histogramOf(samples), serviceTimeHistogram: '',
    generator: { cpuCores: 1, slipUs: { p50: 1, p99: 2, max: 3 }, queued: 0, workers: 1 }, resources: [], warnings: [],
  };
}

describe('run warnings', () => {
  it('says when repetitions disagree, which one is the outlier, and when errors pass 0.1%', () => {
    const phases = [100, 101, 99, 100, 400].map((p50, i) => phase('baseline', i + 1, p50, i === 0 ? 6 : 0));
    const warnings = runWarnings(phases, []);
    expect(warnings.map((w) => w.code)).toEqual(['high-spread', 'outlier-repetition', 'error-rate']);
    expect(warnings[1]!.message).toBe('baseline at 500 rps: repetition 5 is an outlier (p50 400 µs)');
    expect(warnings[2]!.message).toBe('baseline at 500 rps: 0.12% of requests failed (more than 0.1%)');
  });

  it('is quiet for steady repetitions and names deltas below the noise floor', () => {
    const phases = [100, 101, 99].map((p50, i) => phase('baseline', i + 1, p50));
    const comparison = {
      mode: 'sidecar',
      rate: 500,
      significant: { p50: { significant: false, reason: 'below the noise floor of 20 µs' }, p99: { significant: true, reason: 'interval excludes 0' } },
    } as unknown as Comparison;
    expect(runWarnings(phases, []).map((w) => w.code)).toEqual([]);
    expect(runWarnings(phases, [comparison]).map((w) => w.message)).toEqual([
      'sidecar at 500 rps: the p50 delta is below the noise floor of 20 µs',
    ]);
  });

  it('says once for the run, not per phase, which percentiles lack samples per repetition and how they are reported', () => {
    // 5 rounds of 3 000 samples: p99.9 needs 10 000 per repetition, the pooled 15 000 support it.
    const phases = [1, 2, 3, 4, 5].flatMap((r) => [phase('baseline', r, 100, 0, 3000), phase('sidecar', r, 150, 0, 3000)]);
    const warnings = runWarnings(phases, []).filter((w) => w.code === 'few-samples');
    expect(warnings).toEqual([
      {
        code: 'few-samples',
        message: '3,000 samples per repetition: p99.9 needs 10,000; p99.9 is reported from the pooled repetitions (at least 15,000 samples per mode) but its deltas have no interval',
        hint: 'lengthen load.duration or raise the rate for an interval at every percentile',
      },
    ]);
    // Two repetitions of 3 000: p99.9 is left out altogether.
    expect(runWarnings(phases.filter((p) => p.repetition <= 2), [])[0]!.message).toMatch(/p99.9 left out \(only 6,000 samples pooled\)$/);
    expect(runWarnings([phase('baseline', 1, 100)], [])).toEqual([]);
    const noisy = { ...phases[0]!, warnings: [{ code: 'few-samples', message: 'x' }, { code: 'non-2xx', message: 'y' }] };
    expect(withoutSampleWarning(noisy).warnings.map((w) => w.code)).toEqual(['non-2xx']);
  });

  it('says when the A/A pair itself differed', () => {
    const aa = {
      mode: 'baseline-aa',
      rate: 500,
      significant: { p50: { significant: false, reason: 'interval includes 0' }, p99: { significant: true, reason: 'interval excludes 0' } },
    } as unknown as Comparison;
    const [warning] = runWarnings([phase('baseline', 1, 100)], [aa]);
    expect(warning).toMatchObject({ code: 'aa-differs' });
    expect(warning!.message).toMatch(/^baseline-aa at 500 rps differs from baseline at p99: two identical paths differed/);
  });
});
