import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeHistogram, newHistogram, recordUs, summarize, decodeHistogram } from '../../src/core/histogram.ts';
import type { Comparison, PhaseRecord, ResourceRecord, RunDocument } from '../../src/results/schema.ts';
import { runSchema } from '../../src/results/schema.ts';
import { fixtureRun } from '../report/fixture.ts';

/**
 * Synthetic run.json files for estimate tests: phases whose mesh resources carry exact idle and under-load figures,
 * and comparisons with chosen intervals, so a test can work the fleet arithmetic out by hand. Every document is
 * checked against the run.json schema before it is written.
 */

export const MIB = 1024 * 1024;

export type Proxy = { role: ResourceRecord['role']; cpu: number; idleCpu: number | null; memory: number; idleMemory: number | null; shared?: boolean };

export type ModeSpec = {
  mode: string;
  rate?: number;
  achievedRps?: number;
  proxies: Proxy[];
  cpuInterval: { low: number; high: number } | null;
  memoryInterval: { low: number; high: number } | null;
  /** Marks the comparison (and its phases) invalid, as a run below its rate is. */
  invalid?: boolean;
  repetitions?: number;
};

const histogram = (() => {
  const h = newHistogram();
  for (let i = 0; i < 100; i++) recordUs(h, 200 + i);
  const encoded = encodeHistogram(h);
  return { encoded, summary: summarize(decodeHistogram(encoded)) };
})();

function resource(index: number, proxy: Proxy): ResourceRecord {
  return {
    pod: `pod-${index}`,
    container: proxy.role,
    role: proxy.role,
    cpuCores: proxy.cpu,
    memoryBytes: proxy.memory,
    memoryBytesMax: proxy.memory,
    memoryKind: 'pss',
    idleCpuCores: proxy.idleCpu,
    idleMemoryBytes: proxy.idleMemory,
    ...(proxy.shared ? { shared: true } : {}),
  };
}

function phase(mode: string, rate: number, repetition: number, achievedRps: number, resources: ResourceRecord[], invalid: boolean): PhaseRecord {
  return {
    mode,
    rate,
    repetition,
    loop: 'open',
    connections: 8,
    startedAt: '2026-11-30T10:00:00.000Z',
    durationS: 10,
    achievedRps,
    counts: { ok: Math.round(achievedRps * 10), non2xx: 0, errors: 0, timeouts: 0 },
    bytesReceived: 1000,
    latencyUs: histogram.summary,
    serviceTimeUs: histogram.summary,
    histogram: histogram.encoded,
    serviceTimeHistogram: histogram.encoded,
    generator: { cpuCores: 0.1, slipUs: { p50: 10, p99: 50, max: 100 }, queued: 0, workers: 1 },
    resources: [{ ...resource(0, { role: 'app', cpu: 0.1, idleCpu: 0, memory: 20 * MIB, idleMemory: 20 * MIB }), pod: 'server', container: 'echo' }, ...resources],
    warnings: [],
    validity: invalid
      ? { valid: false, reasons: [{ code: 'below-rate', message: `achieved ${achievedRps} of ${rate} rps requested` }] }
      : { valid: true, reasons: [] },
  };
}

const judged = { significant: true, reason: 'interval excludes 0' };

function comparison(spec: ModeSpec, rate: number, achieved: number): Comparison {
  // As the comparison charges them: a shared component only its increase over idle.
  const cpu = spec.proxies.reduce((t, p) => t + p.cpu - (p.shared ? (p.idleCpu ?? 0) : 0), 0);
  const memory = spec.proxies.reduce((t, p) => t + p.memory - (p.shared ? (p.idleMemory ?? 0) : 0), 0);
  const repetitions = spec.repetitions ?? 2;
  return {
    mode: spec.mode,
    baseline: 'baseline',
    rate,
    repetitions,
    latencyDeltaUs: { p50: 150, p90: 200, p95: 220, p99: 400, p999: null },
    meshCpuCores: cpu,
    meshMemoryBytes: memory,
    meshCpuPer1kRps: cpu / (achieved / 1000),
    meshMemoryPerProxyBytes: Math.round(memory / spec.proxies.length),
    proxies: spec.proxies.length,
    appCpuDeltaCores: 0,
    loadgenCpuDeltaCores: 0,
    intervals: {
      method: 'synthetic',
      confidence: 0.95,
      reliability: repetitions < 2 ? 'none' : repetitions < 5 ? 'low' : 'ok',
      latencyDeltaUs: { p50: { low: 100, high: 200 }, p90: null, p95: null, p99: { low: 300, high: 500 }, p999: null },
      meshCpuCores: spec.cpuInterval,
      meshMemoryBytes: spec.memoryInterval,
    },
    significant: { p50: judged, p90: judged, p95: judged, p99: judged, p999: judged, meshCpuCores: judged, meshMemoryBytes: judged },
    noiseFloorUs: null,
    validity: spec.invalid
      ? { valid: false, reasons: [{ code: 'below-rate', message: `${spec.mode} rep 1: achieved ${achieved} of ${rate} rps requested` }] }
      : { valid: true, reasons: [] },
  };
}

