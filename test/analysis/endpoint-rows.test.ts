import { describe, expect, it } from 'vitest';
import { endpointRows } from '../../src/analysis/endpoints.ts';
import { encodeHistogram, newHistogram, recordUs, summarize } from '../../src/core/histogram.ts';
import type { PhaseRecord } from '../../src/results/schema.ts';
import { markdownReport } from '../../src/report/markdown.ts';
import { endpointTable } from '../../src/report/endpoints.ts';
import { htmlReport } from '../../src/report/html/index.ts';
import { fixtureRun } from '../report/fixture.ts';

/** An endpoint whose every request took `us` microseconds, `count` of them. */
function endpoint(name: string, us: number, count: number) {
  const histogram = newHistogram();
  for (let i = 0; i < count; i++) recordUs(histogram, us);
  const summary = summarize(histogram);
  return {
    name,
    method: 'GET',
    path: `/${name}`,
    counts: { ok: count, non2xx: 0, errors: 0, timeouts: 0 },
    latencyUs: summary,
    serviceTimeUs: summary,
    histogram: encodeHistogram(histogram),
    serviceTimeHistogram: encodeHistogram(histogram),
  };
}

/** A phase whose endpoints `cart` and `search` took the given times (µs), 2 000 requests each. */
function phase(mode: string, repetition: number, cartUs: number, searchUs: number): PhaseRecord {
  return { ...fixtureRun.phases[0]!, mode, repetition, rate: 1000, endpoints: [endpoint('cart', cartUs, 2000), endpoint('search', searchUs, 2000)] };
}

const phases = [
  phase('baseline', 1, 100, 1000),
  phase('sidecar', 1, 300, 1100),
  phase('baseline', 2, 110, 1010),
  phase('sidecar', 2, 320, 1130),
  phase('baseline', 3, 90, 990),
  phase('sidecar', 3, 280, 1090),
];

describe('per-endpoint rows', () => {
  it('pool each endpoint over repetitions and compare it with the same endpoint of baseline, paired by round', () => {
    const rows = endpointRows(phases);
    expect(rows.map((row) => `${row.mode} ${row.endpoint} ${row.requests}`)).toEqual([
      'baseline cart 6000',
      'baseline search 6000',
      'sidecar cart 6000',
      'sidecar search 6000',
    ]);
    const cart = rows.find((row) => row.mode === 'sidecar' && row.endpoint === 'cart')!;
    // Pooled: the sidecar's cart requests took 280, 300 and 320 µs, a third each: p50 300 µs; baseline's 100.
    expect(cart.latencyUs.p50).toBe(300);
    expect(cart.delta?.p50.us).toBe(200);
    // Per round: 200, 210, 190 µs; a t interval around 200 that excludes 0.
    expect(cart.delta?.p50.interval?.low).toBeLessThan(200);
    expect(cart.delta?.p50.interval?.high).toBeGreaterThan(200);
    expect(cart.delta?.p50.judgement.significant).toBe(true);
    const search = rows.find((row) => row.mode === 'sidecar' && row.endpoint === 'search')!;
    expect(search.delta?.p50.us).toBe(100);
    expect(rows.find((row) => row.mode === 'baseline')?.delta).toBeUndefined();
  });

  it('appear in the terminal summary and report.md, and not for a run without a request mix', () => {
    const table = endpointTable(phases)!;
    expect(table).toContain('cart');
    expect(table).toContain('+200 µs');
    const run = { ...fixtureRun, phases };
    expect(markdownReport(run)).toContain('### Per endpoint');
    expect(markdownReport(run)).toMatch(/\| sidecar \| 1000 \| search \| 6,000 \| 0 \| 1\.10 ms \|/);
    expect(endpointTable(fixtureRun.phases)).toBeUndefined();
    expect(markdownReport(fixtureRun)).not.toContain('### Per endpoint');
  });

  it('appear in report.html with their intervals, and not for a run without a request mix', () => {
    const html = htmlReport({ ...fixtureRun, phases });
    const section = html.slice(html.indexOf('<h2 id="h-endpoints">Per endpoint</h2>'), html.indexOf('</section>', html.indexOf('id="h-endpoints"')));
    expect(section).toContain('<th scope="col">Δp50</th>');
    const cart = endpointRows(phases).find((row) => row.mode === 'sidecar' && row.endpoint === 'cart')!.delta!.p50.interval!;
    expect(section).toContain(
      `<tr><td>sidecar</td><td class="num">1000</td><td>cart</td><td class="num">6,000</td><td class="num">0</td><td class="num">300 µs</td><td class="num">320 µs</td><td class="num">320 µs</td><td class="num">+200 µs [${Math.round(cart.low)}, ${Math.round(cart.high)}]</td>`,
    );
    expect(section.match(/<tr><td>/g)).toHaveLength(4);
    expect(htmlReport(fixtureRun)).not.toContain('h-endpoints');
  });
});
