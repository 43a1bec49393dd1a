import { decodeHistogram, encodeHistogram, newHistogram, recordUs, summarize } from '../../src/core/histogram.ts';
import type { Comparison, PhaseRecord, ResourceRecord, RunDocument } from '../../src/results/schema.ts';
import { localDescription } from '../helpers/runtime-descriptions.ts';

/**
 * A fixed synthetic run: baseline, sidecar and ambient at 1000 rps, two repetitions each; histograms built from
 * exact sample counts (values below 2048 µs are exact in an HdrHistogram with 3 significant digits).
 */

type Samples = readonly (readonly [us: number, count: number])[];

function histogram(samples: Samples): { encoded: string; summary: PhaseRecord['latencyUs'] } {
  const h = newHistogram();
  for (const [us, count] of samples) for (let i = 0; i < count; i++) recordUs(h, us);
  const encoded = encodeHistogram(h);
  return { encoded, summary: summarize(decodeHistogram(encoded)) };
}

function resource(pod: string, container: string, role: ResourceRecord['role'], cpuCores: number, memoryBytes: number): ResourceRecord {
  return { pod, container, role, cpuCores, memoryBytes, memoryBytesMax: memoryBytes + 1024, memoryKind: 'pss', idleCpuCores: null, idleMemoryBytes: null };
}

function phase(
  mode: string,
  repetition: number,
  startedAt: string,
  samples: Samples,
  resources: ResourceRecord[],
  warnings: PhaseRecord['warnings'] = [],
): PhaseRecord {
  const latency = histogram(samples);
  const service = histogram(samples.map(([us, count]) => [us - 50, count] as const));
  return {
    mode,
    rate: 1000,
    repetition,
    loop: 'open',
    connections: 16,
    startedAt,
    durationS: 10,
    achievedRps: repetition === 1 ? 999.5 : 1000.1,
    counts: { ok: 9998, non2xx: 1, errors: 1, timeouts: 0 },
    bytesReceived: 1_234_567,
    latencyUs: latency.summary,
    serviceTimeUs: service.summary,
    histogram: latency.encoded,
    serviceTimeHistogram: service.encoded,
    generator: { cpuCores: 0.25, slipUs: { p50: 12, p99: 85, max: 410 }, queued: 0, workers: 2 },
    resources,
    warnings,
  };
}

const MIB = 1024 * 1024;
const app = (cpu: number) => resource('echo', 'app', 'app', cpu, 40 * MIB);
const behind = {
  code: 'generator-behind',
  message: 'the generator fell behind: p99 slip 85 µs',
  hint: 'use more workers, or a lower rate',
};

const phases: PhaseRecord[] = [
  phase('baseline', 1, '2025-03-01T10:00:00.000Z', [[400, 900], [800, 90], [1500, 10]], [app(0.1)]),
  phase('baseline', 2, '2025-03-01T10:01:00.000Z', [[420, 900], [820, 90], [1600, 10]], [app(0.2)]),
  phase(
    'sidecar',
    1,
    '2025-03-01T10:02:00.000Z',
    [[560, 900], [1200, 90], [1900, 10]],
    [app(0.12), resource('client', 'proxy', 'sidecar', 0.09, 9 * MIB), resource('echo', 'proxy', 'sidecar', 0.1, 8.5 * MIB)],
    [behind],
  ),
  phase(
    'sidecar',
    2,
    '2025-03-01T10:03:00.000Z',
    [[580, 900], [1300, 90], [2000, 10]],
    [app(0.12), resource('client', 'proxy', 'sidecar', 0.08, 9.5 * MIB), resource('echo', 'proxy', 'sidecar', 0.1, 8.8 * MIB)],
    [behind, { code: 'few-samples', message: 'p99.9 needs 10 000 samples; this phase has 10 000' }],
  ),
  phase(
    'ambient',
    1,
    '2025-03-01T10:04:00.000Z',
    [[450, 900], [900, 90], [1700, 10]],
    [app(0.11), resource('node', 'ztunnel', 'node-proxy', 0.05, 12 * MIB), resource('waypoint', 'proxy', 'waypoint', 0.04, 20 * MIB)],
  ),
  phase(
    'ambient',
    2,
    '2025-03-01T10:05:00.000Z',
    [[440, 900], [910, 90], [1800, 10]],
    [app(0.11), resource('node', 'ztunnel', 'node-proxy', 0.06, 12 * MIB), resource('waypoint', 'proxy', 'waypoint', 0.04, 21 * MIB)],
    [behind],
  ),
];

const P999_TOO_FEW = '1,000 samples per repetition and 2,000 pooled, p99.9 needs 10,000: no estimate, no interval';

/** Each mark as the comparisons make it: whether its interval excludes 0 (p99.9 has none at these counts). */
function marks(excludesZero: { p50: boolean; p90: boolean; p95: boolean; p99: boolean }): Comparison['significant'] {
  const mark = (value: boolean) => ({ significant: value, reason: value ? 'interval excludes 0' : 'interval includes 0' });
  return {
    p50: mark(excludesZero.p50),
    p90: mark(excludesZero.p90),
    p95: mark(excludesZero.p95),
    p99: mark(excludesZero.p99),
    p999: { significant: null, reason: P999_TOO_FEW },
    meshCpuCores: mark(true),
    meshMemoryBytes: mark(true),
  };
}

