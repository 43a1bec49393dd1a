import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSchema } from '../../../../src/results/schema.ts';
import { readRun, runCli, tempDir } from '../../../helpers/cli.ts';
import { NETNS_MODES as MODES, netnsRunArgs, requireRoot, runProcessesAfter, scrub, tracesAfter } from './helpers.ts';

interface NetnsRuntime {
  isolation: string;
  proxy: { kind: string };
  namespaces: Record<string, { serverNamespace: string; serverIp: string; waypointNamespace?: string; intercept: string[] }>;
}

describe('meshtax run with local.isolation: netns', () => {
  beforeAll(requireRoot);
  let runId: string | undefined;
  afterEach(() => {
    scrub(runId);
    runId = undefined;
  });

  for (const proxy of ['builtin', 'haproxy']) {
    it(`completes all four modes with the ${proxy} proxy and leaves no namespace, rule or process`, async () => {
      const out = tempDir();
      const result = await runCli(netnsRunArgs(out, proxy));
      expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);
      const { run } = readRun(out);
      runId = run.runId;
      expect(runSchema.parse(run)).toBeTruthy();
      expect(run.status).toBe('completed');
      expect(run.phases.map((phase) => phase.mode)).toEqual(MODES);
      for (const phase of run.phases) {
        expect(phase.counts.ok).toBe(200);
        expect(phase.counts.errors + phase.counts.non2xx + phase.counts.timeouts).toBe(0);
      }
      const runtime = run.environment.runtime as unknown as NetnsRuntime;
      expect(runtime.isolation).toBe('netns');
      expect(runtime.proxy.kind).toBe(proxy);
      expect(Object.keys(runtime.namespaces)).toEqual(MODES);
      for (const mode of MODES) {
        const network = runtime.namespaces[mode]!;
        expect(network.serverNamespace).toMatch(new RegExp(`^mtx-${run.runId.slice(-4)}-[a-z]+-srv$`));
        expect(network.serverIp).toMatch(/^169\.254\.77\.\d+$/);
        // Baseline is not intercepted; every mesh mode is, on the server pod's port 8080.
        expect(network.intercept).toHaveLength(mode === 'baseline' ? 0 : 1);
      }
      expect(runtime.namespaces['node-proxy-waypoint']!.waypointNamespace).toMatch(/-npw-wp$/);
      expect(await tracesAfter(run.runId)).toEqual([]);
      expect(await runProcessesAfter(result.scope)).toEqual([]);
    });
  }
});
