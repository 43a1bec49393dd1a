import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openReport } from '../helpers/browser.ts';
import { ANY_MACHINE, readRun, runCli, tempDir } from '../helpers/cli.ts';
import { splitComparisons } from '../../src/analysis/validity.ts';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => browser?.close());

describe('reports of the quick start', () => {
  it('are written beside run.json; report.html draws its charts in headless Chromium and report.md shows deltas', async () => {
    const out = tempDir();
    const result = await runCli(['run', '--out', out, '--set', 'load.duration=1s', '--set', 'load.warmup=200ms', '--set', 'load.repetitions=2', ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(0);
    const { runDir, run } = readRun(out);
    // nodes.csv when a comparison that is mesh tax recorded its nodes (every valid local one does).
    const nodes = splitComparisons(run.comparisons, run.phases).valid.some((comparison) => (comparison.meshPerNode ?? []).length > 0);
    expect(result.stdout).toContain(`reports: report.md, junit.xml, phases.csv, ${nodes ? 'nodes.csv, ' : ''}smp.json, report.html`);
    expect(readdirSync(runDir).sort()).toEqual(['junit.xml', ...(nodes ? ['nodes.csv'] : []), 'phases.csv', 'report.html', 'report.md', 'run.json', 'smp.json']);

    const page = await openReport(browser, path.join(runDir, 'report.html'));
    expect(page.problems).toEqual([]);
    expect(page.requests).toEqual([]);
    // One rate: a spectrum and a delta panel per percentile (each on its own scale), then CPU and memory. A crowded
    // machine can make a phase invalid; its deltas are not mesh tax and are not drawn (the fixture-based report tests
    // cover both cases whatever the machine).
    const { valid } = splitComparisons(run.comparisons, run.phases);
    const deltaCharts = valid.length > 0 ? ['p50', 'p90', 'p99', 'p999'].map((key) => [`chart-delta-0-${key}`, 'true']) : [];
    expect(page.canvases.map((canvas) => [canvas.id, canvas.rendered])).toEqual([
      ['chart-spectrum-0', 'true'],
      ...deltaCharts,
      ['chart-cpu', 'true'],
      ['chart-memory', 'true'],
    ]);
    for (const canvas of page.canvases) expect(canvas.paintedPixels, canvas.id).toBeGreaterThan((canvas.width * canvas.height) / 100);

    const markdown = readFileSync(path.join(runDir, 'report.md'), 'utf8');
    expect(markdown).toMatch(/^## meshtax: quickstart — run `\S+` completed/);
    expect(markdown).toMatch(/proxy: haproxy \S+ \(mTLS on\)/);
    // Two rounds: every delta at p50 has an interval, and two rounds are marked low reliability.
    expect(markdown).toMatch(
      valid.some((comparison) => comparison.mode === 'sidecar') ? /\| sidecar \| 1000 \| 2 \(low reliability\) \| [+-]\S+ (µs|ms) \[[^\]]+\]/ : /^- \*\*sidecar\*\* at 1000 rps: \*\*invalid measurement\*\*, not mesh tax/m,
    );
    const smp = JSON.parse(readFileSync(path.join(runDir, 'smp.json'), 'utf8')) as { results: { latencies_ms: { p50: number } }[] };
    expect(smp.results.length).toBe(3);
    // Milliseconds: the first result is baseline's, pooled over its repetitions, so its median lies between the
    // repetitions' own medians (run.json's microseconds / 1000; 1% for the histogram's bucket precision).
    const baselineP50Ms = run.phases.filter((phase) => phase.mode === 'baseline').map((phase) => (phase.latencyUs.p50 ?? Number.NaN) / 1000);
    expect(baselineP50Ms).toHaveLength(2);
    expect(smp.results[0]!.latencies_ms.p50).toBeGreaterThanOrEqual(Math.min(...baselineP50Ms) * 0.99);
    expect(smp.results[0]!.latencies_ms.p50).toBeLessThanOrEqual(Math.max(...baselineP50Ms) * 1.01);
  });

  it('meshtax report writes them again, in the formats asked for', async () => {
    const out = tempDir();
    // What is tested is rewriting the reports: a phase this short and cold may be marked invalid (the generator's own
    // tail), which changes its marks, not whether its reports can be written again.
    const result = await runCli(['run', '--out', out, '--set', 'modes=[baseline]', '--set', 'load.duration=1s', '--set', 'load.warmup=0s', ...ANY_MACHINE]);
    expect(result.code, result.stderr).toBe(0);
    const { runDir } = readRun(out);
    const again = tempDir();
    const report = await runCli(['report', path.join(runDir, 'run.json'), '--out', again, '--format', 'markdown,junit']);
    expect(report.code, report.stderr).toBe(0);
    expect(readdirSync(again).sort()).toEqual(['junit.xml', 'report.md']);
    expect((await runCli(['report', path.join(runDir, 'run.json'), '--format', 'pdf'])).code).toBe(2);
    expect((await runCli(['report', 'package.json'])).stderr).toMatch(/not a meshtax run.json/);
  });
});
