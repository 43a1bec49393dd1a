import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readRun, runProcessPids, runWorkDirs, startCli, tempDir } from '../helpers/cli.ts';

/** PIDs of the run's proxies of one mode (the mode is in the work directory HAProxy's config lives in). */
function proxyPids(mode: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes('haproxy') && new RegExp(`meshtax-\\d{8}-\\d{6}-[0-9a-f]{4}-${mode}-`).test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

async function killWhenUp(mode: string, afterMs: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (proxyPids(mode).length === 0) {
    if (Date.now() > deadline) throw new Error(`no ${mode} proxy appeared`);
    await sleep(50);
  }
  await sleep(afterMs);
  process.kill(proxyPids(mode)[0]!, 'SIGKILL');
}

const base = ['--set', 'load.warmup=300ms', '--set', 'load.duration=1s', '--set', 'load.rates=[200]', '--set', 'local.proxy=haproxy'];

describe('a proxy that dies mid-run', () => {
  it('fails its phase with a clear message and stops the run cleanly', async () => {
    const out = tempDir();
    const { done } = startCli(['run', '--out', out, ...base, '--set', 'modes=[sidecar,baseline]']);
    // The sidecar phase runs first; its proxies die during warmup or measurement.
    await killWhenUp('sidecar', 1200);
    const result = await done;
    expect(result.code).toBe(1);
    const { run } = readRun(out);
    expect(run.status).toBe('failed');
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]!.mode).toBe('sidecar');
    expect(run.failures[0]!.error).toMatch(/(client|server)-sidecar of mode sidecar \(pod (client|server)\) exited \(signal SIGKILL\)/);
    expect(run.phases).toEqual([]);
    expect(result.stdout).toMatch(/failed \[sidecar @ 200 rps, rep 1\]/);
    expect(runProcessPids()).toEqual([]);
    expect(runWorkDirs()).toEqual([]);
  });

  it('goes on with the other modes when the scenario says continue', async () => {
    const out = tempDir();
    const { done } = startCli([
      'run',
      '--out',
      out,
      ...base,
      '--set',
      'modes=[sidecar,baseline,node-proxy]',
      '--set',
      'load.repetitions=2',
      '--set',
      'load.onPhaseFailure=continue',
    ]);
    await killWhenUp('sidecar', 1200);
    const result = await done;
    expect(result.code).toBe(1);
    const { run } = readRun(out);
    expect(run.failures.map((f) => [f.mode, f.repetition])).toEqual([['sidecar', 1]]);
    // The failed mode is skipped from then on; the others complete both repetitions.
    expect(run.phases.map((p) => [p.mode, p.repetition])).toEqual([
      ['baseline', 1],
      ['node-proxy', 1],
      ['baseline', 2],
      ['node-proxy', 2],
    ]);
    expect(run.comparisons.map((c) => c.mode)).toEqual(['node-proxy']);
    expect(runProcessPids()).toEqual([]);
  });
});
