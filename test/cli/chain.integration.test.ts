import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { invalidPhases } from '../../src/analysis/validity.ts';
import { runSchema } from '../../src/results/schema.ts';
import { ANY_MACHINE, readRun, runCli, runProcessPids, tempDir, sets } from '../helpers/cli.ts';

describe('a call chain on the local runtime', () => {
  it('measures every depth of a depth-3 chain and fits a per-hop tax that the single hop lies within', async () => {
    const out = tempDir();
    const result = await runCli([
      'run',
      'scenarios/local-call-chain.yaml',
      '--out',
      out,
      ...sets('modes=[baseline,sidecar]', 'load.rates=[100]', 'load.duration=1s', 'load.warmup=200ms', 'load.repetitions=3'),
      ...ANY_MACHINE,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { run, runDir } = readRun(out);
    expect(runSchema.parse(run)).toBeTruthy();
    // Rounds interleave modes within each depth: 3 rounds × 3 depths × 2 modes.
    expect(run.phases.slice(0, 6).map((phase) => [phase.mode, phase.depth, phase.repetition])).toEqual([
      ['baseline', 1, 1],
      ['sidecar', 1, 1],
      ['baseline', 2, 1],
      ['sidecar', 2, 1],
      ['baseline', 3, 1],
      ['sidecar', 3, 1],
    ]);
    expect(run.phases).toHaveLength(18);
    // Every request went through every service of its depth and came back whole.
    for (const phase of run.phases) expect(phase.counts.ok, `${phase.mode} depth ${phase.depth}`).toBe(100);
    // A phase counts what is on its path: at depth 1 only the last service, its sidecar and the client's.
    const shallow = run.phases.find((phase) => phase.mode === 'sidecar' && phase.depth === 1)!;
    expect(shallow.resources.map((row) => `${row.pod}/${row.container}:${row.role}@${row.node}`).sort()).toEqual([
      'client/meshtax:loadgen@node-a',
      'client/sidecar:sidecar@node-a',
      'svc-3/echo:app@node-b',
      'svc-3/sidecar:sidecar@node-b',
    ]);
    const deep = run.phases.find((phase) => phase.mode === 'sidecar' && phase.depth === 3)!;
    expect(deep.resources.filter((row) => row.role === 'sidecar')).toHaveLength(4);
    expect(run.comparisons.map((c) => [c.mode, c.depth, c.proxies])).toEqual([
      ['sidecar', 1, 2],
      ['sidecar', 2, 3],
      ['sidecar', 3, 4],
    ]);
    const [chain, ...rest] = run.chains ?? [];
    expect(rest).toEqual([]);
    expect(chain).toMatchObject({ mode: 'sidecar', baseline: 'baseline', rate: 100, depth: 3, fanOut: 1, rounds: 3 });
    expect(chain!.perDepth.map((row) => row.depth)).toEqual([1, 2, 3]);
    expect(chain!.perDepth.map((row) => row.latencyDeltaUs.p50)).toEqual(run.comparisons.map((c) => c.latencyDeltaUs.p50));
    expect(chain!.perHopUs.p50.interval).not.toBeNull();
    expect(chain!.singleHop.p50.deltaUs).toBe(run.comparisons[0]!.latencyDeltaUs.p50);
    // Whether the single hop lies within the per-hop interval is worked out from this run's own numbers (on
    // synthetic rounds with a known slope the fit itself is checked in test/analysis/chains.test.ts; on a real run
    // the answer is the measurement's, so it is checked for consistency, not for a value). A machine too crowded to
    // keep the rate makes phases invalid, and the run says so instead of presenting them as mesh tax.
    const perHop = chain!.perHopUs.p50.interval!;
    const single = chain!.singleHop.p50.deltaUs!;
    expect(chain!.singleHop.p50.withinPerHopInterval).toBe(single >= perHop.low && single <= perHop.high);
    if (invalidPhases(run.phases).length > 0) expect(result.stdout).toMatch(/invalid measurement, not mesh tax/);
    expect(chain!.curvatureUs).not.toBeNull();
    expect(result.stdout).toContain('call chain: the tax per depth and per hop');
    expect(result.stdout).toMatch(/sidecar \(depth 2\)/);
    // Progress names the depth of every phase.
    expect(result.stderr).toMatch(/\[6\/18\] sidecar \(depth 3\) @ 100 rps rep 1/);
    expect(readFileSync(path.join(runDir, 'report.md'), 'utf8')).toContain('### Call chain: the tax per depth and per hop');
    // Per node: the client's sidecar on node-a, the last service's on node-b.
    expect(run.comparisons[0]!.meshPerNode!.map((node) => [node.node, node.containers])).toEqual([
      ['node-a', 1],
      ['node-b', 1],
    ]);
    expect(runProcessPids(result)).toEqual([]);
    // 18 phases with idle measurements between them: longer than a single-service run on a shared 2-core machine.
  }, 240_000);

  it('refuses a chain on network namespaces with the file and line, exit 2', async () => {
    const result = await runCli(['validate', 'scenarios/local-call-chain.yaml', '--set', 'local.isolation=netns']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/local-call-chain\.yaml:\d+:\d+.*workload\.chain runs its services on loopback/s);
  });
});
