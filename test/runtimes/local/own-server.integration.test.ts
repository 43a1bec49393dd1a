import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunDocument } from '../../../src/results/schema.ts';
import { ANY_MACHINE, readRun, runCli, startCli, tempDir } from '../../helpers/cli.ts';
import { poll } from '../../helpers/poll.ts';
import { alive, leftovers, MODES, scenarioFile, starts } from './own-server-helpers.ts';

/**
 * workload.command: a server the test wrote (fixtures/own-server.mjs, not meshtax's echo server) measured in every
 * local mode, and stopped with the helper process it starts on success, on failure and on Ctrl-C.
 */

describe('meshtax run with workload.command', () => {
  it('measures the team\'s server in every mode, as role app with its helper, and stops both', async () => {
    const dir = tempDir();
    const state = tempDir('own-server-state-');
    const out = path.join(dir, 'results');
    const result = await runCli(['run', scenarioFile(dir, state), '--out', out, ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(0);
    const { run } = readRun(out);
    expect(run.status).toBe('completed');
    expect(run.phases.map((phase) => phase.mode)).toEqual(MODES);
    for (const phase of run.phases) {
      expect(phase.counts.ok, phase.mode).toBeGreaterThan(0);
      expect(phase.counts.errors + phase.counts.non2xx + phase.counts.timeouts).toBe(0);
      const app = phase.resources?.filter((row) => row.role === 'app') ?? [];
      expect(app.map((row) => `${row.pod}/${row.container}`)).toEqual(['server/app']);
    }
    expect(run.environment.runtime).toMatchObject({ workload: { kind: 'command', ready: 'GET /healthz answering 2xx' } });
    expect(run.environment.runtime).not.toHaveProperty('echoServer');
    // One server per mode, each on the port meshtax gave it (as --port and PORT, which the server checks agree),
    // each answered the mode's requests (warmup included) and was stopped with SIGTERM, which it records.
    const started = starts(state);
    expect(started).toHaveLength(MODES.length);
    const served = started.map(({ server }) => Number(readFileSync(path.join(state, `served-${server}`), 'utf8')));
    run.phases.forEach((phase, i) => expect(served[i]).toBeGreaterThanOrEqual(phase.counts.ok));
    expect(await leftovers(state, result.scope)).toEqual([]);
  }, 180_000);

  it('fails the run when the server dies mid-phase, naming it with its stderr, and stops its helper', async () => {
    const dir = tempDir();
    const state = tempDir('own-server-state-');
    const out = path.join(dir, 'results');
    const result = await runCli(['run', scenarioFile(dir, state, { env: { FAIL_AFTER: '100' }, modes: ['baseline'], duration: '3s' }), '--out', out, ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/app of mode baseline \(pod server\) exited \(code 3\); its stderr ends:\n.*own-server: failing on purpose after 100 requests/);
    expect(readRun(out).run.status).toBe('failed');
    expect(readdirSync(state).filter((name) => name.startsWith('served-'))).toEqual([]);
    expect(await leftovers(state, result.scope)).toEqual([]);
  }, 180_000);

  it('fails before any phase when the server never passes its readiness check, saying what the check saw', async () => {
    const dir = tempDir();
    const state = tempDir('own-server-state-');
    const file = scenarioFile(dir, state, { modes: ['baseline'] });
    writeFileSync(file, readFileSync(file, 'utf8').replace('ready: {httpGet: /healthz}', 'ready: {httpGet: /missing}\n    startTimeout: 1s'));
    const result = await runCli(['run', file, '--out', path.join(dir, 'results'), ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toMatch(/workload\.command \(baseline\) did not start: not ready within 1000 ms: waited for GET \/missing answering 2xx on 127\.0\.0\.1:\d+; the last probe: GET \/missing answered 404/);
    expect(await leftovers(state, result.scope)).toEqual([]);
  }, 180_000);

  it('exits 130 on Ctrl-C during a phase, keeps what was measured and leaves neither server nor helper', async () => {
    const dir = tempDir();
    const state = tempDir('own-server-state-');
    const out = path.join(dir, 'results');
    const { child, done } = startCli(['run', scenarioFile(dir, state, { duration: '4s' }), '--out', out, ...ANY_MACHINE]);
    const phases = (): number => {
      try {
        return (readRun(out).run as RunDocument).phases.length;
      } catch {
        return 0;
      }
    };
    // Into the second mode's phase: every mode's server was started before the first phase, and still runs.
    await poll(() => phases(), (n) => n >= 1, 60_000, 100);
    await sleep(500);
    expect(starts(state).filter(({ server }) => alive(server))).toHaveLength(MODES.length);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(130);
    expect(readRun(out).run.status).toBe('interrupted');
    expect(await leftovers(state, result.scope)).toEqual([]);
  }, 180_000);
});
