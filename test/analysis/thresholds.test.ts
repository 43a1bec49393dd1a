import { describe, expect, it } from 'vitest';
import { compareModes } from '../../src/analysis/comparisons.ts';
import { evaluateThresholds } from '../../src/analysis/thresholds.ts';
import { encodeHistogram, newHistogram } from '../../src/core/histogram.ts';
import type { PhaseRecord } from '../../src/results/schema.ts';
import { loadScenarioText } from '../../src/scenario/load.ts';

function histogram(base: number): string {
  const h = newHistogram();
  for (let i = 0; i < 1000; i++) h.recordValue(base + i);
  return encodeHistogram(h);
}

function phase(mode: string, base: number, counts = { ok: 1000, non2xx: 0, errors: 0, timeouts: 0 }): PhaseRecord {
  const empty = { p50: null, p90: null, p95: null, p99: null, p999: null, max: 0, mean: 0 };
  const resources =
    mode === 'baseline'
      ? []
      : [{ pod: 'p', container: 'c', role: 'sidecar' as const, cpuCores: 0.2, memoryBytes: 40e6, memoryBytesMax: 40e6, memoryKind: 'pss' as const, idleCpuCores: 0, idleMemoryBytes: 0 }];
  return {
    mode, rate: 1000, repetition: 1, loop: 'open', connections: 8, startedAt: '2026-11-22T00:00:00.000Z', durationS: 1,
    achievedRps: 1000, counts, bytesReceived: 0, latencyUs: empty, serviceTimeUs: empty, histogram: histogram(base),
    serviceTimeHistogram: histogram(base), generator: { cpuCores: 1, slipUs: { p50: 1, p99: 2, max: 3 }, queued: 0, workers: 1 },
    resources, warnings: [],
  };
}

const scenario = (thresholds: string) =>
  loadScenarioText(
    `apiVersion: meshtax.dev/v1alpha1\nkind: Scenario\nmetadata: { name: t }\nmodes: [baseline, sidecar]\nthresholds:\n${thresholds}`,
    't.yaml',
  ).scenario;

describe('thresholds', () => {
  const phases = [phase('baseline', 100), phase('sidecar', 350, { ok: 990, non2xx: 5, errors: 3, timeouts: 2 })];
  const comparisons = compareModes(phases);
  // The same latencies without failed requests: a valid measurement.
  const clean = [phase('baseline', 100), phase('sidecar', 350)];

  it('fails a delta above its max and passes one below, with the reason a CI log shows', () => {
    const results = evaluateThresholds(
      scenario('  - { metric: p50-delta, max: 200us }\n  - { metric: p99-delta, max: 1ms }\n'),
      clean,
      compareModes(clean),
    );
    expect(results.map((r) => [r.metric, r.mode, r.value, r.max, r.unit, r.status])).toEqual([
      ['p50-delta', 'sidecar', 250, 200, 'us', 'fail'],
      ['p99-delta', 'sidecar', 250, 1000, 'us', 'pass'],
    ]);
    expect(results[0]!.reason).toBe('p50-delta of sidecar at 1000 rps: +250 µs > 200 µs');
  });

  it('judges absolute latency and error rate on every mode, mesh cost on meshed modes only', () => {
    const results = evaluateThresholds(
      scenario('  - { metric: p50, max: 500us }\n  - { metric: error-rate, max: 0.005 }\n  - { metric: mesh-memory-per-proxy, max: 32MiB }\n'),
      phases,
      comparisons,
    );
    expect(results.map((r) => [r.metric, r.mode, r.value, r.status])).toEqual([
      ['p50', 'baseline', 599, 'fail'],
      ['p50', 'sidecar', 849, 'fail'],
      ['error-rate', 'baseline', 0, 'pass'],
      ['error-rate', 'sidecar', 0.01, 'fail'],
      // 1% of the sidecar's requests failed: its mesh cost is not judged (see below).
      ['mesh-memory-per-proxy', 'sidecar', null, 'invalid'],
    ]);
    expect(results[3]!.reason).toBe('error-rate of sidecar at 1000 rps: 1.000% > 0.500%');
  });

  it('fails the gate when a mode has nothing to compare with, unless the threshold says onNoData: pass', () => {
    const failing = evaluateThresholds(scenario('  - { metric: p99-delta, max: 1ms }\n'), [phase('sidecar', 100)], []);
    expect(failing.map((r) => [r.status, r.value])).toEqual([['fail', null]]);
    expect(failing[0]!.reason).toBe(
      'p99-delta of sidecar at 1000 rps: not measured (no phase, no baseline to compare with, or too few samples); a threshold without data fails unless it says onNoData: pass',
    );
    const passing = evaluateThresholds(scenario('  - { metric: p99-delta, max: 1ms, onNoData: pass }\n'), [phase('sidecar', 100)], []);
    expect(passing.map((r) => r.status)).toEqual(['no-data']);
  });

  it('does not judge the mesh tax on an invalid measurement, and names why', () => {
    const results = evaluateThresholds(
      scenario('  - { metric: p50-delta, max: 1s }\n  - { metric: mesh-cpu-cores, max: 10 }\n  - { metric: p50, max: 1s }\n'),
      phases,
      comparisons,
    );
    expect(results.map((r) => [r.metric, r.mode, r.status, r.value])).toEqual([
      ['p50-delta', 'sidecar', 'invalid', null],
      ['mesh-cpu-cores', 'sidecar', 'invalid', null],
      // Absolute latency and error rate describe what was measured, valid or not.
      ['p50', 'baseline', 'pass', 599],
      ['p50', 'sidecar', 'pass', 849],
    ]);
    expect(results[0]!.reason).toBe(
      'p50-delta of sidecar at 1000 rps: not judged, the measurement is invalid (sidecar rep 1: 10 of 1000 requests failed (1.00%: 3 errors, 2 timeouts, 5 non-2xx; a valid phase has at most 0.1%))',
    );
  });
});
