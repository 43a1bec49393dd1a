import { describe, expect, it } from 'vitest';
import { runWarnings } from '../../src/analysis/run-warnings.ts';
import type { Comparison, PhaseRecord } from '../../src/results/schema.ts';

function phase(mode: string, repetition: number, p50: number, errors = 0): PhaseRecord {
  const latencyUs = { p50, p90: null, p95: null, p99: null, p999: null, max: p50, mean: p50 };
  return {
    mode, rate: 500, repetition, loop: 'open', connections: 8, startedAt: '2026-11-22T00:00:00.000Z', durationS: 1,
    achievedRps: 500, counts: { ok: 1000 - errors, non2xx: 0, errors, timeouts: 0 }, bytesReceived: 0, latencyUs,
    serviceTimeUs: latencyUs, histogram: '', serviceTimeHistogram: '',
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
});
