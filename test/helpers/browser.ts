import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env['MESHTAX_CHROMIUM'] ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** The little of HTMLCanvasElement the check uses (the project's tsconfig has no DOM lib). */
interface CanvasLike {
  id: string;
  width: number;
  height: number;
  getAttribute(name: string): string | null;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/** What one canvas looks like after the page's script ran. */
export interface CanvasState {
  id: string;
  rendered: string | null;
  width: number;
  height: number;
  paintedPixels: number;
}

export interface OpenedReport {
  /** Console errors and warnings, and page errors. */
  problems: string[];
  /** Every request to something other than file://. */
  requests: string[];
  chartsRendered: string | null;
  canvases: CanvasState[];
}

/** Headless Chromium from Debian's package (no browser download); fails with the fix when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it), or set MESHTAX_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Opens a report file, waits for its charts, and reads what a person would see; optionally screenshots it. */
export async function openReport(browser: Browser, file: string, screenshot?: string): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) requests.push(request.url());
  });
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForSelector('body[data-charts-rendered]', { timeout: 10_000 });
    const canvases = await page.$$eval('canvas', (elements) =>
      elements.map((element): CanvasState => {
        const canvas = element as unknown as CanvasLike;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
        return { id: canvas.id, rendered: canvas.getAttribute('data-rendered'), width: canvas.width, height: canvas.height, paintedPixels: painted };
      }),
    );
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return { problems, requests, chartsRendered: await page.getAttribute('body', 'data-charts-rendered'), canvases };
  } finally {
    await page.close();
  }
}
