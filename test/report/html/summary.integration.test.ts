import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trend } from '../../../src/analysis/history.ts';
import { htmlReport } from '../../../src/report/html/index.ts';
import { trendReport } from '../../../src/report/html/trend.ts';
import type { Comparison, RunDocument } from '../../../src/results/schema.ts';
import { launchChromium } from '../../helpers/browser.ts';
import { syntheticRun } from './fixture.ts';

/** What a card shows, read from the page's DOM in Chromium. */
interface ShownCard {
  mode: string;
  rate: string;
  invalid: boolean;
  reliability: string;
  beforeFirstChart: boolean;
  metrics: { key: string; estimate: string; low: string | null; high: string | null; significant: string; value: string; range: string; mark: string }[];
}

const READ_CARDS = `(() => {
  const firstCanvas = document.querySelector('canvas');
  return [...document.querySelectorAll('article.card')].map((card) => ({
    mode: card.dataset.mode,
    rate: card.dataset.rate,
    invalid: card.classList.contains('card-invalid') && /invalid measurement, not mesh tax/.test(card.textContent),
    reliability: card.querySelector('.low-reliability')?.textContent ?? '',
    beforeFirstChart: Boolean(card.compareDocumentPosition(firstCanvas) & Node.DOCUMENT_POSITION_FOLLOWING),
    metrics: [...card.querySelectorAll('.metric')].map((m) => ({
      key: m.dataset.key,
      estimate: m.dataset.estimate,
      low: m.dataset.low ?? null,
      high: m.dataset.high ?? null,
      significant: m.dataset.significant,
      value: m.querySelector('.value').textContent,
      range: m.querySelector('.range')?.textContent ?? '',
      mark: m.querySelector('.mark')?.textContent ?? '',
    })),
  }));
})()`;

/** "+220 µs", "-1.20 ms", "0.26 cores", "100 MiB" back to run.json's unit (µs, cores, bytes). */
function parseShown(text: string): number {
  const match = /^([+-]?)(\d+(?:\.\d+)?) (µs|ms|s|cores|B|KiB|MiB|GiB)$/.exec(text.replace('±', ''));
  if (!match) throw new Error(`unreadable figure: ${text}`);
  const factor = { µs: 1, ms: 1000, s: 1e6, cores: 1, B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 }[match[3] as 'µs'];
  return (match[1] === '-' ? -1 : 1) * Number(match[2]) * factor;
}

function runJsonValue(comparison: Comparison, key: string): { estimate: number | null; interval: { low: number; high: number } | null } {
  if (key === 'meshCpuCores' || key === 'meshMemoryBytes') return { estimate: comparison[key], interval: comparison.intervals[key] };
  const k = key as keyof Comparison['latencyDeltaUs'];
  return { estimate: comparison.latencyDeltaUs[k], interval: comparison.intervals.latencyDeltaUs[k] };
}

