import { describe, expect, it } from 'vitest';
import { compareRuns, parseLimit, parseMetrics, parseRunNoise, runProblems, scenarioDifferences } from '../../src/analysis/compare-runs.ts';
import type { RunDocument } from '../../src/results/schema.ts';
import { syntheticQuickstart } from '../helpers/synthetic-runs.ts';

const MIB = 1024 * 1024;
const quickstart = syntheticQuickstart;

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

  it('would page on identical runs if it trusted the rounds alone (--run-noise 0%): the noise between runs is needed', () => {
    let failing = 0;
    for (let seed = 1; seed <= 200; seed += 2) {
      if (compareRuns(quickstart(seed), quickstart(seed + 1), {}, undefined, undefined, { 'p50-delta': 0 }).some((c) => c.regression)) failing++;
    }
    expect(failing).toBeGreaterThan(5);
  });

  it('measures the noise between runs from several base runs: identical nights pass, a slower proxy fails', () => {
    const nights = [21, 22, 23, 24, 25].map((seed) => quickstart(seed));
    let failing = 0;
    for (let seed = 100; seed < 140; seed++) if (compareRuns(nights, quickstart(seed), {}).some((c) => c.regression)) failing++;
    expect(failing).toBeLessThanOrEqual(2);
    const slower = compareRuns(nights, quickstart(99, { slowerProxyUs: 2000 }), {}).find((c) => c.metric === 'p50-delta')!;
    expect(slower.regression).toBe(true);
    expect(slower.runNoise).toMatchObject({ source: 'measured' });
    expect(slower.base).toBeCloseTo(nights.map((n) => compareRuns(n, n, {})[0]!.base).reduce((a, b) => a + b) / 5, 6);
  });

  it('says which run noise it assumed with one base run, in the metric\'s unit', () => {
    const change = compareRuns(quickstart(1), quickstart(2), {}, ['p50-delta'], undefined, { 'p50-delta': 0.3 })[0]!;
    expect(change.runNoise).toEqual({ source: 'assumed', sigma: 0.3 * Math.abs(change.base) });
    expect(compareRuns(quickstart(1), quickstart(2), {}, ['mesh-memory-bytes'])[0]!.runNoise!.sigma).toBeCloseTo(0.05 * 20 * MIB, 0);
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
    expect(parseRunNoise(['30%', 'p99-delta=40%'])).toMatchObject({ 'p50-delta': 0.3, 'p99-delta': 0.4, 'mesh-memory-bytes': 0.3 });
    expect(() => parseRunNoise(['0.3'])).toThrow(/N% or metric=N%/);
    expect(() => parseRunNoise(['p98=5%'])).toThrow(/unknown metric 'p98'/);
  });

  it('lists the settings that differ, as dotted paths, the proxy included and the seed not', () => {
    const run = (scenario: Record<string, unknown>, proxy: Record<string, string>) =>
      ({ scenario, environment: { runtime: { name: 'local', proxy } } }) as unknown as RunDocument;
    const a = run({ metadata: { name: 'q', description: 'x' }, load: { rates: [1000], duration: 3000, seed: 1 }, workload: { responseDelay: 0 } }, { kind: 'haproxy', version: '2.6' });
    const b = run({ metadata: { name: 'q', description: 'y' }, load: { rates: [1000], duration: 6000, seed: 2 }, workload: { responseDelay: 2 } }, { kind: 'builtin', version: '2.6' });
    expect(scenarioDifferences(a, b)).toEqual([
      { path: 'load.duration', base: '3000', candidate: '6000' },
      { path: 'proxy.kind', base: '"haproxy"', candidate: '"builtin"' },
      { path: 'workload.responseDelay', base: '0', candidate: '2' },
    ]);
    expect(scenarioDifferences(a, a)).toEqual([]);
  });
});

describe('what compare refuses to gate', () => {
  it('charges a shared component only its increase over idle, as the run\'s own comparisons do', () => {
    // ztunnel shared with the rest of the cluster: idle rises from 0.5 to 0.9 cores on a busier night, while what
    // the mode adds (0.1 cores) stays the same. That is no regression of the mesh tax.
    const withZtunnel = (run: RunDocument, idle: number): RunDocument => ({
      ...run,
      phases: run.phases.map((phase) => ({
        ...phase,
        resources: [
          ...phase.resources.filter((row) => row.role !== 'sidecar'),
          ...(phase.mode === 'baseline'
            ? []
            : [{ pod: 'ztunnel-a', container: 'istio-proxy', role: 'node-proxy' as const, cpuCores: idle + 0.1, memoryBytes: 20 * MIB, memoryBytesMax: 20 * MIB, memoryKind: 'working-set' as const, idleCpuCores: idle, idleMemoryBytes: 20 * MIB, shared: true }]),
        ],
      })),
    });
    const changes = compareRuns(withZtunnel(quickstart(5), 0.5), withZtunnel(quickstart(6), 0.9), {}, ['mesh-cpu-cores']);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.base).toBeCloseTo(0.1, 9);
    expect(changes[0]!.candidate).toBeCloseTo(0.1, 9);
    expect(changes[0]!.regression).toBe(false);
  });

  it('names a run that did not complete and a run with invalid phases', () => {
    expect(runProblems(quickstart(7))).toEqual([]);
    expect(runProblems({ ...quickstart(7), status: 'failed', error: 'proxy exited' })).toEqual(['status failed (proxy exited)']);
    const short = quickstart(8);
    short.phases[1] = { ...short.phases[1]!, achievedRps: 500, validity: undefined };
    const problems = runProblems(short);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^1 invalid phase\(s\); the first, sidecar @ 1000 rps rep 1: achieved 500 of 1000 rps/);
  });
});
