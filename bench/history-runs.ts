/**
 * Synthetic run.json documents for bench:history, shaped like the runs of the shipped local scenarios: the resolved
 * scenario of each file (loaded as `meshtax run` loads it), one phase per mode, rate and repetition with latency and
 * service-time histograms holding rate × duration samples spread log-normally (as real latencies are), resources per
 * mode, and comparisons and thresholds computed by meshtax's own analysis. Seeded: the same documents every time.
 */
import path from 'node:path';
import { compareModes } from '../src/analysis/comparisons.ts';
import { seededRandom, type Random } from '../src/core/random.ts';
import { evaluateThresholds } from '../src/analysis/thresholds.ts';
import { encodeHistogram, newHistogram, recordUs, summarize } from '../src/core/histogram.ts';
import { phaseRecord } from '../src/pipeline/phase-record.ts';
import { describeEnvironment } from '../src/pipeline/environment.ts';
import type { ResourceRecord, RunDocument } from '../src/results/schema.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';

const MIB = 1024 * 1024;

/** The scenarios a results directory typically mixes, and the share of runs each has. */
export const SCENARIO_MIX = [
  { file: 'quickstart.yaml', share: 0.5 },
  { file: 'local-builtin-proxy.yaml', share: 0.2 },
  { file: 'local-tls-cost.yaml', share: 0.15 },
  { file: 'local-all-modes.yaml', share: 0.15 },
] as const;

/** What each mode adds to the baseline's median, µs, and the mesh CPU it uses per 1000 rps. */
const MODE_COST: Record<string, { addedUs: number; cpuPer1k: number }> = {
  baseline: { addedUs: 0, cpuPer1k: 0 },
  sidecar: { addedUs: 180, cpuPer1k: 0.2 },
  'node-proxy': { addedUs: 90, cpuPer1k: 0.1 },
  'node-proxy-waypoint': { addedUs: 260, cpuPer1k: 0.25 },
};

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

function latencies(random: Random, medianUs: number, samples: number): { encoded: string; summary: ReturnType<typeof summarize> } {
  const histogram = newHistogram();
  for (let i = 0; i < samples; i++) recordUs(histogram, medianUs * Math.exp(0.6 * normal(random)));
  return { encoded: encodeHistogram(histogram), summary: summarize(histogram) };
}

function resources(mode: string, rate: number): ResourceRecord[] {
  const row = (pod: string, container: string, role: ResourceRecord['role'], cpuCores: number, memoryBytes: number): ResourceRecord => ({
    pod, container, role, cpuCores, memoryBytes, memoryBytesMax: memoryBytes + MIB, memoryKind: 'pss', idleCpuCores: null, idleMemoryBytes: null,
  });
  const rows = [row('echo', 'app', 'app', (0.1 * rate) / 1000, 40 * MIB)];
  const cpu = ((MODE_COST[mode]?.cpuPer1k ?? 0) * rate) / 1000;
  if (mode === 'sidecar') rows.push(row('client', 'proxy', 'sidecar', cpu / 2, 9 * MIB), row('echo', 'proxy', 'sidecar', cpu / 2, 9 * MIB));
  if (mode.startsWith('node-proxy')) rows.push(row('node', 'tunnel', 'node-proxy', cpu * 0.6, 12 * MIB));
  if (mode === 'node-proxy-waypoint') rows.push(row('waypoint', 'proxy', 'waypoint', cpu * 0.4, 20 * MIB));
  return rows;
}

/** One run of the scenario file, as `meshtax run` would have written it once finished. */
export async function syntheticRun(file: string, seed: number): Promise<RunDocument> {
  const { scenario: resolved } = await loadScenarioFile(path.resolve(import.meta.dirname, '../scenarios', file));
  const scenario = { ...resolved, load: { ...resolved.load, seed } };
  const random = seededRandom(seed);
  const rates = scenario.load.rates;
  const phases = [];
  let at = Date.UTC(2026, 0, 1);
  for (let repetition = 1; repetition <= scenario.load.repetitions; repetition++) {
    for (const rate of rates) {
      for (const mode of scenario.modes) {
        const samples = Math.round((rate * scenario.load.duration) / 1000);
        const median = 220 + (MODE_COST[mode]?.addedUs ?? 0);
        const latency = latencies(random, median * Math.exp(0.05 * normal(random)), samples);
        const service = latencies(random, median * 0.9, samples);
        const startedAt = new Date((at += scenario.load.duration + scenario.load.warmup)).toISOString();
        phases.push(
          phaseRecord(
            mode,
            repetition,
            {
              rate,
              loop: 'open',
              connections: scenario.load.connections,
              startedAt,
              durationS: scenario.load.duration / 1000,
              achievedRps: rate * 0.9995,
              counts: { ok: samples, non2xx: 0, errors: 0, timeouts: 0 },
              bytesReceived: samples * ((typeof scenario.workload.payloadBytes === 'number' ? scenario.workload.payloadBytes : 1024) + 150),
              latencyUs: latency.summary,
              serviceTimeUs: service.summary,
              histogram: latency.encoded,
              serviceTimeHistogram: service.encoded,
              generator: { cpuCores: 0.2, slipUs: { p50: 12, p99: 85, max: 410 }, queued: 0, workers: 2 },
              machine: { cores: 2, loadAverage1m: { start: 1.2, end: 1.4 }, cpuBusyFraction: 0.6, stealFraction: 0 },
              warnings: [],
            },
            resources(mode, rate),
          ),
        );
      }
    }
  }
  const comparisons = compareModes(phases);
  return {
    schemaVersion: 1,
    runId: 'template',
    startedAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    finishedAt: new Date(at).toISOString(),
    status: 'completed',
    tool: { name: 'meshtax', version: '0.1.0' },
    environment: describeEnvironment({
      name: 'local',
      bindAddress: '127.0.0.1',
      isolation: 'loopback',
      mtls: scenario.local.mtls,
      proxy: { kind: scenario.local.proxy === 'builtin' ? 'builtin' : 'haproxy', version: '2.8.5' },
      echoServer: 'node:http on Node v24.11.1',
      hostname: 'bench',
    }),
    scenario: scenario as unknown as Record<string, unknown>,
    scenarioSource: `scenarios/${file}`,
    warnings: [],
    phases,
    failures: [],
    comparisons,
    thresholds: evaluateThresholds(scenario, phases, comparisons),
  };
}