const comparisons: Comparison[] = [
  {
    mode: 'sidecar',
    baseline: 'baseline',
    rate: 1000,
    repetitions: 2,
    latencyDeltaUs: { p50: 167, p90: 480, p95: 480, p99: 4200, p999: null },
    meshCpuCores: 0.185,
    meshMemoryBytes: 17.9 * MIB,
    meshCpuPer1kRps: 0.185,
    meshMemoryPerProxyBytes: 8.95 * MIB,
    proxies: 2,
    appCpuDeltaCores: -0.03,
    loadgenCpuDeltaCores: 0.01,
    intervals: {
      method: 'Student t interval (95%) of the mean per-round difference, mode minus the baseline of the same round, over 2 rounds; mesh CPU and memory against no mesh',
      confidence: 0.95,
      reliability: 'low',
      latencyDeltaUs: { p50: { low: 120, high: 210 }, p90: { low: 400, high: 560 }, p95: { low: 400, high: 560 }, p99: { low: 3900, high: 4600 }, p999: null },
      meshCpuCores: { low: 0.18, high: 0.19 },
      meshMemoryBytes: { low: 17.5 * MIB, high: 18.3 * MIB },
    },
    noiseFloorUs: null,
    significant: marks({ p50: true, p90: true, p95: true, p99: true }),
  },
  {
    mode: 'ambient',
    baseline: 'baseline',
    rate: 1000,
    repetitions: 2,
    latencyDeltaUs: { p50: 30, p90: 95, p95: 95, p99: -200, p999: null },
    meshCpuCores: 0.095,
    meshMemoryBytes: 32.5 * MIB,
    meshCpuPer1kRps: 0.095,
    meshMemoryPerProxyBytes: 16.25 * MIB,
    proxies: 2,
    appCpuDeltaCores: -0.04,
    loadgenCpuDeltaCores: 0,
    intervals: {
      method: 'Student t interval (95%) of the mean per-round difference, mode minus the baseline of the same round, over 2 rounds; mesh CPU and memory against no mesh',
      confidence: 0.95,
      reliability: 'low',
      latencyDeltaUs: { p50: { low: -10, high: 60 }, p90: { low: 80, high: 110 }, p95: { low: 80, high: 110 }, p99: { low: -900, high: 500 }, p999: null },
      meshCpuCores: { low: 0.09, high: 0.1 },
      meshMemoryBytes: { low: 32 * MIB, high: 33 * MIB },
    },
    noiseFloorUs: null,
    significant: marks({ p50: false, p90: true, p95: true, p99: false }),
  },
];

export const fixtureRun: RunDocument = {
  schemaVersion: 1,
  runId: '20250301-100000-ab12',
  startedAt: '2025-03-01T09:59:30.000Z',
  finishedAt: '2025-03-01T10:06:10.000Z',
  status: 'completed',
  tool: { name: 'meshtax', version: '0.1.0' },
  environment: {
    node: 'v24.1.0',
    os: { platform: 'linux', release: '6.8.0', arch: 'x64' },
    cpus: { count: 8, model: 'Test CPU @ 3.00GHz' },
    memoryBytes: 16 * 1024 * MIB,
    loadAverage: [0.5, 0.4, 0.3],
    runtime: localDescription(),
  },
  scenario: { apiVersion: 'meshtax.dev/v1alpha1', kind: 'Scenario', metadata: { name: 'quickstart' } },
  scenarioSource: 'scenarios/quickstart.yaml',
  warnings: [{ code: 'cpu-frequency', message: 'CPU frequency scaling is on', hint: 'set the governor to performance' }],
  phases,
  failures: [{ mode: 'ambient', rate: 1000, repetition: 3, error: 'proxy exited: status 1 <&> "bad config"\u0001' }],
  comparisons,
  thresholds: [
    {
      metric: 'p99-delta',
      max: 5000,
      unit: 'us',
      mode: 'sidecar',
      rate: 1000,
      value: 4200,
      interval: { low: 3900, high: 4600 },
      status: 'pass',
      reason: 'p99 delta +4.20 ms is within 5.00 ms',
    },
    {
      metric: 'mesh-cpu-per-1k-rps',
      max: 0.15,
      unit: 'cores',
      mode: 'sidecar',
      rate: 1000,
      value: 0.185,
      interval: { low: 0.18, high: 0.19 },
      status: 'fail',
      reason: 'mesh CPU 0.185 > 0.15 cores per 1k rps <&>"\'',
    },
    {
      metric: 'p999-delta',
      max: 10000,
      unit: 'us',
      mode: 'ambient',
      rate: 1000,
      value: null,
      interval: null,
      status: 'no-data',
      reason: 'p99.9 needs 10 000 samples per side',
    },
  ],
};
