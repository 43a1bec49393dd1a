import { describe, expect, it } from 'vitest';
import { compareModes } from '../../src/analysis/comparisons.ts';
import { encodeHistogram, newHistogram } from '../../src/core/histogram.ts';
import type { PhaseRecord, ResourceRecord } from '../../src/results/schema.ts';

/** A histogram of `count` values: value i (0-based) is base + i. */
function histogram(base: number, count: number): string {
  const h = newHistogram();
  for (let i = 0; i < count; i++) h.recordValue(base + i);
  return encodeHistogram(h);
}

function resource(role: ResourceRecord['role'], cpuCores: number, memoryBytes: number, container: string = role): ResourceRecord {
  return { pod: 'p', container, role, cpuCores, memoryBytes, memoryBytesMax: memoryBytes, memoryKind: 'pss', idleCpuCores: 0, idleMemoryBytes: 0 };
}

function phase(mode: string, repetition: number, base: number, resources: ResourceRecord[], achievedRps = 1000): PhaseRecord {
  const empty = { p50: null, p90: null, p95: null, p99: null, p999: null, max: 0, mean: 0 };
  return {
    mode,
    rate: 1000,
    repetition,
    loop: 'open',
    connections: 8,
    startedAt: '2026-11-22T00:00:00.000Z',
    durationS: 1,
    achievedRps,
    counts: { ok: 1000, non2xx: 0, errors: 0, timeouts: 0 },
    bytesReceived: 0,
    latencyUs: empty,
    serviceTimeUs: empty,
    histogram: histogram(base, 1000),
    serviceTimeHistogram: histogram(base, 1000),
    generator: { cpuCores: 1, slipUs: { p50: 1, p99: 2, max: 3 }, queued: 0, workers: 1 },
    resources,
    warnings: [],
  };
}

