import { encodeHistogram, newHistogram, recordUs } from '../../../src/core/histogram.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import type { Comparison, PhaseRecord, ResourceRecord, RunDocument } from '../../../src/results/schema.ts';
import { fixtureRun } from '../fixture.ts';

export const INJECTED = '<script>alert("pwned")</script>';

/** Deterministic pseudo-random numbers in [0, 1), so every run of the test builds the same page. */
const random = mulberry32;

/** `count` latencies around `medianUs` with a heavy tail (log-normal, spread `sigma`), as a real encoded histogram. */
function histogram(seed: number, count: number, medianUs: number, sigma: number): string {
  const next = random(seed);
  const h = newHistogram();
  for (let i = 0; i < count; i++) {
    const gauss = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    recordUs(h, medianUs * Math.exp(sigma * gauss));
  }
  return encodeHistogram(h);
}

function resource(role: ResourceRecord['role'], cpuCores: number, memoryBytes: number, container: string = role): ResourceRecord {
  return { pod: `${role}-pod`, container, role, cpuCores, memoryBytes, memoryBytesMax: memoryBytes * 1.1, memoryKind: 'pss', idleCpuCores: 0.001, idleMemoryBytes: memoryBytes * 0.9 };
}

const MODES = {
  baseline: { medianUs: 300, sigma: 0.35, mesh: [] as ResourceRecord[] },
  sidecar: {
    medianUs: 520,
    sigma: 0.45,
    mesh: [resource('sidecar', 0.12, 48 * 2 ** 20, 'client-proxy'), resource('sidecar', 0.14, 52 * 2 ** 20, 'server-proxy')],
  },
  'node-proxy': { medianUs: 410, sigma: 0.4, mesh: [resource('node-proxy', 0.09, 70 * 2 ** 20)] },
};

function phase(mode: keyof typeof MODES, rate: number, repetition: number, seed: number): PhaseRecord {
  const { medianUs, sigma, mesh } = MODES[mode];
  const empty = { p50: null, p90: null, p95: null, p99: null, p999: null, max: 0, mean: 0 };
  const load = rate / 1000;
  return {
    mode,
    rate,
    repetition,
    loop: 'open',
    connections: 16,
    startedAt: '2026-11-22T10:00:00.000Z',
    durationS: 20,
    achievedRps: rate,
    counts: { ok: rate * 20, non2xx: 0, errors: 0, timeouts: 0 },
    bytesReceived: rate * 20 * 200,
    latencyUs: empty,
    serviceTimeUs: empty,
    histogram: histogram(seed, 20_000, medianUs * (1 + load * 0.2), sigma),
    serviceTimeHistogram: histogram(seed + 1, 2_000, medianUs, sigma),
    generator: { cpuCores: 0.3, slipUs: { p50: 10, p99: 80, max: 300 }, queued: 0, workers: 2 },
    resources: [
      resource('app', 0.2 * load + 0.01 * repetition, 40 * 2 ** 20, 'client'),
      resource('app', 0.25 * load, 45 * 2 ** 20, 'server'),
      resource('loadgen', 0.3 * load, 90 * 2 ** 20),
      ...mesh.map((row) => ({ ...row, cpuCores: row.cpuCores * load * (repetition === 1 ? 0.95 : 1.05) })),
    ],
    warnings:
      mode === 'sidecar' && repetition === 2 && rate === 1000
        ? [{ code: 'generator-behind', message: `generator fell behind ${INJECTED}`, hint: 'use more workers & check <cpu>' }]
        : [],
  };
}

function comparison(mode: 'sidecar' | 'node-proxy', rate: number): Comparison {
  const scale = mode === 'sidecar' ? 1 : 0.5;
  const interval = (value: number) => ({ low: value * 0.8, high: value * 1.25 });
  const d = { p50: 220 * scale, p90: 300 * scale, p95: 340 * scale, p99: 520 * scale, p999: 900 * scale };
  const sig = { significant: true, reason: 'interval excludes 0' };
  return {
    mode,
    baseline: 'baseline',
    rate,
    repetitions: 2,
    latencyDeltaUs: d,
    meshCpuCores: 0.26 * scale,
    meshMemoryBytes: 100 * 2 ** 20 * scale,
    meshCpuPer1kRps: 0.26 * scale,
    meshMemoryPerProxyBytes: 50 * 2 ** 20,
    proxies: mode === 'sidecar' ? 2 : 1,
    appCpuDeltaCores: 0.01,
    loadgenCpuDeltaCores: 0,
    intervals: {
      method: 'Student t interval (95%) of the mean per-round difference, mode minus the baseline of the same round, over 2 rounds; mesh CPU and memory against no mesh',
      confidence: 0.95,
      reliability: 'low',
      latencyDeltaUs: { p50: interval(d.p50), p90: interval(d.p90), p95: interval(d.p95), p99: interval(d.p99), p999: null },
      meshCpuCores: interval(0.26 * scale),
      meshMemoryBytes: null,
    },
    noiseFloorUs: null,
    significant: {
      p50: sig,
      p90: sig,
      p95: sig,
      p99: { significant: false, reason: 'interval includes 0' },
      p999: { significant: null, reason: '2,500 samples per repetition, p99.9 needs 10,000: no interval (its estimate pools the repetitions)' },
      meshCpuCores: sig,
      meshMemoryBytes: { significant: null, reason: '1 round paired with baseline: no interval (needs 2)' },
    },
  };
}

/** A finished run: baseline, sidecar and node-proxy at 500 and 1000 rps, two repetitions each. */
export function syntheticRun(): RunDocument {
  const phases: PhaseRecord[] = [];
  let seed = 1;
  for (const rate of [500, 1000]) {
    for (const repetition of [1, 2]) {
      for (const mode of ['baseline', 'sidecar', 'node-proxy'] as const) phases.push(phase(mode, rate, repetition, (seed += 7)));
    }
  }
  return {
    schemaVersion: 1,
    runId: '20261122-100000-abc1',
    startedAt: '2026-11-22T10:00:00.000Z',
    finishedAt: '2026-11-22T10:05:00.000Z',
    status: 'completed',
    tool: fixtureRun.tool,
    // The machine does not matter to the page: the reports' shared fixture's.
    environment: structuredClone(fixtureRun.environment),
    scenario: { metadata: { name: 'sidecar vs ambient <demo>' } },
    scenarioSource: 'scenarios/demo.yaml',
    warnings: [{ code: 'few-repetitions', message: 'only 2 repetitions: intervals are wide', hint: 'use repetitions: 5' }],
    phases,
    failures: [{ mode: 'sidecar', rate: 1000, repetition: 3, error: `proxy crashed </script><script>alert(1)</script>` }],
    comparisons: [comparison('sidecar', 500), comparison('node-proxy', 500), comparison('sidecar', 1000), comparison('node-proxy', 1000)],
    thresholds: [],
  };
}
