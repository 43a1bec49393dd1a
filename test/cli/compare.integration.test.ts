import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../helpers/cli.ts';
import { syntheticQuickstart, syntheticRunId } from '../helpers/synthetic-runs.ts';
import type { RunDocument } from '../../src/results/schema.ts';

// Short real runs through the built-in proxy: baseline and a sidecar pair, 3 interleaved rounds each, light enough
// (200 rps, 1 s windows) for a machine shared with other jobs.
const base = [
  '--set', 'modes=[baseline,sidecar]', '--set', 'local.proxy=builtin', '--set', 'load.rates=[200]', '--set', 'load.duration=1s',
  '--set', 'load.warmup=200ms', '--set', 'load.repetitions=3',
];

async function runTo(dir: string, extra: string[]): Promise<string> {
  const out = path.join(dir, String(Math.random()).slice(2));
  const result = await runCli(['run', '--out', out, ...base, ...extra, ...ANY_MACHINE]);
  expect(result.code, result.stderr).toBe(0);
  return path.join(readRun(out).runDir, 'run.json');
}

const readRunFile = (file: string): RunDocument => JSON.parse(readFileSync(file, 'utf8')) as RunDocument;

/** Writes run documents as files in a fresh directory, for the CLI to read. */
function runFileWriter(): (name: string, run: unknown) => string {
  const dir = tempDir();
  return (name, run) => {
    const target = path.join(dir, `${name}.json`);
    writeFileSync(target, JSON.stringify(run));
    return target;
  };
}

