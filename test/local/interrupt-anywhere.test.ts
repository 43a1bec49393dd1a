import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runProcessPids, runWorkDirs, startCli, tempDir } from '../helpers/cli.ts';

/** Network namespaces and iptables rules a run could have made (names and comments carry "meshtax"). */
function meshtaxNetworkState(): string[] {
  const found: string[] = [];
  try {
    found.push(...execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('meshtax')));
  } catch {
    // no iproute2: nothing to leak
  }
  try {
    found.push(...execFileSync('iptables-save', [], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('meshtax')));
  } catch {
    // no iptables or not root: nothing to leak
  }
  return found;
}

describe('interrupting a mesh run at any moment', () => {
  // Spread over start-up (certificates, proxies), idle sampling, warmup, measurement and the next phase.
  const moments = [200, 450, 700, 1100, 1700, 2600, 3600];
  for (const delayMs of moments) {
    it(`leaves no process, key directory, namespace or rule after Ctrl-C at ${delayMs} ms`, async () => {
      const out = tempDir();
      const { child, done } = startCli([
        'run',
        '--out',
        out,
        '--set',
        'modes=[baseline,sidecar,node-proxy-waypoint]',
        '--set',
        'load.warmup=500ms',
        '--set',
        'load.duration=1s',
      ]);
      await sleep(delayMs);
      child.kill('SIGINT');
      const result = await done;
      expect(result.code === 130 || result.signal === 'SIGINT', result.stderr).toBe(true);
      expect(runProcessPids()).toEqual([]);
      expect(runWorkDirs()).toEqual([]);
      expect(meshtaxNetworkState()).toEqual([]);
    });
  }
});
