import { existsSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runProcessPids, runWorkDirs, startCli, tempDir, sets } from '../../helpers/cli.ts';
import { traces } from './netns/helpers.ts';

/**
 * Network namespaces, veth pairs and iptables rules named after this run (a loopback run makes none). run.json,
 * which names the run, is written before anything is made, so a run interrupted before it exists made nothing.
 */
function networkTraces(out: string): string[] {
  return (existsSync(out) ? readdirSync(out) : []).flatMap((runId) => traces(runId));
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
        ...sets('modes=[baseline,sidecar,node-proxy-waypoint]', 'load.warmup=500ms', 'load.duration=1s'),
      ]);
      await sleep(delayMs);
      child.kill('SIGINT');
      const result = await done;
      expect(result.code === 130 || result.signal === 'SIGINT', result.stderr).toBe(true);
      expect(runProcessPids(result)).toEqual([]);
      expect(runWorkDirs(result)).toEqual([]);
      expect(networkTraces(out)).toEqual([]);
    });
  }
});
