import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANY_MACHINE, runCli, tempDir } from '../../helpers/cli.ts';
import { splitComparisons } from '../../../src/analysis/validity.ts';
import { formatDeltaUs } from '../../../src/core/format.ts';
import type { RunDocument } from '../../../src/results/schema.ts';

/**
 * The pilot example, run for real with short durations: its three scenarios (a large-response HTTP service, a gRPC
 * service with drawn reply sizes, a chatty request mix) each measured in baseline and sidecar, then `meshtax report` of the three runs
 * writing the pilot's reports, each holding every service's results.
 */

const PILOT = path.resolve(import.meta.dirname, '../../../scenarios/pilot');
const SERVICES = ['catalog-http', 'orders-grpc', 'sessions-chatty'] as const;
const SHORT = ['--set', 'load.duration=1s', '--set', 'load.warmup=200ms', '--set', 'load.repetitions=2', '--set', 'modes=[baseline,sidecar]', '--set', 'load.rates=[100]'];

const out = tempDir();
const runs = new Map<string, { dir: string; run: RunDocument }>();
const pilotDir = path.join(out, 'pilot');
let report: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  expect(readdirSync(PILOT).filter((file) => file.endsWith('.yaml')).sort()).toEqual(SERVICES.map((name) => `${name}.yaml`));
  for (const name of SERVICES) {
    const runsDir = path.join(out, name);
    const result = await runCli(['run', path.join(PILOT, `${name}.yaml`), '--out', runsDir, '--quiet', ...SHORT, ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(0);
    const [id] = readdirSync(runsDir);
    const dir = path.join(runsDir, id!);
    runs.set(name, { dir, run: JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunDocument });
  }
  report = await runCli(['report', ...SERVICES.map((name) => runs.get(name)!.dir), '--out', pilotDir]);
}, 240_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const runOf = (name: string): RunDocument => runs.get(name)!.run;
const read = (file: string): string => readFileSync(path.join(pilotDir, file), 'utf8');

describe('the pilot example', () => {
  it('measures three different services: large HTTP answers, gRPC calls, a chatty mix of two endpoints', () => {
    for (const name of SERVICES) {
      const run = runOf(name);
      expect(run.status, name).toBe('completed');
      // Rotated: the second round starts with the other mode.
      expect(run.phases.map((phase) => phase.mode), name).toEqual(['baseline', 'sidecar', 'sidecar', 'baseline']);
    }
    const perResponse = (run: RunDocument): number => {
      const answered = run.phases.reduce((sum, phase) => sum + phase.counts.ok + phase.counts.non2xx, 0);
      return run.phases.reduce((sum, phase) => sum + phase.bytesReceived, 0) / answered;
    };
    // Log-normal with a 64 KiB median against fixed 256-byte answers.
    expect(perResponse(runOf('catalog-http'))).toBeGreaterThan(32 * 1024);
    expect(perResponse(runOf('sessions-chatty'))).toBeLessThan(1024);
    // gRPC replies of the drawn log-normal size (median 2 KiB): the HTTP/2 echo draws from the model too.
    expect(perResponse(runOf('orders-grpc'))).toBeGreaterThan(1024);
    expect(runOf('orders-grpc').phases.every((phase) => phase.endpoints?.map((e) => e.name).join() === 'meshtax.echo.v1.Echo/Echo')).toBe(true);
    expect(runOf('sessions-chatty').phases.every((phase) => phase.endpoints?.map((e) => e.name).join() === 'lookup,touch')).toBe(true);
  });

  it('meshtax report of the three runs prints every service\'s mesh tax and writes every report format', () => {
    expect(report.code, report.stderr).toBe(0);
    // nodes.csv (with a service column) when some service's comparison is mesh tax and recorded its nodes.
    const nodes = SERVICES.some((name) => splitComparisons(runOf(name).comparisons, runOf(name).phases).valid.some((c) => (c.meshPerNode ?? []).length > 0));
    expect(readdirSync(pilotDir).sort()).toEqual(['junit.xml', ...(nodes ? ['nodes.csv'] : []), 'phases.csv', 'report.html', 'report.md', 'smp.json']);
    if (nodes) expect(read('nodes.csv').split('\n')[0]).toBe('service,mode,baseline,rate,depth,node,containers,cpuCores,cpuCoresLow,cpuCoresHigh,memoryBytes,memoryBytesLow,memoryBytesHigh');
    expect(report.stdout).toContain(`meshtax pilot: ${SERVICES.join(', ')}`);
    for (const name of SERVICES) expect(report.stdout).toMatch(new RegExp(`│ ${name} +│ (http1|grpc) +│ sidecar`));
  });

  it('report.md: one row per service and mode with its own run\'s delta, then each service\'s report', () => {
    const markdown = read('report.md');
    expect(markdown).toMatch(/^# meshtax pilot: 3 services/);
    for (const name of SERVICES) {
      const run = runOf(name);
      const { valid, invalid } = splitComparisons(run.comparisons, run.phases);
      expect(valid.length + invalid.length).toBe(1);
      const row = markdown.split('\n').find((line) => line.startsWith(`| ${name} | `));
      expect(row, name).toBeDefined();
      expect(row).toContain(valid.length === 1 ? formatDeltaUs(valid[0]!.latencyDeltaUs.p50) : 'invalid measurement, not mesh tax');
      expect(markdown).toContain(`## Service \`${name}\``);
      expect(markdown).toContain(`### meshtax: ${name} — run \`${run.runId}\` completed`);
      expect(markdown).toContain(`[report.html](../${name}/${run.runId}/report.html)`);
    }
    expect(markdown).toContain('#### Per endpoint');
  });

  it('report.html: the summary table, and per service its section with deltas and endpoints', () => {
    const html = read('report.html');
    expect(html.match(/<article class="service"/g)).toHaveLength(3);
    expect(html).not.toContain('<script');
    for (const [index, name] of SERVICES.entries()) {
      const start = html.indexOf(`<article class="service" id="service-${index + 1}"`);
      const section = html.slice(start, html.indexOf('</article>', start));
      expect(section).toContain(`Service <code>${name}</code>`);
      expect(section).toContain(`href="../${name}/${runOf(name).runId}/report.html"`);
      expect(html).toMatch(new RegExp(`<tr><td>${name}</td><td>(http1|grpc)</td><td>sidecar</td>`));
    }
    const chatty = html.slice(html.indexOf('id="service-3"'));
    expect(chatty).toContain('<h2 id="service-3-h-endpoints">Per endpoint</h2>');
    expect(chatty).toMatch(/<td>sidecar<\/td><td class="num">100<\/td><td>touch<\/td>/);
  });

  it('junit.xml: a testsuite per service; phases.csv: every phase with its service; smp.json: results labelled by service', () => {
    const junit = read('junit.xml');
    expect([...junit.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(SERVICES.map((name) => `meshtax thresholds: ${name}`));
    for (const name of SERVICES) expect(junit).toContain(`<property name="service" value="${name}"/>`);

    const [header, ...rows] = read('phases.csv').trimEnd().split('\n');
    expect(header!.startsWith('service,mode,rate,depth,repetition,')).toBe(true);
    expect(rows.map((row) => row.split(',').slice(0, 2).join())).toEqual(SERVICES.flatMap((name) => runOf(name).phases.map((phase) => `${name},${phase.mode}`)));

    const smp = JSON.parse(read('smp.json')) as { results: { labels: Record<string, string> }[]; environment_configs: unknown[] };
    expect(smp.results.map((r) => `${r.labels['meshtax.dev/service']}/${r.labels['meshtax.dev/mode']}`)).toEqual(SERVICES.flatMap((name) => [`${name}/baseline`, `${name}/sidecar`]));
    expect(smp.environment_configs).toHaveLength(3);
  });

  it('refuses two runs of one scenario, and several runs without --out (exit 2)', async () => {
    const dir = runs.get('orders-grpc')!.dir;
    const twice = await runCli(['report', dir, dir, '--out', path.join(out, 'twice')]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('are both runs of scenario orders-grpc');
    const noOut = await runCli(['report', dir, runs.get('catalog-http')!.dir]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('give --out DIR');
    const intoRun = await runCli(['report', dir, runs.get('catalog-http')!.dir, '--out', dir]);
    expect(intoRun.code).toBe(2);
    expect(intoRun.stderr).toContain("would replace that run's own");
  });
});
