import { describe, expect, it } from 'vitest';
import { pilotCsv, pilotJunit, pilotSmp } from '../../../src/report/pilot/machine.ts';
import { pilotMarkdown } from '../../../src/report/pilot/markdown.ts';
import { pilotHtml } from '../../../src/report/pilot/html.ts';
import { pilotSummary, wrap } from '../../../src/report/pilot/write.ts';
import { pilotServices, serviceLine, summaryRows } from '../../../src/report/pilot/services.ts';
import { junitReport } from '../../../src/report/junit.ts';
import { phasesCsv } from '../../../src/report/csv.ts';
import { MAX_MARKDOWN_CHARS } from '../../../src/report/markdown.ts';
import { deltaLine } from '../../../src/report/uncertainty.ts';
import type { RunDocument } from '../../../src/results/schema.ts';
import { fixtureRun } from '../fixture.ts';

/** The pilot's reports from fixed runs: three services built from one synthetic run, renamed and re-described. */

function service(name: string, scenario: Record<string, unknown>, runId: string): { run: RunDocument; file: string } {
  return {
    run: { ...fixtureRun, runId, scenario: { ...fixtureRun.scenario, metadata: { name, description: `the ${name} service` }, ...scenario } },
    file: `/results/pilot/${runId}/run.json`,
  };
}

const services = pilotServices([
  service('catalog', { workload: { command: { argv: ['node', 'catalog.js', '--port', '{port}'] } } }, 'run-a'),
  service('orders', { load: { protocol: 'grpc' } }, 'run-b'),
  service('sessions', { workload: { image: { name: 'ghcr.io/acme/sessions:2.1' } }, load: { protocol: 'http2' } }, 'run-c'),
]);

describe('a pilot of several runs', () => {
  it('names each service by its scenario and says what it speaks and what answered', () => {
    expect(services.map((s) => s.name)).toEqual(['catalog', 'orders', 'sessions']);
    expect(services.map((s) => serviceLine(s.run))).toEqual([
      'http1 · your server: node catalog.js --port {port}',
      "grpc · meshtax's echo server",
      'http2 · your image: ghcr.io/acme/sessions:2.1',
    ]);
  });

  it('refuses two runs of one scenario, naming both files', () => {
    expect(() => pilotServices([service('orders', {}, 'run-1'), service('orders', {}, 'run-2')])).toThrow(
      '/results/pilot/run-1/run.json and /results/pilot/run-2/run.json are both runs of scenario orders',
    );
  });

  it('summarises every comparison of every service with its own interval', () => {
    const rows = summaryRows(services, (delta) => deltaLine(delta));
    expect(rows).toHaveLength(services.length * fixtureRun.comparisons.length);
    const sidecar = fixtureRun.comparisons.find((c) => c.mode === 'sidecar')!;
    const row = rows.find((r) => r[0] === 'orders' && r[2] === 'sidecar')!;
    expect(row[1]).toBe('grpc');
    expect(row[5]).toContain(`[${Math.round(sidecar.intervals.latencyDeltaUs.p50!.low)}, ${Math.round(sidecar.intervals.latencyDeltaUs.p50!.high)}]`);
  });

  it('shows a service without comparisons, and one whose comparison is invalid, as such', () => {
    const lone = pilotServices([{ run: { ...fixtureRun, comparisons: [] }, file: 'a/run.json' }]);
    expect(summaryRows(lone, deltaLine)[0]![5]).toBe('no comparison against baseline in this run');
    const failing = { ...fixtureRun, phases: fixtureRun.phases.map((phase) => (phase.mode === 'sidecar' ? { ...phase, achievedRps: 500 } : phase)) };
    const rows = summaryRows(pilotServices([{ run: failing, file: 'b/run.json' }]), deltaLine);
    expect(rows.find((r) => r[2] === 'sidecar')![5]).toMatch(/^invalid measurement, not mesh tax: sidecar rep 1: achieved 500 of 1000 rps/);
    const html = pilotHtml(pilotServices([{ run: failing, file: 'b/run.json' }, { run: { ...failing, scenario: { metadata: { name: 'other' } } }, file: 'c/run.json' }]), '.');
    expect(html).toContain('<h2 id="service-1-h-invalid">Invalid measurements</h2>');
    expect(html).toContain('<h2 id="service-2-h-invalid">Invalid measurements</h2>');
    expect(html).toMatch(/<li>\[sidecar @ 1000 rps, rep 1\] achieved 500 of 1000 rps/);
    // The terminal: the reason spans the four delta columns, wrapped, in the run's order of comparisons.
    const terminal = pilotSummary(pilotServices([{ run: failing, file: 'b/run.json' }]));
    expect(terminal).toMatch(/│ quickstart │ http1 +│ sidecar +│ 1000 │ 2 \(low reliability\) │ invalid measurement, not mesh tax: sidecar rep 1: achieved 500 of 1000 +│/);
    expect(terminal.indexOf('│ sidecar')).toBeLessThan(terminal.indexOf('│ ambient'));
    expect(terminal.split('\n').filter((line) => line.startsWith('│')).every((line) => line.length < 160)).toBe(true);
    expect(wrap('aaa bb cc dddddd e', 6)).toBe('aaa bb\ncc\ndddddd\ne');
  });

  it('report.md holds each service\'s report one heading down, linked from the pilot\'s directory, under the comment limit', () => {
    const markdown = pilotMarkdown(services, '/results/pilot');
    expect(markdown.length).toBeLessThanOrEqual(MAX_MARKDOWN_CHARS);
    for (const s of services) {
      expect(markdown).toContain(`## Service \`${s.name}\`\n\nthe ${s.name} service. `);
      expect(markdown).toContain(`### meshtax: ${s.name} — run \`${s.run.runId}\``);
      expect(markdown).toContain(`[report.html](${s.run.runId}/report.html)`);
    }
    expect(markdown).toContain('#### Deltas against baseline');
    expect(markdown).not.toMatch(/^## meshtax:/m);
  });

  it('report.html keeps heading ids apart between services and escapes their text', () => {
    const evil = pilotServices([service('x', { metadata: { name: 'x', description: '<script>alert(1)</script>' } }, 'run-x')]);
    const html = pilotHtml(evil, '/results/pilot');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const ids = [...pilotHtml(services, '/results/pilot').matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('junit.xml sums its suites\' counts; phases.csv and smp.json carry the service on every row and result', () => {
    const junit = pilotJunit(services);
    const one = junitReport(fixtureRun).match(/<testsuites name="meshtax" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)">/)!;
    const all = junit.match(/<testsuites name="meshtax" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)">/)!;
    expect(all.slice(1).map(Number)).toEqual(one.slice(1).map((n) => Number(n) * 3));
    expect(junit).toContain('classname="meshtax.orders.sidecar"');

    const csv = pilotCsv(services).trimEnd().split('\n');
    const single = phasesCsv(fixtureRun).trimEnd().split('\n');
    expect(csv[0]).toBe(`service,${single[0]}`);
    expect(csv.slice(1)).toEqual(services.flatMap((s) => single.slice(1).map((row) => `${s.name},${row}`)));

    const smp = pilotSmp(services);
    expect(new Set(smp.results.map((r) => r.id)).size).toBe(smp.results.length);
    expect(smp.service_mesh_configs.every((c) => ['catalog', 'orders', 'sessions'].includes(c.labels['meshtax.dev/service']!))).toBe(true);
  });
});