describe('comparing modes against baseline', () => {
  it('pools repetitions, subtracts percentiles and sums the proxy roles exactly', () => {
    const phases = [
      phase('baseline', 1, 100, [resource('app', 0.2, 50e6), resource('loadgen', 1, 80e6)]),
      phase('sidecar', 1, 300, [
        resource('app', 0.25, 50e6),
        resource('loadgen', 1, 80e6),
        resource('sidecar', 0.1, 10e6, 'client-sidecar'),
        resource('sidecar', 0.2, 20e6, 'server-sidecar'),
      ]),
      phase('baseline', 2, 100, [resource('app', 0.2, 50e6), resource('loadgen', 1, 80e6)]),
      phase('sidecar', 2, 300, [
        resource('app', 0.35, 50e6),
        resource('loadgen', 1, 80e6),
        resource('sidecar', 0.3, 10e6, 'client-sidecar'),
        resource('sidecar', 0.2, 20e6, 'server-sidecar'),
      ]),
    ];
    const [comparison, ...rest] = compareModes(phases);
    expect(rest).toEqual([]);
    const { intervals, significant, ...values } = comparison!;
    // Pooled: baseline 2000 values 100…1099 (each twice), sidecar 300…1299: every percentile moves by 200 µs.
    expect(values).toEqual({
      mode: 'sidecar',
      baseline: 'baseline',
      rate: 1000,
      repetitions: 2,
      latencyDeltaUs: { p50: 200, p90: 200, p95: 200, p99: 200, p999: null },
      meshCpuCores: 0.4,
      meshMemoryBytes: 30e6,
      meshCpuPer1kRps: 0.4,
      meshMemoryPerProxyBytes: 15e6,
      proxies: 2,
      appCpuDeltaCores: 0.1,
      loadgenCpuDeltaCores: 0,
      noiseFloorUs: null,
      validity: { valid: true, reasons: [] },
    });
    // Two rounds of mesh CPU, 0.1 + 0.2 and 0.3 + 0.2 = 0.5 cores: mean 0.4, sd 0.1414, standard error 0.1, and with
    // one degree of freedom t(0.975, 1) = 12.7062: 0.4 ± 1.27062, which includes 0. Two rounds that differ by a
    // quarter cannot show more. The synthetic phases carry no per-repetition percentiles, so latency has no interval.
    expect(intervals.reliability).toBe('low');
    expect(intervals.confidence).toBe(0.95);
    expect(intervals.meshCpuCores!.low).toBeCloseTo(0.4 - 1.2706205, 6);
    expect(intervals.meshCpuCores!.high).toBeCloseTo(0.4 + 1.2706205, 6);
    expect(intervals.meshMemoryBytes).toEqual({ low: 30e6, high: 30e6 });
    expect(intervals.latencyDeltaUs).toEqual({ p50: null, p90: null, p95: null, p99: null, p999: null });
    expect(intervals.method).toMatch(/^Student t interval \(95%\) of the mean per-round difference, mode minus the baseline of the same round, over 2 rounds/);
    expect(significant.meshCpuCores).toEqual({ significant: false, reason: 'interval includes 0' });
    expect(significant.meshMemoryBytes).toEqual({ significant: true, reason: 'interval excludes 0' });
    // The reason a percentile has no interval is the real one: each repetition holds 1 000 samples, 2 000 pooled.
    expect(significant.p999).toEqual({
      significant: null,
      reason: '1,000 samples per repetition and 2,000 pooled, p99.9 needs 10,000: no estimate, no interval',
    });
    expect(significant.p99.significant).toBeNull();
  });

  it('bounds latency deltas from the repetitions\' percentiles', () => {
    const withPercentile = (mode: string, repetition: number, p50: number): PhaseRecord => {
      const record = phase(mode, repetition, 100, []);
      return { ...record, latencyUs: { ...record.latencyUs, p50 } };
    };
    const phases = [
      withPercentile('baseline', 1, 100),
      withPercentile('sidecar', 1, 300),
      withPercentile('baseline', 2, 100),
      withPercentile('sidecar', 2, 300),
      withPercentile('baseline', 3, 100),
      withPercentile('sidecar', 3, 300),
    ];
    const [comparison] = compareModes(phases);
    expect(comparison!.intervals.latencyDeltaUs.p50).toEqual({ low: 200, high: 200 });
    expect(comparison!.significant.p50).toEqual({ significant: true, reason: 'interval excludes 0' });
  });

  it('normalises CPU by the achieved rate and compares only at equal rates', () => {
    const phases = [
      phase('baseline', 1, 100, []),
      phase('node-proxy', 1, 150, [resource('node-proxy', 0.05, 4e6, 'a'), resource('node-proxy', 0.05, 4e6, 'b')], 500),
      { ...phase('node-proxy', 1, 150, []), rate: 2000 },
    ];
    const comparisons = compareModes(phases);
    expect(comparisons).toHaveLength(1);
    expect(comparisons[0]!.meshCpuPer1kRps).toBe(0.2);
    expect(comparisons[0]!.latencyDeltaUs.p50).toBe(50);
  });

  it('judges the A/A pair by its own interval, and applies its floor only where it differed', () => {
    const at = (mode: string, repetition: number, p50: number, p90 = p50): PhaseRecord => {
      const record = phase(mode, repetition, p50, []);
      return { ...record, latencyUs: { ...record.latencyUs, p50, p90 } };
    };
    // At p50 baseline-aa sits 0, 10 and 20 µs from baseline: noise, its interval includes 0. At p90 it sits 10, 11 and
    // 12 µs above in every round: the two identical paths differ (a systematic offset the rounds do not explain).
    // sidecar is +200 µs, tiny +12 µs in every round.
    const phases = [1, 2, 3].flatMap((r) => [
      at('baseline', r, 100),
      at('baseline-aa', r, [100, 110, 120][r - 1]!, [110, 111, 112][r - 1]!),
      at('sidecar', r, 300),
      at('tiny', r, 112),
    ]);
    const byMode = new Map(compareModes(phases).map((c) => [c.mode, c]));
    const aa = byMode.get('baseline-aa')!;
    // A/A at p50: mean 10, sd 10, t(0.975, 2) = 4.302653: 10 ± 24.8414 → floor 34.84 µs, recorded for every mode.
    expect(aa.noiseFloorUs!.p50).toBeCloseTo(34.8414, 3);
    expect(byMode.get('tiny')!.noiseFloorUs!.p50).toBe(aa.noiseFloorUs!.p50);
    // The A/A pair is judged like any mode — never by a floor made from itself.
    expect(aa.significant.p50).toEqual({ significant: false, reason: 'interval includes 0' });
    expect(aa.significant.p90).toEqual({ significant: true, reason: 'interval excludes 0' });
    // Where the A/A pair showed nothing, a mode's own interval decides: +12 µs in every round is a real difference.
    expect(byMode.get('tiny')!.significant.p50).toEqual({ significant: true, reason: 'interval excludes 0' });
    // Where it differed, the floor (11 + 4.302653 × 1 / √3 = 13.48 µs) applies: 12 µs is inside it, 200 µs is not.
    expect(byMode.get('tiny')!.significant.p90).toEqual({
      significant: false,
      reason: 'below the noise floor of 13.484 µs (the A/A pair differed at p90, so the floor applies)',
    });
    expect(byMode.get('sidecar')!.significant.p90).toEqual({ significant: true, reason: 'interval excludes 0 and exceeds the noise floor of 13.484 µs' });
  });

  it('gives no comparison without a baseline phase', () => {
    expect(compareModes([phase('sidecar', 1, 100, [])])).toEqual([]);
  });
});

