import { describe, expect, it } from 'vitest';
import { compareModes } from '../../src/analysis/comparisons.ts';
import { encodeHistogram, newHistogram } from '../../src/loadgen/histogram.ts';
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
    const [comparison, ...rest] = compareModes(phases, 1);
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
    });
    // Two repetitions of mesh CPU, 0.1 + 0.2 (0.30000000000000004 in floating point) and 0.3 + 0.2 = 0.5 cores: every resampled mean is 0.3, 0.4 or 0.5, each bound lands
    // between equal neighbours, so the 95% interval is exactly [0.1 + 0.2, 0.5]. The synthetic phases carry no
    // per-repetition percentiles (too few samples), so latency has no interval.
    expect(intervals.reliability).toBe('low');
    expect(intervals.confidence).toBe(0.95);
    expect(intervals.meshCpuCores).toEqual({ low: 0.1 + 0.2, high: 0.5 });
    expect(intervals.meshMemoryBytes).toEqual({ low: 30e6, high: 30e6 });
    expect(intervals.latencyDeltaUs).toEqual({ p50: null, p90: null, p95: null, p99: null, p999: null });
    expect(significant.meshCpuCores).toEqual({ significant: true, reason: 'interval excludes 0' });
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
    const [comparison] = compareModes(phases, 7);
    expect(comparison!.intervals.latencyDeltaUs.p50).toEqual({ low: 200, high: 200 });
    expect(comparison!.significant.p50).toEqual({ significant: true, reason: 'interval excludes 0' });
  });

  it('normalises CPU by the achieved rate and compares only at equal rates', () => {
    const phases = [
      phase('baseline', 1, 100, []),
      phase('node-proxy', 1, 150, [resource('node-proxy', 0.05, 4e6, 'a'), resource('node-proxy', 0.05, 4e6, 'b')], 500),
      { ...phase('node-proxy', 1, 150, []), rate: 2000 },
    ];
    const comparisons = compareModes(phases, 1);
    expect(comparisons).toHaveLength(1);
    expect(comparisons[0]!.meshCpuPer1kRps).toBe(0.2);
    expect(comparisons[0]!.latencyDeltaUs.p50).toBe(50);
  });

  it('judges deltas against the A/A noise floor when a second baseline ran', () => {
    const at = (mode: string, repetition: number, p50: number): PhaseRecord => {
      const record = phase(mode, repetition, p50, []);
      return { ...record, latencyUs: { ...record.latencyUs, p50 } };
    };
    // baseline-aa sits 0..20 µs from baseline; sidecar +200 µs; tiny +12 µs in every repetition.
    const phases = [1, 2, 3].flatMap((r) => [
      at('baseline', r, 100),
      at('baseline-aa', r, [100, 110, 120][r - 1]!),
      at('sidecar', r, 300),
      at('tiny', r, 112),
    ]);
    const comparisons = compareModes(phases, 3);
    const byMode = new Map(comparisons.map((c) => [c.mode, c]));
    const aa = byMode.get('baseline-aa')!;
    // The A/A interval of the per-repetition p50 deltas [0, 10, 20] (means of resamples) spans 0..20 µs: floor 20.
    expect(aa.noiseFloorUs!.p50).toBe(20);
    expect(aa.significant.p50.significant).toBe(false);
    expect(byMode.get('sidecar')!.significant.p50).toEqual({ significant: true, reason: 'interval excludes 0 and exceeds the noise floor of 20 µs' });
    // tiny's own interval excludes 0 (every repetition is +12), but 12 µs is inside the floor.
    expect(byMode.get('tiny')!.intervals.latencyDeltaUs.p50).toEqual({ low: 12, high: 12 });
    expect(byMode.get('tiny')!.significant.p50).toEqual({ significant: false, reason: 'below the noise floor of 20 µs' });
  });

  it('gives no comparison without a baseline phase', () => {
    expect(compareModes([phase('sidecar', 1, 100, [])], 1)).toEqual([]);
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
    const [comparison] = compareModes(phases, 1);
    expect(comparison!.meshCpuCores).toBe(0.56); // ((0.06 + 0.25) + (0.56 + 0.25)) / 2
    expect(comparison!.meshMemoryBytes).toBe(272e6); // ((12e6 + 60e6) + (412e6 + 60e6)) / 2
  });
});
