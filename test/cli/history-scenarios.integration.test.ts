import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RunDocument } from '../../src/results/schema.ts';
import type { LocalDescription } from '../../src/runtimes/local/description.ts';
import { localDescription } from '../helpers/runtime-descriptions.ts';
import { launchChromium, openReport } from '../helpers/browser.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { syntheticRun } from '../report/html/fixture.ts';

interface Variant {
  name: string;
  day: number;
  proxy?: LocalDescription['proxy']['kind'];
  mtls?: boolean;
  durationMs?: number;
}

/** A finished run of `name` (baseline, sidecar, node-proxy at 500 and 1 000 rps), started on 2026-11-<day>. */
function runOf({ name, day, proxy = 'haproxy', mtls = true, durationMs = 20_000 }: Variant): RunDocument {
  const run = syntheticRun();
  const started = `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z`;
  run.runId = `202611${String(day).padStart(2, '0')}-100000-${(0xa000 + day).toString(16)}`;
  run.startedAt = started;
  run.finishedAt = started.replace('10:00', '10:05');
  run.environment.runtime = localDescription({ proxy: { kind: proxy, version: '2.8.5' }, mtls });
  run.scenario = {
    apiVersion: 'meshtax.dev/v1alpha1',
    kind: 'Scenario',
    metadata: { name },
    runtime: 'local',
    local: { proxy: 'auto', mtls },
    modes: ['baseline', 'sidecar', 'node-proxy'],
    workload: { payloadBytes: 1024, responseDelay: 0 },
    load: { loop: 'open', rates: [500, 1000], connections: 16, duration: durationMs, repetitions: 2 },
  };
  // Each run's tax a little different, so a line's points can be told apart.
  for (const comparison of run.comparisons) comparison.latencyDeltaUs.p50 = (comparison.latencyDeltaUs.p50 ?? 0) + day;
  return run;
}

describe('meshtax history groups runs by scenario and the settings that change the numbers', () => {
  const dir = tempDir();
  const variants: Variant[] = [
    { name: 'quickstart', day: 1 },
    // A longer run of the same experiment joins the same trend.
    { name: 'quickstart', day: 2, durationMs: 60_000 },
    { name: 'quickstart', day: 3, proxy: 'builtin' },
    { name: 'quickstart', day: 4, mtls: false },
    { name: 'tls-cost', day: 5 },
  ];
  let browser: Browser;

  beforeAll(async () => {
    for (const variant of variants) {
      const run = runOf(variant);
      mkdirSync(path.join(dir, run.runId));
      writeFileSync(path.join(dir, run.runId, 'run.json'), JSON.stringify(run));
    }
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('never joins an HAProxy run to a built-in-proxy run, or mTLS on to off; a longer run joins its trend', async () => {
    const result = await runCli(['history', dir, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { runs, groups, points } = JSON.parse(result.stdout) as {
      runs: number;
      groups: { scenario: string; fingerprint: string; settings: string; runs: number }[];
      points: { runId: string; scenario: string; fingerprint: string }[];
    };
    expect(runs).toBe(5);
    expect(groups.map((g) => [g.scenario, g.runs])).toEqual([
      ['quickstart', 2],
      ['quickstart', 1],
      ['quickstart', 1],
      ['tls-cost', 1],
    ]);
    // The fingerprint covers the settings; the name keeps tls-cost apart from quickstart's identical settings.
    expect(new Set(groups.slice(0, 3).map((g) => g.fingerprint)).size).toBe(3);
    expect(groups[1]!.settings).toContain('builtin 2.8.5');
    expect(groups[2]!.settings).toContain('mTLS off');
    const fingerprintOf = (day: number): string[] => [...new Set(points.filter((p) => p.runId.startsWith(`202611${String(day).padStart(2, '0')}`)).map((p) => p.fingerprint))];
    expect(fingerprintOf(1)).toEqual(fingerprintOf(2));
  });

  it('--scenario keeps one scenario; an unknown one exits 2 and names those there are', async () => {
    const one = await runCli(['history', dir, '--json', '--scenario', 'tls-cost']);
    expect(one.code, one.stderr).toBe(0);
    const { runs, points } = JSON.parse(one.stdout) as { runs: number; points: { scenario: string }[] };
    expect(runs).toBe(1);
    expect(new Set(points.map((p) => p.scenario))).toEqual(new Set(['tls-cost']));

    const none = await runCli(['history', dir, '--scenario', 'nope']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--scenario nope: no run of that scenario');
    expect(none.stderr).toContain('quickstart, tls-cost');
  });

  it('prints a table per group under its settings, with thousands separators', async () => {
    const result = await runCli(['history', dir, '--scenario', 'quickstart']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^meshtax history: 4 run\(s\) under .*, 3 scenario setting\(s\)$/m);
    expect(result.stdout).toMatch(/^quickstart \[[0-9a-f]{8}\]: local, haproxy 2\.8\.5, mTLS on, modes baseline, sidecar, node-proxy, 500, 1,000 rps, 16 connections, 1,024 B payload$/m);
    expect(result.stdout).toMatch(/│ 1,000 │/);
    expect(result.stdout).not.toContain('tls-cost');
  });

  it('--html plots Δp50, Δp99 and mesh CPU per mode on a time axis, one section per group', async () => {
    const html = path.join(tempDir(), 'history.html');
    const result = await runCli(['history', dir, '--html', html]);
    expect(result.code, result.stderr).toBe(0);
    const page = await openReport(browser, html);
    expect(page.problems).toEqual([]);
    expect(page.requests).toEqual([]);
    const ids = [0, 1, 2, 3].flatMap((g) => ['deltaP50', 'deltaP99', 'meshCpuCores'].map((m) => `chart-trend-${g}-${m}`));
    expect(page.canvases.map((canvas) => canvas.id)).toEqual(ids);
    for (const canvas of page.canvases) expect(canvas.rendered, canvas.id).toBe('true');

    const context = await browser.newContext();
    const tab = await context.newPage();
    try {
      await tab.goto(`file://${html}`);
      await tab.waitForSelector('body[data-charts-rendered]');
      const lines = (await tab.evaluate(`Chart.getChart('chart-trend-0-deltaP50').data.datasets.map((d) => ({ label: d.label, points: d.data.map((p) => [p.x, p.y]) }))`)) as {
        label: string;
        points: [number, number][];
      }[];
      // The first group holds days 1 and 2 only: the sidecar's Δp50 at 500 rps is 220 µs + day, at each run's start.
      const sidecar = lines.find((line) => line.label === 'sidecar @ 500 rps')!;
      expect(sidecar.points).toEqual([
        [Date.parse('2026-11-01T10:00:00.000Z'), 221],
        [Date.parse('2026-11-02T10:00:00.000Z'), 222],
      ]);
      expect(lines.map((line) => line.label).sort()).toEqual(['node-proxy @ 1,000 rps', 'node-proxy @ 500 rps', 'sidecar @ 1,000 rps', 'sidecar @ 500 rps']);
      const tick = (await tab.evaluate(`Chart.getChart('chart-trend-0-deltaP50').scales.x.ticks.map((t) => t.label)`)) as string[];
      // Two runs a day apart: ticks on whole UTC hours, no seconds, no decimals.
      expect(tick.length).toBeGreaterThan(1);
      for (const label of tick) expect(label).toMatch(/^11-0[12] \d\d:00$/);
    } finally {
      await context.close();
    }
  });
});
