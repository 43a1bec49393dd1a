import { describe, expect, it } from 'vitest';
import { phasesCsv } from '../../src/report/csv.ts';
import { htmlReport } from '../../src/report/html/index.ts';
import { junitReport } from '../../src/report/junit.ts';
import { markdownReport } from '../../src/report/markdown.ts';
import { smpReport } from '../../src/report/smp.ts';
import { runSummary } from '../../src/report/terminal.ts';
import { runSchema, type RunDocument } from '../../src/results/schema.ts';
import { fixtureRun } from './fixture.ts';

/**
 * The fixture run as issue 9 saw it: sidecar's first repetition reached 23.6% of its rate, and its comparison with
 * baseline says +1893 ms at p99. No validity is stored (a run.json written before phases carried it): every report
 * must work it out from the phase and mark the comparison invalid instead of showing the delta as mesh tax.
 */
function starvedRun(): RunDocument {
  const run = structuredClone(fixtureRun);
  run.phases[2]!.achievedRps = 236;
  run.comparisons[0]!.latencyDeltaUs.p99 = 1_893_000;
  run.thresholds = [
    {
      metric: 'p99-delta',
      max: 5000,
      unit: 'us',
      mode: 'sidecar',
      rate: 1000,
      value: null,
      interval: null,
      status: 'invalid',
      reason: 'p99-delta of sidecar at 1000 rps: not judged, the measurement is invalid (sidecar rep 1: achieved 236 of 1000 rps requested (23.6%; a valid phase reaches 99%))',
    },
  ];
  return run;
}

const REASON = 'sidecar rep 1: achieved 236 of 1000 rps requested (23.6%; a valid phase reaches 99%)';

