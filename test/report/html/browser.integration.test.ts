import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlReport } from '../../../src/report/html/index.ts';
import { launchChromium, openReport } from '../../helpers/browser.ts';
import { syntheticRun } from './fixture.ts';

describe('the HTML report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshtax-html-'));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    if (process.env['MESHTAX_KEEP_SCREENSHOT'] === undefined) await rm(dir, { recursive: true, force: true });
  });

  it('renders every chart offline, without errors and without a single network request', async () => {
    const file = join(dir, 'report.html');
    await writeFile(file, htmlReport(syntheticRun()));
    const screenshot = join(dir, 'report.png');
    const { problems, requests, chartsRendered, canvases } = await openReport(browser, file, screenshot);
    console.log(`screenshot: ${screenshot}`);

    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    // A panel per percentile per rate: each delta on its own scale.
    const panels = [0, 1].flatMap((rate) => ['p50', 'p90', 'p99', 'p999'].map((p) => `chart-delta-${rate}-${p}`));
    expect(chartsRendered).toBe('12');
    expect(canvases.map((canvas) => canvas.id)).toEqual(['chart-spectrum-0', 'chart-spectrum-1', ...panels, 'chart-cpu', 'chart-memory']);
    for (const canvas of canvases) {
      expect(canvas.rendered, canvas.id).toBe('true');
      expect(canvas.width, canvas.id).toBeGreaterThan(300);
      expect(canvas.height, canvas.id).toBeGreaterThan(150);
      // Axes, labels and series: well over 1% of the canvas painted.
      expect(canvas.paintedPixels, canvas.id).toBeGreaterThan((canvas.width * canvas.height) / 100);
    }
  });
});
