import { describe, expect, it } from 'vitest';
import { compareRuns, parseLimit, parseMetrics, scenarioDifferences } from '../../src/analysis/compare-runs.ts';
import { seededRandom, type Random } from '../../src/analysis/statistics/random.ts';
import type { PhaseRecord, ResourceRecord, RunDocument } from '../../src/results/schema.ts';

const MIB = 1024 * 1024;

function phase(mode: string, repetition: number, p50: number, p99: number, resources: ResourceRecord[] = []): PhaseRecord {
  const latencyUs = { p50, p90: p50 * 1.5, p95: p50 * 1.8, p99, p999: null, max: p99, mean: p50 };
  return {
    mode, rate: 1000, repetition, loop: 'open', connections: 8, startedAt: '2026-11-22T00:00:00.000Z',
    durationS: 3, achievedRps: 1000, counts: { ok: 3000, non2xx: 0, errors: 0, timeouts: 0 }, bytesReceived: 0,
    latencyUs, serviceTimeUs: latencyUs, histogram: '', serviceTimeHistogram: '',
    generator: { cpuCores: 0.1, slipUs: { p50: 1, p99: 2, max: 3 }, queued: 0, workers: 1 }, resources, warnings: [],
  };
}

const proxy = (cpu: number): ResourceRecord => ({
  pod: 'client', container: 'proxy', role: 'sidecar', cpuCores: cpu, memoryBytes: 20 * MIB, memoryBytesMax: 21 * MIB,
  memoryKind: 'pss', idleCpuCores: null, idleMemoryBytes: null,
});

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/**
 * A quick start as this machine measures one: 5 rounds of baseline and sidecar at 1000 rps. Each round's machine
 * state moves both modes alike (±25%), each phase has its own noise (3% at p50, 15% at p99), and the sidecar adds
 * 180 µs at p50 and 600 µs at p99, plus `slowerProxyUs` when the candidate's proxy is slower.
 */
function quickstart(seed: number, { serverUs = 0, slowerProxyUs = 0, scenario = {} as Record<string, unknown> } = {}): RunDocument {
  const random = seededRandom(seed);
  const phases: PhaseRecord[] = [];
  for (let r = 1; r <= 5; r++) {
    const machine = Math.exp(0.25 * normal(random));
    const p50 = (extra: number) => (220 + extra) * machine * Math.exp(0.03 * normal(random)) + serverUs;
    const p99 = (extra: number) => (900 + extra) * machine * Math.exp(0.15 * normal(random)) + serverUs;
    phases.push(phase('baseline', r, p50(0), p99(0)));
    phases.push(phase('sidecar', r, p50(180 + slowerProxyUs), p99(600 + slowerProxyUs), [proxy(0.2 * Math.exp(0.05 * normal(random)))]));
  }
  return { runId: `run-${seed}`, phases, scenario: { metadata: { name: 'quickstart' }, load: { rates: [1000] }, ...scenario } } as unknown as RunDocument;
}

