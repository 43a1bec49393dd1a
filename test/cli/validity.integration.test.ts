import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRun, runCli, tempDir } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../helpers/servers.ts';

/** A scenario file in a fresh directory; returns its path. */
function scenarioFile(...lines: string[]): string {
  const file = path.join(tempDir(), 'scenario.yaml');
  writeFileSync(file, ['apiVersion: meshtax.dev/v1alpha1', 'kind: Scenario', 'metadata: { name: validity }', ...lines, ''].join('\n'));
  return file;
}

describe('meshtax load with failing requests', () => {
  let failing: TestServer;
  beforeAll(async () => {
    failing = await startServer((_request, response) => {
      response.writeHead(500, { 'content-length': '4' });
      response.end('oops');
    });
  });
  afterAll(async () => failing?.close());

  it('exits 1 when every response is a 500, saying how many failed and the limit', async () => {
    const result = await runCli(['load', failing.url, '--rate', '50', '--duration', '1s', '--warmup', '0s']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/meshtax: \d+ of \d+ requests failed \(100\.00%: \d+ non-2xx; a valid phase has at most 0\.1%\)/);
    // The measurement is still printed, marked invalid in load's words (no mode or repetition to name).
    expect(result.stdout).toMatch(/^requests {6}0 ok, \d+ failed/m);
    expect(result.stdout).toMatch(/^invalid measurement: \d+ of \d+ requests failed/m);
  });
});

describe('meshtax load that finishes no request', () => {
  let silent: TestServer;
  beforeAll(async () => {
    // Takes every request and never answers.
    silent = await startServer(() => {});
  });
  afterAll(async () => silent?.close());

  it('exits 1 in the closed loop, saying no request finished, rather than printing empty percentiles as a success', async () => {
    const result = await runCli(['load', silent.url, '--closed-loop', '--connections', '1', '--duration', '500ms', '--warmup', '0s', '--timeout', '30s']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/meshtax: no request finished in the measured window/);
    expect(result.stdout).toMatch(/^requests {6}0 ok, 0 failed/m);
    expect(result.stdout).toMatch(/^invalid measurement: no request finished/m);
  });
});

describe('meshtax run with a phase below its rate', () => {
  // One connection to a server that takes 50 ms per request carries at most 20 requests a second: asked for 40,
  // the phase reaches about half its rate.
  const starved = scenarioFile(
    'local: { proxy: builtin }',
    'modes: [baseline]',
    'workload: { responseDelay: 50ms }',
    'load: { rates: [40], connections: 1, duration: 1s, warmup: 200ms }',
  );

  it('exits 1, marks the phase invalid in run.json and says so', async () => {
    const out = tempDir();
    const result = await runCli(['run', starved, '--out', out]);
    expect(result.code, result.stderr).toBe(1);
    const { run } = readRun(out);
    expect(run.status).toBe('completed');
    expect(run.phases[0]!.validity).toMatchObject({ valid: false, reasons: [{ code: 'below-rate' }] });
    expect(result.stdout).toMatch(/invalid \[baseline @ 40\.0 rps, rep 1\]: achieved [\d.]+ of 40 rps requested/);
    expect(result.stderr).toMatch(/meshtax: 1 measured phase is invalid .*--allow-invalid/);
  });

  it('exits 0 with --allow-invalid, the mark still in run.json', async () => {
    const out = tempDir();
    const result = await runCli(['run', starved, '--out', out, '--allow-invalid']);
    expect(result.code, result.stderr).toBe(0);
    expect(readRun(out).run.phases[0]!.validity?.valid).toBe(false);
  });
});

describe('thresholds that cannot be judged', () => {
  it('validate and run reject a delta threshold without baseline among the modes, with file:line (exit 2)', async () => {
    const file = scenarioFile('modes: [sidecar]', 'thresholds:', '  - { metric: p99-delta, max: 1ms }');
    for (const command of ['validate', 'run']) {
      const result = await runCli(command === 'run' ? ['run', file, '--out', tempDir()] : ['validate', file]);
      expect(result.code, command).toBe(2);
      expect(result.stderr).toContain(`${file}:6:15: thresholds[0].metric: p99-delta compares each mode with baseline, but 'baseline' is not in modes (sidecar)`);
    }
  });

  it('fails the gate (exit 3) when a threshold ends with no data, unless it says onNoData: pass', async () => {
    // 100 samples: too few for p99.9, so it is never measured. --allow-invalid keeps a busy machine (a phase that
    // falls behind its rate is invalid, exit 1) from hiding the gate this test is about.
    const lines = (onNoData: string) => [
      'local: { proxy: builtin }',
      'modes: [baseline]',
      'load: { rates: [100], duration: 1s, warmup: 200ms }',
      'thresholds:',
      `  - { metric: p999, max: 10s${onNoData} }`,
    ];
    const failing = await runCli(['run', scenarioFile(...lines('')), '--out', tempDir(), '--allow-invalid']);
    expect(failing.code, failing.stderr).toBe(3);
    expect(failing.stdout).toMatch(/threshold FAIL: p999 of baseline at 100 rps: not measured .*; a threshold without data fails unless it says onNoData: pass/);
    const passing = await runCli(['run', scenarioFile(...lines(', onNoData: pass')), '--out', tempDir(), '--allow-invalid']);
    expect(passing.code, passing.stderr).toBe(0);
    expect(passing.stdout).toMatch(/threshold no data: p999 of baseline at 100 rps: not measured/);
  });
});
