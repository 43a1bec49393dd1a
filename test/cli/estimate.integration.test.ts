import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateResultSchema, type EstimateResult } from '../../src/estimate/result-schema.ts';
import type { RunDocument } from '../../src/results/schema.ts';
import { launchChromium } from '../helpers/browser.ts';
import { readRun, runCli, tempDir } from '../helpers/cli.ts';
import { FLEET_YAML, MIB, NODE_PROXY, SIDECAR, syntheticRun, writeRun } from '../estimate/fixture.ts';

/** `meshtax estimate` as a user runs it: bin/meshtax.js on dist/ (npm run build first). */

const dir = tempDir();
const fleet = path.join(dir, 'fleet.yaml');
writeFileSync(fleet, FLEET_YAML);
const runFile = writeRun(dir, 'run.json', syntheticRun([SIDECAR, NODE_PROXY]));

const parse = (stdout: string): EstimateResult => estimateResultSchema.parse(JSON.parse(stdout));

describe('meshtax estimate on measured runs', () => {
  it('prints the JSON result: 60 services × 3 pods at 0.2 cores per sidecar → 36 cores, + 0.6 for 6 000 rps', async () => {
    const result = await runCli(['estimate', runFile, '--fleet', fleet, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const json = parse(result.stdout);
    const sidecar = json.modes.find((mode) => mode.mode === 'sidecar');
    if (sidecar?.status !== 'estimated') throw new Error('sidecar was not estimated');
    expect(sidecar.fixed[0]?.cpuCores).toBe(36);
    expect(sidecar.cpuCores).toEqual({ value: 36.6, low: 36.36, high: 36.84 });
    expect(sidecar.memoryBytes).toEqual({ value: 9120 * MIB, low: 9060 * MIB, high: 9180 * MIB });
    // 36.6 / 16 = 2.2875 nodes × 450 = 1029.375 (half away from zero at two decimals, in binary: 1029.37 or .38).
    expect(sidecar.money.byNodeMonth?.value).toBeCloseTo(1029.375, 1);
    expect(json.modes.map((mode) => mode.mode)).toEqual(['sidecar', 'node-proxy']);
  });

  it('prints a table by default, with each figure\'s interval and the model', async () => {
    const result = await runCli(['estimate', runFile, '--fleet', fleet]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('fleet hand-example: 60 services, 180 pods, 6,000 rps, 20 nodes of 16 cores and 64.00 GiB');
    expect(result.stdout).toMatch(/│ sidecar\s+│ 1000 rps\s+│ 36\.6 \(36\.4–36\.8\)\s+│ 8\.91 \(8\.85–8\.96\)\s+│ 2\.29 \(2\.27–2\.30\), 3 whole\s+│ 1,029 \(1,023–1,036\)/);
    expect(result.stdout).toContain('fixed, sidecar: 0.2000 cores and 50.0 MiB per proxy at idle × 180 pods = 36.0 cores, 8.79 GiB');
    expect(result.stdout).toContain('network tax today: 40 engineer hours a month × 100 USD = 4,000 USD a month');
    expect(result.stdout).toContain('model:');
  });

  it('writes Markdown to --out and nothing to stdout; a run directory stands for its run.json', async () => {
    const out = path.join(dir, 'estimate.md');
    const result = await runCli(['estimate', dir, '--fleet', fleet, '--format', 'md', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const markdown = readFileSync(out, 'utf8');
    expect(markdown).toMatch(/^# What the mesh costs fleet hand-example/);
    expect(markdown).toContain('| sidecar | 1000 rps | 36.6 (36.4–36.8) | 8.91 (8.85–8.96) | 2.29 (2.27–2.30), 3 whole | 1,029 (1,023–1,036) | 10.3 (10.2–10.4) |');
    expect(markdown).toContain('## Model');
  });

  it('never uses an invalid comparison as a cost, and says so', async () => {
    const mixed = writeRun(dir, 'mixed.json', syntheticRun([SIDECAR, { ...NODE_PROXY, invalid: true, achievedRps: 800 }]));
    const result = await runCli(['estimate', mixed, '--fleet', fleet, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const json = parse(result.stdout);
    expect(json.modes.map((mode) => mode.mode)).toEqual(['sidecar']);
    expect(json.unused).toEqual([expect.objectContaining({ mode: 'node-proxy', reason: expect.stringMatching(/^invalid measurement, not mesh tax/) })]);
  });
});

describe('report.html of an estimate', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('is one self-contained page with every text escaped', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const file = writeRun(dir, 'hostile.json', syntheticRun([{ ...SIDECAR, mode: hostile }]));
    const out = path.join(dir, 'estimate.html');
    const result = await runCli(['estimate', file, '--fleet', fleet, '--format', 'html', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain(hostile);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const page = await browser.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => void (request.url().startsWith('file://') || requests.push(request.url())));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(pathToFileURL(out).href, { waitUntil: 'load' });
    const cells = await page.$$eval('tbody tr:first-child td', (tds) => tds.map((td) => td.textContent));
    await page.close();
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    expect(cells.slice(0, 3)).toEqual([hostile, '1000 rps', '36.6 (36.4–36.8)']);
  });
});

describe('bad input exits 2 with one line that says what to fix', () => {
  const expectInvalid = async (args: string[], message: RegExp) => {
    const result = await runCli(['estimate', ...args]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  };

  it('a run.json that is not there', () => expectInvalid([path.join(dir, 'nope.json'), '--fleet', fleet], /cannot read .*nope\.json: ENOENT/));

  it('a fleet file with a mistake, at its file:line:col', async () => {
    const bad = path.join(dir, 'bad-fleet.yaml');
    writeFileSync(bad, FLEET_YAML.replace('cores: 16', 'cores: many'));
    await expectInvalid([runFile, '--fleet', bad], new RegExp(`${bad.replaceAll('.', '\\.')}:4:28: nodes\\.cores: must be a number of cores`));
  });

  it('no fleet file given', () => expectInvalid([runFile], /required option '--fleet <file>' not specified/));

  it('a run without comparisons', () => {
    const lone: RunDocument = { ...syntheticRun([SIDECAR]), comparisons: [] };
    return expectInvalid([writeRun(dir, 'lone.json', lone), '--fleet', fleet], /lone\.json has no comparisons/);
  });

  it('a mode the runs did not measure', () => expectInvalid([runFile, '--fleet', fleet, '--mode', 'linkerd'], /no run given measured mode linkerd; the runs have: sidecar, node-proxy/));

  it('an --out whose directory does not exist', () =>
    expectInvalid([runFile, '--fleet', fleet, '--out', path.join(dir, 'missing', 'x.md')], /--out .*: directory .*missing does not exist/));

  it('a format it does not write', () => expectInvalid([runFile, '--fleet', fleet, '--format', 'pdf'], /argument 'pdf' is invalid/));
});

describe('on a real run of the local runtime', () => {
  // The run is real, so on a crowded machine its phases may come out invalid (below their rate): --allow-invalid keeps
  // the run, and the test then checks the other promise, that estimate refuses to price an invalid comparison.
  it('projects what the run measured (idle per sidecar × pods + CPU above idle per 1000 rps × fleet rps), or refuses an invalid run', async () => {
    const out = tempDir();
    const run = await runCli([
      'run', '--out', out, '--allow-invalid',
      '--set', 'modes=[baseline,sidecar]', '--set', 'load.rates=[100]', '--set', 'load.duration=2s', '--set', 'load.warmup=1s', '--set', 'load.repetitions=2',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const { runDir, run: doc } = readRun(out);
    const comparison = doc.comparisons.find((c) => c.mode === 'sidecar')!;
    const result = await runCli(['estimate', runDir, '--fleet', fleet, '--format', 'json']);
    if (comparison.validity?.valid === false) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/no comparison in the runs given can be used as a cost \(sidecar at 100 rps in .*: invalid measurement, not mesh tax/);
      return;
    }
    expect(result.code, result.stderr).toBe(0);
    const [sidecar] = parse(result.stdout).modes;
    if (sidecar?.status !== 'estimated') throw new Error(`not estimated: ${JSON.stringify(sidecar)}`);
    // The same arithmetic, done here from run.json itself.
    const phases = doc.phases.filter((phase) => phase.mode === 'sidecar');
    const rows = phases.flatMap((phase) => phase.resources.filter((row) => row.role === 'sidecar'));
    const idle = rows.reduce((t, row) => t + row.idleCpuCores!, 0) / phases.length;
    const achieved = phases.reduce((t, phase) => t + phase.achievedRps, 0) / phases.length;
    const perProxyIdle = idle / 2;
    const perK = Math.max(0, comparison.meshCpuCores - idle) / (achieved / 1000);
    expect(sidecar.fixed[0]).toMatchObject({ role: 'sidecar', measuredProxies: 2, fleetProxies: 180 });
    expect(sidecar.cpuCores.value).toBeCloseTo(perProxyIdle * 180 + perK * 6, 3);
    expect(sidecar.source).toMatchObject({ runId: doc.runId, rate: 100, repetitions: 2 });
    const interval = comparison.intervals.meshCpuCores!;
    expect(sidecar.cpuCores.high).toBeCloseTo(perProxyIdle * 180 + (Math.max(0, interval.high - idle) / (achieved / 1000)) * 6, 3);
  });
});
