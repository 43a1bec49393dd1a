import { describe, expect, it } from 'vitest';
import type { ChainResult, RunDocument } from '../../src/results/schema.ts';
import { runSchema } from '../../src/results/schema.ts';
import { markdownReport } from '../../src/report/markdown.ts';
import { runSummary } from '../../src/report/terminal.ts';
import { htmlReport } from '../../src/report/html/index.ts';
import { junitReport } from '../../src/report/junit.ts';
import { resultCsvFiles } from '../../src/report/result-csv.ts';
import { fixtureRun } from './fixture.ts';

const MIB = 1024 * 1024;
const fit = (estimate: number, low: number, high: number) => ({ estimate, interval: { low, high }, reason: '95% Student t interval' });
const each = <T>(value: T) => ({ p50: value, p90: value, p95: value, p99: value, p999: value });

const chain: ChainResult = {
  mode: 'sidecar',
  baseline: 'baseline',
  rate: 1000,
  depth: 3,
  fanOut: 1,
  rounds: 3,
  perDepth: [1, 2, 3].map((depth) => ({ depth, latencyDeltaUs: { p50: 150 * depth, p90: 200 * depth, p95: 220 * depth, p99: 400 * depth * depth, p999: null } })),
  perHopUs: { ...each(fit(150, 120, 180)), p99: fit(1600, 900, 2300) },
  curvatureUs: { ...each(fit(0, -10, 10)), p99: fit(400, 150, 650) },
  compounding: { ...each('linear' as const), p99: 'faster-than-linear' },
  singleHop: { ...each({ deltaUs: 150, withinPerHopInterval: true }), p99: { deltaUs: 400, withinPerHopInterval: false } },
  method: 'least-squares fit',
};

const run: RunDocument = {
  ...fixtureRun,
  comparisons: fixtureRun.comparisons.map((comparison, i) =>
    i === 0
      ? {
          ...comparison,
          meshPerNode: [
            { node: 'worker-1', containers: 1, cpuCores: 0.085, memoryBytes: 9.25 * MIB, intervals: { cpuCores: { low: 0.07, high: 0.1 }, memoryBytes: null } },
            { node: 'worker-2', containers: 1, cpuCores: 0.1, memoryBytes: 8.65 * MIB, intervals: { cpuCores: { low: 0.1, high: 0.1 }, memoryBytes: null } },
          ],
        }
      : comparison,
  ),
  chains: [chain],
};