describe('shared components (ztunnel, control planes)', () => {
  it('charge only their increase over their idle level; unshared rows and shared rows without an idle level, all of it', () => {
    const ztunnel = (cpu: number, idleCpu: number | null, memory: number, idleMemory: number | null): ResourceRecord => ({
      ...resource('node-proxy', cpu, memory, 'istio-proxy'),
      idleCpuCores: idleCpu,
      idleMemoryBytes: idleMemory,
      shared: true,
    });
    const waypoint = { ...resource('waypoint', 0.25, 60e6), idleCpuCores: 0.01, idleMemoryBytes: 55e6 };
    const phases = [
      phase('baseline', 1, 100, [resource('app', 0.2, 50e6)]),
      // ztunnel already used 0.5 cores and 400 MB for the rest of the cluster: the load added 0.06 cores and 12 MB.
      phase('istio-waypoint', 1, 300, [resource('app', 0.2, 50e6), ztunnel(0.56, 0.5, 412e6, 400e6), waypoint]),
      phase('baseline', 2, 100, [resource('app', 0.2, 50e6)]),
      // No idle level (kubernetes.idleWindow: 0): all of it, as nothing says how much is the mode's.
      phase('istio-waypoint', 2, 300, [resource('app', 0.2, 50e6), ztunnel(0.56, null, 412e6, null), waypoint]),
    ];
    const [comparison] = compareModes(phases);
    expect(comparison!.meshCpuCores).toBe(0.56); // ((0.06 + 0.25) + (0.56 + 0.25)) / 2
    expect(comparison!.meshMemoryBytes).toBe(272e6); // ((12e6 + 60e6) + (412e6 + 60e6)) / 2
  });
});

describe('the control plane', () => {
  it('is charged its increase over idle, apart from the data plane\'s mesh CPU and memory', () => {
    const istiod = (cpu: number, memory: number): ResourceRecord => ({
      ...resource('control-plane', cpu, memory, 'discovery'),
      idleCpuCores: 0.1,
      idleMemoryBytes: 100e6,
      shared: true,
    });
    const sidecar = resource('sidecar', 0.2, 20e6);
    const phases = [
      phase('baseline', 1, 100, [resource('app', 0.2, 50e6)]),
      // istiod idled at 0.1 cores and 100 MB; with the mode's load it used 0.15 and 0.17 cores, 104 and 106 MB.
      phase('istio-sidecar', 1, 300, [sidecar, istiod(0.15, 104e6)]),
      phase('baseline', 2, 100, [resource('app', 0.2, 50e6)]),
      phase('istio-sidecar', 2, 300, [sidecar, istiod(0.17, 106e6)]),
    ];
    const [comparison] = compareModes(phases);
    expect(comparison!.controlPlaneCpuCores).toBe(0.06);
    expect(comparison!.controlPlaneMemoryBytes).toBe(5e6);
    expect(comparison!.meshCpuCores).toBe(0.2);
    expect(comparison!.meshMemoryBytes).toBe(20e6);
  });

  it('is absent where no control plane was measured', () => {
    const [comparison] = compareModes([phase('baseline', 1, 100, []), phase('sidecar', 1, 300, [resource('sidecar', 0.2, 20e6)])]);
    expect(comparison).not.toHaveProperty('controlPlaneCpuCores');
    expect(comparison).not.toHaveProperty('controlPlaneMemoryBytes');
  });
});
