import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leftoverLinks, leftoverNamespaces, leftoverWorkDirs, ruleRunIds } from '../../../../src/runtimes/local/netns/leftovers.ts';
import { runTag } from '../../../../src/runtimes/local/netns/names.ts';
import { runCli, startCli, tempDir } from '../../../helpers/cli.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { currentRun, freshRunId, netnsRunArgs, requireRoot, runProcessesAfter, scrub, traces } from './helpers.ts';

describe('finding what a netns run left', () => {
  it('reads run ids from rule comments, and meshtax\'s names from ip\'s listings, of one run or all', () => {
    const saved = [
      '*nat',
      '-A OUTPUT -d 169.254.77.2/32 -p tcp -m comment --comment meshtax:20261201-120000-ab12 -j REDIRECT --to-ports 15001',
      '-A OUTPUT -d 169.254.77.6/32 -p tcp -m comment --comment "meshtax:20261201-120000-ab12" -j REDIRECT --to-ports 15002',
      '-A OUTPUT -d 10.0.0.1/32 -m comment --comment "someone else" -j ACCEPT',
      '-A PREROUTING -m comment --comment meshtax:20261201-130000-cd34 -j REDIRECT --to-ports 15001',
    ].join('\n');
    expect([...ruleRunIds(saved)]).toEqual([
      ['20261201-120000-ab12', 2],
      ['20261201-130000-cd34', 1],
    ]);
    const netns = 'mtx-ab12-sc-srv (id: 3)\nmtx-cd34-np-wp (id: 4)\nmtx-other\ncni-1234\n';
    expect(leftoverNamespaces(netns)).toEqual(['mtx-ab12-sc-srv', 'mtx-cd34-np-wp']);
    expect(leftoverNamespaces(netns, 'ab12')).toEqual(['mtx-ab12-sc-srv']);
    expect(leftoverWorkDirs(['meshtax-20261201-120000-ab12-sidecar-Xy12zq', 'meshtax-kube-123-abc', 'meshtax-test-x'])).toEqual(['meshtax-20261201-120000-ab12-sidecar-Xy12zq']);
    const links = '1: lo: <LOOPBACK,UP> mtu 65536\n7: mtxab12-sc-rs@if6: <BROADCAST> mtu 1500\n9: mtxcd34-np-rs@if8: <BROADCAST>\n10: eth0: <UP>\n';
    expect(leftoverLinks(links)).toEqual(['mtxab12-sc-rs', 'mtxcd34-np-rs']);
    expect(leftoverLinks(links, 'cd34')).toEqual(['mtxcd34-np-rs']);
  });
});

describe('meshtax cleanup --runtime local after a SIGKILL of meshtax', () => {
  beforeAll(requireRoot);
  let started: string | undefined;
  afterEach(() => {
    scrub(started);
    started = undefined;
  });

  it('removes the killed run\'s namespaces, veth pairs and rules, and nothing of other runs', async () => {
    const out = tempDir();
    const { child, done } = startCli([...netnsRunArgs(out, 'builtin'), '--set', 'load.duration=20s']);
    // Killed hard once its first phase runs: nothing of meshtax's own clean-up gets to run.
    const runId = await waitFor('the run\'s first phase with its rules in place', 60_000, () => {
      const id = currentRun(out)?.runId;
      return id && traces(id).some((line) => line.includes('meshtax:')) ? id : undefined;
    });
    started = runId;
    await sleep(1500);
    child.kill('SIGKILL');
    const killed = await done;
    expect(traces(runId).length).toBeGreaterThan(0);

    // A namespace of another run (made here for the test, under a tag no namespace on this host has yet, so that
    // a concurrent test run cannot be using it) must survive a clean-up of this one.
    const other = `mtx-${runTag(freshRunId())}-bl-srv`;
    execFileSync('ip', ['netns', 'add', other]);
    let result;
    try {
      // The same TMPDIR as the killed run: its work directories are there.
      result = await runCli(['cleanup', '--runtime', 'local', '--run-id', runId], undefined, { TMPDIR: killed.tmpDir });
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).toContain(other);
    } finally {
      execFileSync('ip', ['netns', 'del', other]);
    }
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`deleted directory meshtax-${runId}-sidecar-`));
    expect(result.stdout).toMatch(new RegExp(`deleted network namespace mtx-${runId.slice(-4)}-`));
    expect(readdirSync(killed.tmpDir).filter((name) => name.startsWith(`meshtax-${runId}-`))).toEqual([]);
    expect(result.stdout).toMatch(new RegExp(`deleted \\d+ iptables rule\\(s\\) of run ${runId}`));
    expect(traces(runId)).toEqual([]);
    // Its processes died with it (their stdin closed); none waits in a namespace that is gone.
    expect(await runProcessesAfter(killed.scope)).toEqual([]);
    const again = await runCli(['cleanup', '--runtime', 'local', '--run-id', runId], undefined, { TMPDIR: killed.tmpDir });
    expect(again.stdout).toBe(`nothing to clean up on this host for run ${runId}\n`);
  });
});

