import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readRun, runProcessPids, runWorkDirs, startCli, tempDir, sets } from '../helpers/cli.ts';
import { poll } from '../helpers/poll.ts';
import { runProcesses, type ProcessScope } from '../helpers/processes.ts';
import { RUN_ID_SOURCE } from '../../src/results/run-id.ts';

/** PIDs of one mode's HAProxy processes of this run (the mode is in the work directory HAProxy's config lives in). */
function proxyPids(scope: ProcessScope, mode: string): number[] {
  const workDir = new RegExp(`meshtax-${RUN_ID_SOURCE}-${mode}-`);
  return runProcesses(scope)
    .filter((line) => /^\d+ (\S*\/)?haproxy /.test(line) && workDir.test(line))
    .map((line) => Number(line.split(' ')[0]));
}

/** SIGKILLs one of the run's own proxies of `mode`, `afterMs` after it appeared. */
async function killWhenUp(scope: ProcessScope, mode: string, afterMs: number): Promise<void> {
  const up = await poll(() => proxyPids(scope, mode), (pids) => pids.length > 0, 15_000);
  if (up.length === 0) throw new Error(`no ${mode} proxy of this run appeared`);
  await sleep(afterMs);
  const pid = proxyPids(scope, mode)[0];
  if (pid === undefined) throw new Error(`the ${mode} proxies of this run were gone before the test could kill one`);
  process.kill(pid, 'SIGKILL');
}

const base = ['--set', 'load.warmup=300ms', '--set', 'load.duration=1s', '--set', 'load.rates=[200]', '--set', 'local.proxy=haproxy'];

describe('a proxy that dies mid-run', () => {
  it('fails its phase with a clear message and stops the run cleanly', async () => {
    const out = tempDir();
    const { done, scope } = startCli(['run', '--out', out, ...base, '--set', 'modes=[sidecar,baseline]']);
    // The sidecar phase runs first; its proxies die during warmup or measurement.
    await killWhenUp(scope, 'sidecar', 1200);
    const result = await done;
    expect(result.code).toBe(1);
    const { run } = readRun(out);
    expect(run.status).toBe('failed');
    expect(run.failures).toHaveLength(1);
    expect(run.failures[0]!.mode).toBe('sidecar');
    expect(run.failures[0]!.error).toMatch(/(client|server)-sidecar of mode sidecar \(pod (client|server)\) exited \(signal SIGKILL\)/);
    expect(run.phases).toEqual([]);
    expect(result.stdout).toMatch(/failed \[sidecar @ 200 rps, rep 1\]/);
    expect(runProcessPids(result)).toEqual([]);
    expect(runWorkDirs(result)).toEqual([]);
  });

  it('goes on with the other modes when the scenario says continue', async () => {
    const out = tempDir();
    const { done, scope } = startCli([
      'run',
      '--out',
      out,
      ...base,
      ...sets('modes=[sidecar,baseline,node-proxy]', 'load.repetitions=2', 'load.onPhaseFailure=continue'),
    ]);
    await killWhenUp(scope, 'sidecar', 1200);
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
    expect(runProcessPids(result)).toEqual([]);
  });
});