describe('an invalid measurement in every report', () => {
  const run = starvedRun();

  it('is still a readable run.json', () => {
    expect(runSchema.safeParse(run).success).toBe(true);
  });

  it('terminal: the comparison is marked invalid, its deltas are not printed as mesh tax', () => {
    const text = runSummary(run, 'run.json');
    expect(text).not.toContain('+1893 ms');
    expect(text).toContain(`invalid [sidecar @ 1000 rps, rep 1]: achieved 236 of 1000 rps requested (23.6%; a valid phase reaches 99%)`);
    expect(text).toContain(`sidecar at 1000 rps: invalid measurement, not mesh tax: ${REASON}`);
    expect(text).toContain('threshold INVALID: p99-delta of sidecar at 1000 rps: not judged');
    // The valid comparison is still in the table.
    expect(text).toMatch(/│ ambient +│ 1000 +│ 2 +│ +\+30 µs/);
  });

  it('report.md: the headline says invalid instead of what the mode adds; the delta table leaves it out', () => {
    const text = markdownReport(run);
    expect(text).not.toContain('+1893 ms');
    expect(text).not.toContain('**sidecar** adds');
    expect(text).toContain(`- **sidecar** at 1000 rps: **invalid measurement**, not mesh tax: ${REASON}`);
    expect(text).toContain('**ambient** at 1000 rps: no significant change at p50 (+30 µs');
    expect(text).toContain('### Invalid measurements');
    expect(text).toContain(`- **sidecar** @ 1000 rps, repetition 1: achieved 236 of 1000 rps requested`);
    const deltas = text.slice(text.indexOf('### Deltas against baseline'), text.indexOf('### Invalid measurements'));
    expect(deltas).toMatch(/^\| ambient \| 1000 \| 2 \(low reliability\) \|/m);
    expect(deltas).not.toContain('sidecar');
    expect(text).toMatch(/\| ⚠️ \| `p99-delta` \| sidecar \|/);
  });

  it('report.html: an invalid-measurements section first, no delta row or bar for the invalid comparison', () => {
    const html = htmlReport(run);
    expect(html).not.toContain('+1893 ms');
    expect(html.indexOf('<h2 id="h-invalid">Invalid measurements</h2>')).toBeGreaterThan(-1);
    expect(html.indexOf('h-invalid')).toBeLessThan(html.indexOf('h-spectrum'));
    expect(html).toContain(`<li><strong>sidecar</strong> at 1000 rps: invalid measurement, not mesh tax: ${REASON}</li>`);
    const data = JSON.parse(/<script type="application\/json" id="meshtax-data">(.*?)<\/script>/s.exec(html)![1]!) as {
      deltas: { series: { mode: string }[] }[];
    };
    expect(data.deltas.flatMap((chart) => chart.series.map((series) => series.mode))).toEqual(['ambient']);
    expect(html).not.toMatch(/<th scope="rowgroup"[^>]*>sidecar</);
  });

  it('report.html: says why there is no delta table when every comparison is invalid', () => {
    const all = starvedRun();
    all.phases[0]!.counts = { ok: 9000, non2xx: 1000, errors: 0, timeouts: 0 };
    const html = htmlReport(all);
    expect(html).toContain('<p>No valid comparison against baseline: see Invalid measurements above.</p>');
    expect(html).toContain('<li><strong>ambient</strong> at 1000 rps: invalid measurement, not mesh tax: baseline rep 1: 1000 of 10000 requests failed');
  });

  it('junit.xml: an error for the invalid comparison, the invalid phase and the threshold not judged', () => {
    const xml = junitReport(run);
    expect(xml).toContain(
      `<testcase classname="meshtax.sidecar" name="mesh tax against baseline @ 1000 rps" time="0">\n      <error message="invalid measurement: ${REASON}" type="invalid-measurement">`,
    );
    expect(xml).toContain('<testcase classname="meshtax.sidecar" name="valid measurement @ 1000 rps, repetition 1" time="0">');
    expect(xml).toContain('<testcase classname="meshtax.sidecar" name="p99-delta &lt;= 5000 µs @ 1000 rps" time="0">\n      <error message="p99-delta of sidecar');
    // One phase failure in the fixture, plus the three above.
    expect(xml).toMatch(/<testsuites name="meshtax" tests="4" failures="0" errors="4" skipped="0">/);
  });

  it('smp.json: the result and the mesh config carry the mark', () => {
    const doc = smpReport(run);
    const sidecar = doc.results.find((r) => r.labels['meshtax.dev/mode'] === 'sidecar')!;
    expect(sidecar.labels['meshtax.dev/valid']).toBe('false');
    expect(sidecar.labels['meshtax.dev/invalid-reasons']).toBe('rep 1: achieved 236 of 1000 rps requested (23.6%; a valid phase reaches 99%)');
    expect(doc.results.find((r) => r.labels['meshtax.dev/mode'] === 'ambient')!.labels['meshtax.dev/valid']).toBe('true');
    const config = doc.service_mesh_configs.find((c) => c.labels['meshtax.dev/mode'] === 'sidecar')!;
    expect(config.labels['meshtax.dev/valid']).toBe('false');
  });

  it('phases.csv: a valid column and the reasons', () => {
    const [header, , , sidecar1, sidecar2] = phasesCsv(run).split('\n');
    expect(header!.endsWith(',valid,invalidReasons')).toBe(true);
    expect(sidecar1!.endsWith(',false,achieved 236 of 1000 rps requested (23.6%; a valid phase reaches 99%)')).toBe(true);
    expect(sidecar2!.endsWith(',true,')).toBe(true);
  });

  it('honours a stored mark, such as the generator saying the tail is its own', () => {
    const stored = structuredClone(fixtureRun);
    const tail = { code: 'generator-tail', message: "the load generator's own lateness is the tail: slip p99 3.1 ms" };
    stored.phases[4]!.validity = { valid: false, reasons: [tail] };
    stored.comparisons[1]!.validity = { valid: false, reasons: [{ code: 'generator-tail', message: `ambient rep 1: ${tail.message}` }] };
    expect(markdownReport(stored)).toContain("- **ambient** at 1000 rps: **invalid measurement**, not mesh tax: ambient rep 1: the load generator's own lateness is the tail");
    expect(runSummary(stored, 'run.json')).toContain('invalid [ambient @ 1000 rps, rep 1]: the load generator');
  });
});
