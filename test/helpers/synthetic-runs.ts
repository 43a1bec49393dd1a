import { seededRandom, type Random } from '../../src/core/random.ts';
import type { PhaseRecord, ResourceRecord, RunDocument } from '../../src/results/schema.ts';
import { fixtureRun } from '../report/fixture.ts';

const MIB = 1024 * 1024;

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

function phase(mode: string, repetition: number, p50: number, p99: number, resources: ResourceRecord[]): PhaseRecord {
  const template = fixtureRun.phases[0]!;
  const latencyUs = { p50, p90: p50 * 1.5, p95: p50 * 1.8, p99, p999: null, max: p99, mean: p50 };
  return { ...template, mode, repetition, rate: 1000, latencyUs, serviceTimeUs: latencyUs, resources, warnings: [] };
}

const proxy = (cpu: number): ResourceRecord => ({
  pod: 'client', container: 'proxy', role: 'sidecar', cpuCores: cpu, memoryBytes: 20 * MIB, memoryBytesMax: 21 * MIB,
  memoryKind: 'pss', idleCpuCores: null, idleMemoryBytes: null,
});

export interface QuickstartOptions {
  /** Added to every mode's latency: a slower server, or a busier machine. */
  serverUs?: number;
  /** Added to the sidecar's latency only: a slower proxy, a bigger mesh tax. */
  slowerProxyUs?: number;
}

/**
 * A valid run.json shaped like a quick start on a 2-core machine: 5 rounds of baseline and sidecar at 1000 rps. Each
 * round's machine state moves both modes alike (log-normal, σ 0.25), each phase has its own noise (3% at p50, 15% at
 * p99), and the sidecar adds 180 µs at p50 and 600 µs at p99 using about 0.2 cores. Each run also has its own effect
 * on the sidecar's tax for its whole length (log-normal, σ 0.2; 0.08 on its CPU), which its rounds cannot show: two
 * identical runs differ by more than their rounds say, as real ones do.
 */
/** The run id of syntheticQuickstart(seed): the seed in its 4 digits (decimal digits are hex digits too). */
export function syntheticRunId(seed: number): string {
  return `20260101-000000-${String(seed).padStart(4, '0')}`;
}

export function syntheticQuickstart(seed: number, { serverUs = 0, slowerProxyUs = 0 }: QuickstartOptions = {}): RunDocument {
  const random = seededRandom(seed);
  const phases: PhaseRecord[] = [];
  const runTax = Math.exp(0.2 * normal(random));
  const runCpu = Math.exp(0.08 * normal(random));
  for (let r = 1; r <= 5; r++) {
    const machine = Math.exp(0.25 * normal(random));
    const p50 = (extra: number) => (220 + extra) * machine * Math.exp(0.03 * normal(random)) + serverUs;
    const p99 = (extra: number) => (900 + extra) * machine * Math.exp(0.15 * normal(random)) + serverUs;
    phases.push(phase('baseline', r, p50(0), p99(0), []));
    phases.push(phase('sidecar', r, p50(180 * runTax + slowerProxyUs), p99(600 * runTax + slowerProxyUs), [proxy(0.2 * runCpu * Math.exp(0.05 * normal(random)))]));
  }
  return { ...structuredClone(fixtureRun), runId: syntheticRunId(seed), phases, failures: [], comparisons: [], thresholds: [] };
}
