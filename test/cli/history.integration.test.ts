import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchChromium, openReport } from '../helpers/browser.ts';
import { ANY_MACHINE, runCli, tempDir } from '../helpers/cli.ts';

describe('meshtax history', () => {
  it('tabulates the runs of a directory oldest first and skips files it cannot read', async () => {
    const out = tempDir();
    for (const rate of ['[300]', '[200]']) {
      const result = await runCli(['run', '--out', out, '--set', 'modes=[baseline]', '--set', `load.rates=${rate}`, '--set', 'load.duration=1s', '--set', 'load.warmup=0s', ...ANY_MACHINE]);
      expect(result.code, result.stderr).toBe(0);
    }
    mkdirSync(path.join(out, 'junk'));
    writeFileSync(path.join(out, 'junk', 'run.json'), '{"not":"a run"}');
    const result = await runCli(['history', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { runs, skipped, points } = JSON.parse(result.stdout) as { runs: number; skipped: string[]; points: { rate: number; mode: string }[] };
    expect(runs).toBe(2);
    expect(skipped).toEqual([path.join(out, 'junk', 'run.json')]);
    expect(points.map((p) => [p.mode, p.rate])).toEqual([
      ['baseline', 300],
      ['baseline', 200],
    ]);
    const html = path.join(tempDir(), 'trend.html');
    const table = await runCli(['history', out, '--html', html]);
    expect(table.stdout).toMatch(/meshtax history: 2 run\(s\)/);
    const browser = await launchChromium();
    try {
      const page = await openReport(browser, html);
      expect(page.problems).toEqual([]);
      expect(page.requests).toEqual([]);
      // Baseline-only runs have no mesh tax to plot (test/cli/history-scenarios.integration.test.ts draws the charts): the page says so.
      expect(page.canvases).toEqual([]);
      expect(page.chartsRendered).toBe('0');
      expect(readFileSync(html, 'utf8')).toContain('No mode was compared with a baseline in these runs: no mesh tax to plot.');
    } finally {
      await browser.close();
    }
  });

  it('exits 2 for a directory without runs', async () => {
    const result = await runCli(['history', tempDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no run.json under/);
  });
});
