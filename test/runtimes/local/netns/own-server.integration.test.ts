import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../../../helpers/cli.ts';
import { leftovers, MODES, scenarioFile, starts } from '../own-server-helpers.ts';
import { requireRoot, scrub, tracesAfter } from './helpers.ts';

interface NetnsRuntime {
  namespaces: Record<string, { serverNamespace: string; serverIp: string; intercept: string[] }>;
}

describe('workload.command with local.isolation: netns', () => {
  beforeAll(requireRoot);
  let runId: string | undefined;
  afterEach(() => {
    scrub(runId);
    runId = undefined;
  });

  it('runs the team\'s server in the server pod\'s namespace on port 8080, reached through every mode\'s path', async () => {
    const dir = tempDir();
    const state = tempDir('own-server-state-');
    const out = path.join(dir, 'results');
    const result = await runCli(['run', scenarioFile(dir, state, { isolation: 'netns' }), '--out', out, ...ANY_MACHINE]);
    const { run } = readRun(out);
    runId = run.runId;
    expect(result.code, result.stderr).toBe(0);
    expect(run.phases.map((phase) => phase.mode)).toEqual(MODES);
    for (const phase of run.phases) {
      expect(phase.counts.ok, phase.mode).toBeGreaterThan(0);
      expect(phase.counts.errors + phase.counts.non2xx + phase.counts.timeouts).toBe(0);
    }
    // Each server was told port 8080 (its pod's own), and each mode but baseline intercepts that port.
    expect(starts(state).map((started) => started.port)).toEqual(MODES.map(() => 8080));
    const runtime = run.environment.runtime as unknown as NetnsRuntime;
    for (const mode of MODES) {
      expect(runtime.namespaces[mode]!.intercept.every((rule) => rule.includes(":8080 REDIRECT")), mode).toBe(true);
    }
    expect(await tracesAfter(run.runId)).toEqual([]);
    expect(await leftovers(state, result.scope)).toEqual([]);
  }, 180_000);
});