describe('reports beyond one hop', () => {
  it('is a valid run.json', () => {
    expect(() => runSchema.parse(run)).not.toThrow();
  });

  it('the terminal shows the mesh cost per node and the call chain', () => {
    const text = runSummary(run, 'run.json');
    expect(text).toContain('mesh cost per node');
    expect(text).toMatch(/sidecar\s*│\s*1000\s*│\s*worker-1\s*│\s*1\s*│\s*0\.085 \[0\.070, 0\.100\]\s*│\s*9\.25 MiB no interval/);
    expect(text).toContain('call chain: the tax per depth and per hop');
    expect(text).toMatch(/│ sidecar\s+│ 1000 │ 3\s+│ 1: \+150 µs,\s+│ 1: \+400 µs,\s+│ \+150 µs\s+│ \+1\.60 ms\s+│ \+150 µs,\s+│ compounds \(faster than linear\);\s+│/);
    expect(text).toMatch(/│\s+│\s+│\s+│ 3: \+450 µs\s+│ 3: \+3\.60 ms\s+│\s+│\s+│\s+│\s+│/);
    expect(text).toMatch(/│ \[120, 180\]\s+│ \[0\.90, 2\.30\]\s+│ inside the per-hop interval\s+│ curvature \+400 µs \[150, 650\]\s+│/);
  });

  it('report.md has a per-node section and a call-chain section with the same figures', () => {
    const text = markdownReport(run);
    expect(text).toContain('### Mesh cost per node');
    expect(text).toContain('| sidecar | 1000 | worker-2 | 1 | 0.10 [0.10, 0.10] | 8.65 MiB no interval |');
    expect(text).toContain('### Call chain: the tax per depth and per hop');
    expect(text).toContain(
      '| sidecar | 1000 | 3 | 1: +150 µs, 2: +300 µs, 3: +450 µs | 1: +400 µs, 2: +1.60 ms, 3: +3.60 ms | +150 µs [120, 180] | +1.60 ms [0.90, 2.30] | +150 µs, inside the per-hop interval | compounds (faster than linear); curvature +400 µs [150, 650] |',
    );
  });

  it('report.html has the same per-node and call-chain tables, and neither for a run without them', () => {
    const html = htmlReport(run);
    expect(html).toContain('<h2 id="h-per-node">Mesh cost per node</h2>');
    expect(html).toContain('<tr><td>sidecar</td><td class="num">1000</td><td>worker-1</td><td class="num">1</td><td class="num">0.085 [0.070, 0.100]</td><td class="num">9.25 MiB no interval</td></tr>');
    expect(html).toContain('<h2 id="h-chain">Call chain: the tax per depth and per hop</h2>');
    expect(html).toContain(
      '<tr><td>sidecar</td><td class="num">1000</td><td class="num">3</td><td>1: +150 µs, 2: +300 µs, 3: +450 µs</td><td>1: +400 µs, 2: +1.60 ms, 3: +3.60 ms</td><td class="num">+150 µs [120, 180]</td><td class="num">+1.60 ms [0.90, 2.30]</td><td>+150 µs, inside the per-hop interval</td><td>compounds (faster than linear); curvature +400 µs [150, 650]</td></tr>',
    );
    const plain = htmlReport(fixtureRun);
    expect(plain).not.toContain('h-per-node');
    expect(plain).not.toContain('h-chain');
  });

  it('chains.csv holds each depth\'s delta and the per-hop and curvature fits with their intervals; nodes.csv each node\'s cost', () => {
    const files = Object.fromEntries(resultCsvFiles([{ run }]).map((file) => [file.file, file.text.trimEnd().split('\n')]));
    expect(Object.keys(files)).toEqual(['chains.csv', 'nodes.csv']);
    const chains = files['chains.csv']!;
    expect(chains[0]).toBe('mode,baseline,rate,fanOut,rounds,quantity,depth,percentile,estimateUs,lowUs,highUs,verdict');
    // Three depths × five percentiles, then five per-hop and five curvature rows.
    expect(chains).toHaveLength(1 + 15 + 5 + 5);
    expect(chains).toContain('sidecar,baseline,1000,1,3,delta,2,p99,1600,,,');
    expect(chains).toContain('sidecar,baseline,1000,1,3,delta,3,p999,,,,');
    expect(chains).toContain('sidecar,baseline,1000,1,3,per-hop,,p50,150,120,180,single-hop-inside');
    expect(chains).toContain('sidecar,baseline,1000,1,3,per-hop,,p99,1600,900,2300,single-hop-outside');
    expect(chains).toContain('sidecar,baseline,1000,1,3,curvature,,p99,400,150,650,faster-than-linear');
    expect(files['nodes.csv']).toEqual([
      'mode,baseline,rate,depth,node,containers,cpuCores,cpuCoresLow,cpuCoresHigh,memoryBytes,memoryBytesLow,memoryBytesHigh',
      `sidecar,baseline,1000,,worker-1,1,0.085,0.07,0.1,${9.25 * MIB},,`,
      `sidecar,baseline,1000,,worker-2,1,0.1,0.1,0.1,${8.65 * MIB},,`,
    ]);
    expect(resultCsvFiles([{ run: fixtureRun }])).toEqual([]);
    const pilot = resultCsvFiles([{ run, label: 'orders' }, { run: fixtureRun, label: 'catalog' }], 'service');
    expect(pilot.map((file) => file.text.split('\n')[1])).toEqual(['orders,sidecar,baseline,1000,1,3,delta,1,p50,150,,,', `orders,sidecar,baseline,1000,,worker-1,1,0.085,0.07,0.1,${9.25 * MIB},,`]);
  });

  it('junit.xml\'s system-out has the call chain and the per-node cost beside the mesh tax', () => {
    const out = junitReport(run).match(/<system-out>([\s\S]*)<\/system-out>/)![1]!;
    expect(out).toContain('call chain: the tax per depth and per hop\nmode: sidecar; rate: 1000; rounds: 3; Δp50 per depth: 1: +150 µs, 2: +300 µs, 3: +450 µs;');
    expect(out).toContain('per hop Δp50: +150 µs [120, 180]; per hop Δp99: +1.60 ms [0.90, 2.30]; single hop Δp50: +150 µs, inside the per-hop interval;');
    expect(out).toContain('mesh cost per node\nmode: sidecar; rate: 1000; node: worker-1; mesh containers: 1; CPU (cores): 0.085 [0.070, 0.100]; memory: 9.25 MiB no interval');
    expect(junitReport(fixtureRun)).not.toContain('call chain');
  });
});
