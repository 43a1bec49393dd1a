import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runTag } from '../../../../src/runtimes/local/netns/names.ts';
import { startCli, tempDir } from '../../../helpers/cli.ts';
import { waitFor } from '../../../helpers/poll.ts';
import { currentRun, netnsRunArgs, requireRoot, runProcessesAfter, scrub, tracesAfter } from './helpers.ts';

function namespacesOf(runId: string): string[] {
  const tag = runTag(runId);
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.startsWith(`mtx-${tag}-`));
}

describe('Ctrl-C during a netns run', () => {
  beforeAll(requireRoot);
  let started: string | undefined;
  afterEach(() => {
    scrub(started);
    started = undefined;
  });

  const moments = [
    {
      name: 'while the namespaces and proxies are being set up',
      signals: 1,
      reached: (out: string) => {
        const run = currentRun(out);
        return run && namespacesOf(run.runId).length > 0 ? run : undefined;
      },
    },
    {
      name: 'in the middle of the phases, after the first one',
      signals: 1,
      reached: (out: string) => {
        const run = currentRun(out);
        return run && run.phases.length >= 1 ? run : undefined;
      },
    },
    {
      // The second Ctrl-C exits at once: what is left goes in the synchronous exit hook.
      name: 'twice in a row during a phase',
      signals: 2,
      reached: (out: string) => {
        const run = currentRun(out);
        return run && run.phases.length >= 1 ? run : undefined;
      },
    },
  ];

  for (const moment of moments) {
    it(`leaves no namespace, veth pair, rule or process when interrupted ${moment.name}`, async () => {
      const out = tempDir();
      const { child, done } = startCli(netnsRunArgs(out, 'haproxy'));
      let runId: string;
      try {
        runId = (await waitFor(moment.name, 30_000, () => moment.reached(out), 20)).runId;
        started = runId;
      } catch (error) {
        child.kill('SIGKILL');
        throw error;
      }
      child.kill('SIGINT');
      if (moment.signals === 2) {
        await sleep(30);
        child.kill('SIGINT');
      }
      const result = await done;
      expect(result.code, result.stderr).toBe(130);
      if (moment.signals === 1) expect(currentRun(out)?.status).toBe('interrupted');
      expect(await tracesAfter(runId)).toEqual([]);
      expect(await runProcessesAfter(result.scope)).toEqual([]);
    });
  }
});