describe('comparing two runs', () => {
  it('gates the mesh tax by default: p50-delta, p99-delta, mesh CPU and memory of every mode but baseline', () => {
    const changes = compareRuns(quickstart(1), quickstart(2), {});
    expect(changes.map((c) => `${c.mode} ${c.metric}`)).toEqual([
      'sidecar p50-delta',
      'sidecar p99-delta',
      'sidecar mesh-cpu-cores',
      'sidecar mesh-memory-bytes',
    ]);
  });

  it('finds no regression between identical runs, over many pairs of them', () => {
    let failing = 0;
    for (let seed = 1; seed <= 200; seed += 2) {
      if (compareRuns(quickstart(seed), quickstart(seed + 1), {}).some((c) => c.regression)) failing++;
    }
    expect(failing).toBeLessThanOrEqual(3);
  });

  it('does not page anyone when the machine is busier or the server slower: both sides of the delta move alike', () => {
    const changes = compareRuns(quickstart(3), quickstart(4, { serverUs: 2000 }), {});
    expect(changes.filter((c) => c.regression)).toEqual([]);
  });

  it('fails a proxy 2 ms slower, naming the interval and the limit', () => {
    const changes = compareRuns(quickstart(5), quickstart(6, { slowerProxyUs: 2000 }), {}, undefined, (_m, v) => `${Math.round(v)}`);
    const p50 = changes.find((c) => c.metric === 'p50-delta')!;
    expect(p50.regression).toBe(true);
    expect(p50.change).toBeGreaterThan(1800);
    expect(p50.interval!.low).toBeGreaterThan(p50.limit);
    expect(p50.reason).toMatch(/^regression: \+\d+\.\d% \[\d+, \d+\], all above the limit \+10% \(\d+\)$/);
    expect(changes.find((c) => c.metric === 'mesh-cpu-cores')!.regression).toBe(false);
  });

  it('gates absolute latency by name, where a 2 ms slower server is a regression for every mode', () => {
    const changes = compareRuns(quickstart(7), quickstart(8, { serverUs: 2000 }), {}, ['p50']);
    expect(changes.map((c) => [c.mode, c.metric, c.regression])).toEqual([
      ['baseline', 'p50', true],
      ['sidecar', 'p50', true],
    ]);
  });

  it('takes absolute limits in the metric\'s unit', () => {
    const generous = compareRuns(quickstart(5), quickstart(6, { slowerProxyUs: 2000 }), { 'p50-delta': { kind: 'absolute', amount: 5000 } });
    expect(generous.find((c) => c.metric === 'p50-delta')!.regression).toBe(false);
  });

  it('cannot judge with one round per run, and says why', () => {
    const one = (run: RunDocument): RunDocument => ({ ...run, phases: run.phases.filter((p) => p.repetition === 1) });
    const changes = compareRuns(one(quickstart(5)), one(quickstart(6, { slowerProxyUs: 2000 })), {});
    expect(changes.find((c) => c.metric === 'p50-delta')).toMatchObject({ significant: null, regression: false, interval: null });
    expect(changes[0]!.reason).toMatch(/1 round in a run: no interval \(needs 2 in each\), not judged/);
  });

  it('parses relative and absolute limits and rejects unknown metrics and units', () => {
    expect(parseLimit('p99-delta=+10%')).toEqual(['p99-delta', { kind: 'relative', fraction: 0.1 }]);
    expect(parseLimit('p99-delta=+2ms')).toEqual(['p99-delta', { kind: 'absolute', amount: 2000 }]);
    expect(parseLimit('mesh-memory-bytes=+4MiB')).toEqual(['mesh-memory-bytes', { kind: 'absolute', amount: 4 * MIB }]);
    expect(parseLimit('mesh-cpu-cores=+0.05')).toEqual(['mesh-cpu-cores', { kind: 'absolute', amount: 0.05 }]);
    expect(() => parseLimit('p42=+1%')).toThrow(/unknown metric 'p42'/);
    expect(() => parseLimit('p99>10')).toThrow(/metric=\+N%/);
    expect(() => parseLimit('p99=+10')).toThrow(/give a unit/);
    expect(() => parseLimit('p99=+10MiB')).toThrow(/'MiB' is not a unit of p99/);
    expect(parseMetrics(['p50,p99-delta', 'p50'])).toEqual(['p50', 'p99-delta']);
    expect(() => parseMetrics(['p98'])).toThrow(/unknown metric 'p98'/);
  });

  it('lists the scenario settings that differ, as dotted paths', () => {
    const a = { metadata: { name: 'q', description: 'x' }, load: { rates: [1000], duration: 3000 }, workload: { responseDelay: 0 } };
    const b = { metadata: { name: 'q', description: 'y' }, load: { rates: [1000], duration: 6000 }, workload: { responseDelay: 2 } };
    expect(scenarioDifferences(a, b)).toEqual([
      { path: 'load.duration', base: '3000', candidate: '6000' },
      { path: 'workload.responseDelay', base: '0', candidate: '2' },
    ]);
    expect(scenarioDifferences(a, a)).toEqual([]);
  });
});
