import { describe, expect, it } from 'vitest';
import { htmlReport, jsonForScript, reportData } from '../../../src/report/html/index.ts';
import { INJECTED, syntheticRun } from './fixture.ts';

describe('the HTML report page', () => {
  const run = syntheticRun();
  const html = htmlReport(run);

  it('names the run, its status and the proxy that carried the traffic', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<title>meshtax: sidecar vs ambient &lt;demo&gt; (20261122-100000-abc1)</title>');
    expect(html).toContain('status-completed');
    expect(html).toContain('proxy: haproxy 2.8.5 (mTLS on)');
  });

  it('says where latency is measured from by the load loop: the intended send time open, the send closed', () => {
    expect(html).toContain('<p>Latency from the intended send time (corrected for coordinated omission), each mode');
    const closed = syntheticRun();
    for (const phase of closed.phases) Object.assign(phase, { loop: 'closed', rate: null });
    for (const comparison of closed.comparisons) comparison.rate = null;
    const page = htmlReport(closed);
    expect(page).toContain("<p>Latency from each request's send (closed loop: each connection sends when its previous response arrives), each mode");
    expect(page).not.toContain('intended send time');
    expect(page).not.toContain('coordinated omission');
  });

  it('escapes text from run.json: a script in a warning or a failure stays text', () => {
    expect(html).not.toContain(INJECTED);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('generator fell behind &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(html).toContain('use more workers &amp; check &lt;cpu&gt;');
    expect(html).toContain('proxy crashed &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    // Exactly the three script elements the page means to have: data, Chart.js, the page's own.
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });

  it('keeps embedded JSON inside its script element', () => {
    const json = jsonForScript({ mode: '</script><script>x()</script><!--' });
    expect(json).not.toContain('</');
    expect(json).not.toContain('<!--');
    expect(JSON.parse(json)).toEqual({ mode: '</script><script>x()</script><!--' });
  });

  it('names no network address at all: no http(s) URL, no external font or stylesheet', () => {
    expect(html).not.toMatch(/https?:\/\//i);
    // Markup and style only: the inlined Chart.js bundle mentions url( and .src in code paths the page never takes
    // (the browser test checks that the page requests nothing).
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');
    expect(markup).not.toMatch(/<link\b|@import|@font-face|url\(|\bsrc=/i);
    expect(html).not.toContain('sourceMappingURL');
  });

  it('has headings, table headers and a titled canvas per chart: a spectrum and a delta panel per percentile per rate, CPU, memory', () => {
    expect(html.match(/<canvas id="chart-spectrum-\d+" role="img" aria-label="Latency by percentile/g)).toHaveLength(2);
    expect(html.match(/<canvas id="chart-delta-\d+-p\d+" role="img" aria-label="p[\d.]+ Latency delta against baseline/g)).toHaveLength(8);
    expect(html).toContain('<h2 id="h-summary">What each mode costs</h2>');
    expect(html.indexOf('id="h-summary"')).toBeLessThan(html.indexOf('<canvas'));
    expect(html).toContain('id="chart-cpu"');
    expect(html).toContain('id="chart-memory"');
    expect(html).toContain('<th scope="col">95% interval</th>');
    expect(html).toContain('<h2 id="h-warnings">Warnings</h2>');
  });

  it('computes the spectrum from the pooled histograms: p0 upward, monotone, stopping before 10 samples remain', () => {
    const { spectrum, deltas, resources } = reportData(run);
    expect(spectrum.map((chart) => chart.rate)).toEqual([500, 1000]);
    const [baseline, sidecar, nodeProxy] = spectrum[0]!.series;
    expect([baseline!.mode, sidecar!.mode, nodeProxy!.mode]).toEqual(['baseline', 'sidecar', 'node-proxy']);
    expect(baseline!.samples).toBe(40_000);
    const points = baseline!.points;
    expect(points[0]).toMatchObject({ p: 0, x: 1 });
    // 40 000 samples: p99.975 leaves exactly 10 above it (x = 4000); the next step, x ≈ 4467, leaves fewer.
    expect(points.at(-1)!.x).toBeLessThanOrEqual(4000);
    expect(points.at(-1)!.p).toBeGreaterThan(99.9);
    for (let i = 1; i < points.length; i++) expect(points[i]!.ms).toBeGreaterThanOrEqual(points[i - 1]!.ms);
    // Log-normal around 300 µs × 1.1 at 500 rps: the median lands near 0.33 ms.
    const median = points.find((point) => Math.abs(point.x - 2) < 0.01);
    expect(median!.ms).toBeCloseTo(0.33, 1);
    // Deltas in ms with their intervals; p99.9 has no interval in the fixture.
    expect(deltas[0]!.series[0]).toEqual({
      mode: 'sidecar',
      valuesMs: [0.22, 0.3, 0.52, 0.9],
      intervalsMs: [
        { low: (220 * 0.8) / 1000, high: (220 * 1.25) / 1000 },
        { low: (300 * 0.8) / 1000, high: (300 * 1.25) / 1000 },
        { low: (520 * 0.8) / 1000, high: (520 * 1.25) / 1000 },
        null,
      ],
      // p99 is not significant and p99.9 has no interval: the chart draws both hollow.
      marks: ['', '', 'not significant', 'no interval'],
      // Every percentile has an estimate: nothing is missing.
      missing: [null, null, null, null],
    });
    // Resources: both sidecar containers summed, then the two repetitions averaged: (0.26 × 0.95 + 0.26 × 1.05) / 2 × 0.5.
    const sidecarRole = resources.roles.find((series) => series.role === 'sidecar')!;
    const sidecarAt500 = resources.groups.findIndex((group) => group.mode === 'sidecar' && group.rate === 500);
    expect(resources.groups[sidecarAt500]!.label).toBe('sidecar @ 500 rps');
    expect(sidecarRole.cpuCores[sidecarAt500]).toBeCloseTo(0.13, 12);
    expect(sidecarRole.memoryMiB[sidecarAt500]).toBe(100);
    // The load generator is reported apart from the system under test: 0.3 cores per 1000 rps in the fixture.
    expect(resources.roles.map((series) => series.role)).toEqual(['app', 'sidecar', 'node-proxy']);
    expect(resources.loadgen!.cpuCores[sidecarAt500]).toBeCloseTo(0.15, 12);
    expect(resources.loadgen!.memoryMiB[sidecarAt500]).toBe(90);
  });
});