export function syntheticRun(specs: readonly ModeSpec[], options: { runId?: string; startedAt?: string } = {}): RunDocument {
  const phases: PhaseRecord[] = [];
  const comparisons: Comparison[] = [];
  const rates = [...new Set(specs.map((spec) => spec.rate ?? 1000))];
  for (const rate of rates) for (let rep = 1; rep <= 2; rep++) phases.push(phase('baseline', rate, rep, rate, [], false));
  for (const spec of specs) {
    const rate = spec.rate ?? 1000;
    const achieved = spec.achievedRps ?? rate;
    for (let rep = 1; rep <= (spec.repetitions ?? 2); rep++) {
      phases.push(phase(spec.mode, rate, rep, achieved, spec.proxies.map((proxy, i) => resource(i + 1, proxy)), spec.invalid ?? false));
    }
    comparisons.push(comparison(spec, rate, achieved));
  }
  // The environment and scenario of the report tests' run; phases and comparisons are this file's.
  return runSchema.parse({
    ...fixtureRun,
    runId: options.runId ?? '20261130-100000-abcd',
    startedAt: options.startedAt ?? '2026-11-30T10:00:00.000Z',
    warnings: [],
    failures: [],
    phases,
    comparisons,
    thresholds: [],
  });
}

export function writeRun(dir: string, name: string, run: RunDocument): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(run));
  return file;
}

/** 0.2 cores and 50 MiB per sidecar at idle, 0.25 cores and 60 MiB under 1000 rps (two sidecars on the path). */
export const SIDECAR: ModeSpec = {
  mode: 'sidecar',
  proxies: [
    { role: 'sidecar', cpu: 0.25, idleCpu: 0.2, memory: 60 * MIB, idleMemory: 50 * MIB },
    { role: 'sidecar', cpu: 0.25, idleCpu: 0.2, memory: 60 * MIB, idleMemory: 50 * MIB },
  ],
  cpuInterval: { low: 0.46, high: 0.54 },
  memoryInterval: { low: 110 * MIB, high: 130 * MIB },
};

/** Two node proxies at 0.01 cores and 10 MiB idle, 0.06 cores and 12 MiB each under 1000 rps; no memory interval. */
export const NODE_PROXY: ModeSpec = {
  mode: 'node-proxy',
  proxies: [
    { role: 'node-proxy', cpu: 0.06, idleCpu: 0.01, memory: 12 * MIB, idleMemory: 10 * MIB },
    { role: 'node-proxy', cpu: 0.06, idleCpu: 0.01, memory: 12 * MIB, idleMemory: 10 * MIB },
  ],
  cpuInterval: { low: 0.1, high: 0.14 },
  memoryInterval: null,
};

/** NODE_PROXY's two node proxies and a waypoint at 0.02 cores and 30 MiB idle, 0.1 cores and 40 MiB under load. */
export const WAYPOINT: ModeSpec = {
  mode: 'node-proxy-waypoint',
  proxies: [...NODE_PROXY.proxies, { role: 'waypoint', cpu: 0.1, idleCpu: 0.02, memory: 40 * MIB, idleMemory: 30 * MIB }],
  cpuInterval: { low: 0.2, high: 0.24 },
  memoryInterval: { low: 60 * MIB, high: 68 * MIB },
};

export const FLEET_YAML = `apiVersion: meshtax.dev/v1alpha1
kind: Fleet
metadata: { name: hand-example }
nodes: { count: 20, cores: 16, memory: 64GiB }
price: { nodeMonth: 450, coreHour: 0.04, gibHour: 0.005 }
waypoints: 4
services:
  - { name: web, count: 60, pods: 3, rps: 100 }
networkTax: { engineerHoursPerMonth: 40, hourlyCost: 100 }
`;