describe('report.html answers "what does each mode cost?" first (headless Chromium)', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshtax-summary-'));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function open(html: string, name: string): Promise<void> {
    const file = join(dir, name);
    await writeFile(file, html);
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts-rendered]', { timeout: 10_000 });
  }

  /** The fixture with node-proxy at 1000 rps short of its rate in one repetition: that comparison is invalid. */
  function runWithInvalidPhase(): RunDocument {
    const run = syntheticRun();
    const phase = run.phases.find((p) => p.mode === 'node-proxy' && p.rate === 1000 && p.repetition === 1)!;
    phase.achievedRps = 600;
    return run;
  }

  it("shows a card per mode and rate whose numbers are run.json's, before any chart, with intervals and marks", async () => {
    const runJson = join(dir, 'run.json');
    await writeFile(runJson, JSON.stringify(runWithInvalidPhase()));
    const run = JSON.parse(await readFile(runJson, 'utf8')) as RunDocument;
    await open(htmlReport(run), 'report.html');
    const cards = (await page.evaluate(READ_CARDS)) as ShownCard[];

    expect(cards.map((card) => `${card.mode}@${card.rate}`).sort()).toEqual(
      run.comparisons.map((c) => `${c.mode}@${c.rate}`).sort(),
    );
    for (const card of cards) {
      const comparison = run.comparisons.find((c) => c.mode === card.mode && String(c.rate) === card.rate)!;
      expect(card.beforeFirstChart, card.mode).toBe(true);
      const invalid = card.mode === 'node-proxy' && card.rate === '1000';
      expect(card.invalid, `${card.mode}@${card.rate}`).toBe(invalid);
      if (invalid) {
        // Its deltas are not mesh tax: the card names why and shows no figure as the mode's cost.
        expect(card.metrics).toEqual([]);
        continue;
      }
      expect(card.reliability).toBe('low reliability: 2 rounds');
      expect(card.metrics.map((m) => m.key)).toEqual(['p50', 'p99', 'meshCpuCores', 'meshMemoryBytes']);
      for (const metric of card.metrics) {
        const { estimate, interval } = runJsonValue(comparison, metric.key);
        const where = `${card.mode}@${card.rate} ${metric.key}`;
        expect(Number(metric.estimate), where).toBe(estimate);
        expect(metric.low === null ? null : { low: Number(metric.low), high: Number(metric.high) }, where).toEqual(interval);
        // What a person reads equals run.json's number to the shown precision (3 significant digits at worst).
        expect(Math.abs(parseShown(metric.value) - estimate!), where).toBeLessThanOrEqual(Math.abs(estimate!) * 0.01);
        const significant = comparison.significant[metric.key as keyof Comparison['significant']].significant;
        expect(metric.significant, where).toBe(significant === true ? 'yes' : significant === false ? 'no' : 'none');
        expect(metric.mark, where).toBe(significant === true ? '' : significant === false ? 'not significant' : 'no interval');
        if (interval) expect(metric.range, where).toMatch(/^\[-?[\d.]+, -?[\d.]+\]$/);
        else expect(metric.range, where).toBe('');
      }
    }
  });

  it('keeps every card\'s figures inside the card, with intervals as wide as a real run\'s', async () => {
    const run = syntheticRun();
    // A real run's memory interval ("[49.8 MiB, 85.7 MiB]") ran past a 264 px card when the range could not wrap.
    for (const comparison of run.comparisons) {
      comparison.meshMemoryBytes = 67.4 * 2 ** 20;
      comparison.intervals.meshMemoryBytes = { low: 49.8 * 2 ** 20, high: 85.7 * 2 ** 20 };
      comparison.latencyDeltaUs.p99 = -1234;
      comparison.intervals.latencyDeltaUs.p99 = { low: -12_345, high: 10_987 };
    }
    for (const width of [1200, 900, 600]) {
      await page.setViewportSize({ width, height: 900 });
      await open(htmlReport(run), 'report.html');
      const overflowing = (await page.evaluate(
        `[...document.querySelectorAll('article.card')].filter((card) => card.scrollWidth > card.clientWidth).map((card) => card.dataset.mode + '@' + card.dataset.rate + ': ' + card.scrollWidth + ' > ' + card.clientWidth)`,
      )) as string[];
      expect(overflowing, `${width} px`).toEqual([]);
    }
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  it('draws each latency delta in its own panel, in µs when the numbers are µs, without tick decimals; the generator apart', async () => {
    await open(htmlReport(syntheticRun()), 'report.html');
    const panels = (await page.evaluate(`(() => ['p50', 'p90', 'p99', 'p999'].map((p) => {
      const chart = Chart.getChart('chart-delta-0-' + p);
      return chart && { title: chart.options.scales.x.title.text, ticks: chart.scales.x.ticks.map((t) => String(t.label)), max: chart.scales.x.max };
    }))()`)) as ({ title: string; ticks: string[]; max: number } | null)[];
    for (const panel of panels) {
      expect(panel).not.toBeNull();
      expect(panel!.title).toMatch(/\(µs\)$/);
      for (const tick of panel!.ticks) expect(tick).toMatch(/^-?\d+(\.\d*[1-9])?$/);
    }
    // Its own scale: the p50 panel (sidecar +220 µs) ends near 300, the p99.9 panel (+900 µs) near 1000.
    expect(panels[0]!.max).toBeLessThan(400);
    expect(panels[3]!.max).toBeGreaterThanOrEqual(900);

    const stacked = (await page.evaluate(`Chart.getChart('chart-cpu').data.datasets.map((d) => d.label)`)) as string[];
    expect(stacked).not.toContain('loadgen');
    expect(stacked).toContain('sidecar');
    const loadgenRows = (await page.evaluate(`[...document.querySelectorAll('table.loadgen tbody tr')].map((r) => r.textContent)`)) as string[];
    expect(loadgenRows).toHaveLength(6);
    // The fixture's generator uses 0.3 cores per 1000 rps.
    expect(loadgenRows[0]).toContain('0.15');
  });

  it("labels the spectrum's log axis at 1, 2 and 5 of each decade, without decimals, in the unit of its numbers", async () => {
    await open(htmlReport(syntheticRun()), 'report.html');
    const axes = (await page.evaluate(`[...document.querySelectorAll('canvas[id^="chart-spectrum-"]')].map((canvas) => {
      const chart = Chart.getChart(canvas);
      const values = chart.data.datasets.flatMap((d) => d.data.map((p) => p.y));
      return { title: chart.options.scales.y.title.text, labels: chart.scales.y.ticks.map((t) => String(t.label)).filter((l) => l !== ''), largest: Math.max(...values) };
    })`)) as { title: string; labels: string[]; largest: number }[];
    expect(axes.length).toBeGreaterThan(0);
    for (const axis of axes) {
      expect(axis.labels.length, axis.title).toBeGreaterThan(1);
      for (const label of axis.labels) expect(label, axis.title).toMatch(/^(0\.0*)?[125]0*$/);
      // ms only when some latency reaches a millisecond: below that the axis counts µs.
      if (axis.title === 'latency (ms, log scale)') expect(axis.largest).toBeGreaterThanOrEqual(1);
      else expect([axis.title, axis.largest < 1000]).toEqual(['latency (µs, log scale)', true]);
    }
  });

  it('says why a delta panel is empty instead of drawing bare axes', async () => {
    const run = syntheticRun();
    const why = '600 samples per repetition and 1,200 pooled, p99.9 needs 10,000: no estimate, no interval';
    for (const comparison of run.comparisons) {
      comparison.latencyDeltaUs.p999 = null;
      comparison.significant.p999 = { significant: null, reason: why };
    }
    await open(htmlReport(run), 'report.html');
    const panel = (await page.evaluate(`(() => {
      const canvas = document.getElementById('chart-delta-0-p999');
      return { note: canvas.dataset.noEstimate ?? null, axis: Chart.getChart(canvas).options.scales.x.display };
    })()`)) as { note: string | null; axis: boolean };
    expect(panel).toEqual({ note: why, axis: false });
    const drawn = (await page.evaluate(`document.getElementById('chart-delta-0-p50').dataset.noEstimate ?? null`)) as string | null;
    expect(drawn).toBeNull();
  });

  it('gives a mode the same colour in report.html and history.html, whatever other modes are present', async () => {
    const colours = async (): Promise<Record<string, string>> =>
      (await page.evaluate(`(() => {
        const out = {};
        for (const canvas of document.querySelectorAll('canvas')) {
          const chart = Chart.getChart(canvas);
          if (chart.config.type !== 'line') continue;
          for (const d of chart.data.datasets) out[d.label.split(' @ ')[0]] = d.borderColor;
        }
        return out;
      })()`)) as Record<string, string>;
    await open(htmlReport(syntheticRun()), 'report.html');
    const report = await colours();
    // history of runs where node-proxy appears first: colours by order of appearance would differ.
    const other = syntheticRun();
    other.runId = '20261123-100000-abc1';
    other.startedAt = '2026-11-23T10:00:00.000Z';
    other.phases = other.phases.filter((p) => p.mode !== 'sidecar');
    await open(trendReport(trend([other, syntheticRun()]), 'history'), 'history.html');
    const history = await colours();
    expect(Object.keys(report).sort()).toEqual(['baseline', 'node-proxy', 'sidecar']);
    // history.html follows the tax, so only the modes compared with a baseline have a line there.
    expect(Object.keys(history).sort()).toEqual(['node-proxy', 'sidecar']);
    for (const mode of Object.keys(history)) expect(history[mode], mode).toBe(report[mode]);
    expect(new Set(Object.values(report)).size).toBe(3);
  });
});