describe('meshtax compare', () => {
  it('passes a rerun with the default limits, and refuses a run made with a slower server as a different scenario', async () => {
    const dir = tempDir();
    const first = await runTo(dir, []);
    const rerun = await runTo(dir, []);
    // The same run as if made with a slower server: only the scenario's settings decide what is refused, so a third
    // real run would add a minute of CI for nothing the check reads.
    const slowerRun = readRunFile(rerun);
    slowerRun.scenario = { ...slowerRun.scenario, workload: { ...(slowerRun.scenario.workload as Record<string, unknown>), responseDelay: 2 } };
    const slower = path.join(dir, 'slower.json');
    writeFileSync(slower, JSON.stringify(slowerRun));
    // Identical scenarios, default limits: the mesh tax (deltas against each run's own baseline, CPU, memory).
    const same = await runCli(['compare', first, rerun, ...ANY_MACHINE]);
    expect(same.code, same.stdout).toBe(0);
    expect(same.stdout).toMatch(/^statistic: mean over rounds of each run's per-round value \(deltas: mode minus the baseline of the same round\)/m);
    expect(same.stdout).toMatch(/│ sidecar │ 200 +│ p50-delta +│/);
    expect(same.stdout).toMatch(/│ sidecar │ 200 +│ mesh-cpu-cores +│/);
    expect(same.stdout).toMatch(/no regression beyond the limits/);

    // A slower server is a different scenario: refused, with the setting that differs named.
    const refused = await runCli(['compare', first, slower, ...ANY_MACHINE]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/different scenario settings/);
    expect(refused.stderr).toMatch(/workload\.responseDelay: 0 → 2/);
    expect(refused.stderr).toMatch(/--allow-different-scenarios/);
    // Allowed, the differences are printed above the table.
    const allowed = await runCli(['compare', first, slower, '--allow-different-scenarios', '--metric', 'p50', '--json', ...ANY_MACHINE]);
    expect([0, 3]).toContain(allowed.code);
    const document = JSON.parse(allowed.stdout) as { statistic: string; scenarioDifferences: { path: string }[]; changes: { mode: string; metric: string }[] };
    expect(document.scenarioDifferences.map((d) => d.path)).toEqual(['workload.responseDelay']);
    expect(document.changes.map((c) => `${c.mode} ${c.metric}`)).toEqual(['baseline p50', 'sidecar p50']);
  }, 420_000);

  it('gates run.json files with quick-start noise: identical runs exit 0, a sidecar 2 ms slower exits 3, a slower server on absolute p50 exits 3', async () => {
    // Real runs on a machine shared by other jobs can put seconds of queueing into every phase; these files carry
    // the round-to-round noise of a quick start on a 2-core machine (test/helpers/synthetic-runs.ts), so the gate
    // is checked end to end through the CLI on numbers whose truth is known.
    const file = runFileWriter();
    const base = file('base', syntheticQuickstart(11));
    const same = await runCli(['compare', base, file('same', syntheticQuickstart(12))]);
    expect(same.code, same.stdout).toBe(0);
    const proxy = await runCli(['compare', base, file('proxy', syntheticQuickstart(13, { slowerProxyUs: 2000 }))]);
    expect(proxy.code, proxy.stdout).toBe(3);
    expect(proxy.stdout).toMatch(/│ sidecar │ 1000 │ p50-delta +│ \+\d+ µs +│ \+\d\.\d+ ms +│ regression: \+\d+\.\d%/);
    expect(proxy.stdout).toMatch(/1 regression\(s\)|2 regression\(s\)/);
    const server = file('server', syntheticQuickstart(14, { serverUs: 2000 }));
    expect((await runCli(['compare', base, server])).code).toBe(0);
    const absolute = await runCli(['compare', base, server, '--metric', 'p50']);
    expect(absolute.code, absolute.stdout).toBe(3);
  });

  it('takes earlier runs as more bases and measures the noise between runs from them', async () => {
    // The plumbing through the CLI; how often identical nights pass is test/analysis/compare-runs.test.ts's subject.
    const file = runFileWriter();
    const nights = [40, 41, 42, 43, 44].map((seed) => file(`night-${seed}`, syntheticQuickstart(seed)));
    const same = await runCli(['compare', ...nights, file('tonight', syntheticQuickstart(45))]);
    expect(same.code, same.stdout).toBe(0);
    expect(same.stdout.split('\n')).toContain(`meshtax compare: base ${[40, 41, 42, 43, 44].map(syntheticRunId).join(', ')} → candidate ${syntheticRunId(45)}`);
    expect(same.stdout).toMatch(/prediction interval from the 5 base runs' means/);
    const proxy = await runCli(['compare', ...nights, file('slower', syntheticQuickstart(37, { slowerProxyUs: 2000 })), '--json']);
    expect(proxy.code, proxy.stdout).toBe(3);
    const document = JSON.parse(proxy.stdout) as { base: string[]; changes: { metric: string; regression: boolean; runNoise: { source: string } }[] };
    expect(document.base).toHaveLength(5);
    expect(document.changes.find((c) => c.metric === 'p50-delta')).toMatchObject({ regression: true, runNoise: { source: 'measured' } });
    // One base run: the noise between runs is assumed, and the output says so and how to change it.
    const one = await runCli(['compare', nights[0]!, file('one', syntheticQuickstart(38)), '--run-noise', 'p50-delta=30%']);
    expect(one.code, one.stdout).toBe(0);
    expect(one.stdout).toMatch(/each run's own effect, assumed \(one base run cannot measure the noise between runs: pass earlier runs as more bases, or set --run-noise\)/);
  });

  it('exits 1 for a candidate that did not complete or measured invalid phases, unless --allow-invalid', async () => {
    // A broken night must not pass the gate with "no interval, not judged", nor gate numbers that are not mesh tax.
    const file = runFileWriter();
    const base = file('base', syntheticQuickstart(21));
    const failed = file('failed', { ...syntheticQuickstart(22), status: 'failed', error: 'proxy exited' });
    const refused = await runCli(['compare', base, failed]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`meshtax: ${failed}: status failed (proxy exited)`);
    expect(refused.stderr).toContain('pass --allow-invalid to compare them anyway');
    const short = syntheticQuickstart(23);
    short.phases[1] = { ...short.phases[1]!, achievedRps: 500, validity: undefined };
    const invalid = await runCli(['compare', base, file('short', short)]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/1 invalid phase\(s\); the first, sidecar @ 1000 rps rep 1: achieved 500 of 1000 rps/);
    const allowed = await runCli(['compare', base, failed, '--allow-invalid']);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toContain('compared although');
  });

  it('exits 2 for a file that is not a run.json or a malformed limit or metric', async () => {
    expect((await runCli(['compare', 'package.json', 'package.json'])).code).toBe(2);
    expect((await runCli(['compare', 'nope.json', 'nope.json'])).stderr).toMatch(/cannot read nope.json: ENOENT/);
    expect((await runCli(['compare', 'a', 'b', '--max-regression', 'p99>1'])).code).toBe(2);
    const metric = await runCli(['compare', 'a', 'b', '--metric', 'p98']);
    expect(metric.code).toBe(2);
    expect(metric.stderr).toMatch(/unknown metric 'p98'/);
    const noise = await runCli(['compare', 'a', 'b', '--run-noise', '0.3']);
    expect(noise.code).toBe(2);
    expect(noise.stderr).toMatch(/--run-noise takes N% or metric=N%/);
    const alone = await runCli(['compare', 'a']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/compare needs a base run.json and a candidate run.json/);
  });
});
