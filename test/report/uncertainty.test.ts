import { describe, expect, it } from 'vitest';
import { compareModes } from '../../src/analysis/comparisons.ts';
import { decodeHistogram, encodeHistogram, newHistogram, recordUs, summarize } from '../../src/core/histogram.ts';
import type { PhaseRecord } from '../../src/results/schema.ts';
import { htmlReport } from '../../src/report/html/index.ts';
import { junitReport } from '../../src/report/junit.ts';
import { markdownReport } from '../../src/report/markdown.ts';
import { comparisonTable, runSummary } from '../../src/report/terminal.ts';
import { fixtureRun } from './fixture.ts';

// Issue 9, "what users see": every report shows each delta with its interval and its marks, the way run.json has them.

/** A phase whose latency histogram holds 2 000 samples: `tails` of them at `tail` µs, the rest at `body` µs. */
function phase(mode: string, repetition: number, body: number, tail: number, tails = 30): PhaseRecord {
  const h = newHistogram();
  for (let i = 0; i < 2000 - tails; i++) recordUs(h, body);
  for (let i = 0; i < tails; i++) recordUs(h, tail);
  const encoded = encodeHistogram(h);
  const template = fixtureRun.phases[0]!;
  return { ...template, mode, repetition, histogram: encoded, latencyUs: summarize(decodeHistogram(encoded)), warnings: [], resources: [] };
}

/**
 * Three rounds on a busy machine: in round 1 the baseline phase was hit by a 900 ms stall in its tail, the sidecar
 * phase was not. Pooled, the sidecar's p99 is hundreds of ms "below" baseline; round by round it is noise.
 */
function busyRun() {
  const phases = [
    phase('baseline', 1, 300, 900_000, 100),
    phase('sidecar', 1, 420, 2_000),
    phase('baseline', 2, 310, 1_500),
    phase('sidecar', 2, 430, 1_900),
    phase('baseline', 3, 305, 1_600),
    phase('sidecar', 3, 425, 30_000),
  ];
  return { ...fixtureRun, phases, failures: [], thresholds: [], comparisons: compareModes(phases) };
}

describe('uncertainty in every report', () => {
  it('run.json of the busy run: the big negative p99 delta is not significant', () => {
    const [sidecar] = busyRun().comparisons;
    expect(sidecar!.latencyDeltaUs.p99!).toBeLessThan(-100_000);
    expect(sidecar!.significant.p99).toEqual({ significant: false, reason: 'interval includes 0' });
    expect(sidecar!.significant.p50.significant).toBe(true);
  });

  it('terminal: each Δ has its interval, "not significant" and "low reliability" marks, and the reason an interval is missing', () => {
    const table = comparisonTable(fixtureRun.comparisons);
    expect(table).toMatch(/│ sidecar +│ 1000 │ 2 +│ +\+167 µs │/);
    expect(table).toMatch(/│ +│ +│ low reliability │ +\[120, 210\] │/);
    expect(table).toMatch(/\[-10, 60\] │/);
    expect(table).toContain('not significant');
    expect(table).toContain('no interval¹');
    expect(table).toContain('¹ 1,000 samples per repetition and 2,000 pooled, p99.9 needs 10,000: no estimate, no interval');
    expect(table).toContain('not significant: the interval includes 0; low reliability: 2–4 rounds');
    // The busy run: the −hundreds-of-ms p99 is printed with its interval and marked.
    const busy = runSummary(busyRun(), 'run.json');
    const p99Cell = /│ sidecar +│ 1000 │ 3 +│[^│]+│[^│]+│ +(-\d+ ms) │/.exec(busy);
    expect(p99Cell, busy).not.toBeNull();
    expect(busy).toMatch(/│ +│ +│ low reliability │[^│]+│[^│]+│ +\[-?\d+, \d+\] │/);
    expect(busy).toMatch(/│ +│ +│ +│[^│]+│[^│]+│ not significant │/);
  });

  it('report.md: the headline never says "adds" a negative delta that is not significant', () => {
    const text = markdownReport(busyRun());
    expect(text).toMatch(/- \*\*sidecar\*\* at 1000 rps: adds \+\d+ µs \[\d+, \d+\] at p50; no significant change at p99 \(-\d+ ms \[-?\d+, \d+\], not significant\)/);
    expect(text).not.toMatch(/adds -/);
    expect(text).toContain('3 (low reliability)');
  });

  it('report.html: a delta that is not significant is never marked significant, and reliability is shown', () => {
    const html = htmlReport(busyRun());
    const p99Row = /<tr><td>p99 latency<\/td>.*?<\/tr>/.exec(html)![0];
    expect(p99Row).toContain('<td class="sig-no">not significant');
    expect(p99Row).not.toContain('sig-yes');
    expect(html).toContain('<span class="low-reliability">low reliability: 3 rounds</span>');
    const p999Row = /<tr><td>p99.9 latency<\/td>.*?<\/tr>/.exec(html)![0];
    expect(p999Row).toContain('no interval <span class="reason">2,000 samples per repetition and 6,000 pooled, p99.9 needs 10,000: no estimate, no interval</span>');
  });

  it('junit.xml: the mesh tax with intervals, marks and reasons beside the test cases', () => {
    const xml = junitReport(fixtureRun);
    const out = /<system-out>([\s\S]*)<\/system-out>/.exec(xml)![1]!;
    expect(out).toContain('mesh tax of sidecar against baseline at 1000 rps, 2 rounds (low reliability: 2 rounds):');
    expect(out).toContain('  Δp50: +167 µs [120, 210]\n');
    expect(out).toContain('  Δp50: +30 µs [-10, 60] not significant (interval includes 0)');
    expect(out).toContain('  Δp99.9: — no interval (1,000 samples per repetition and 2,000 pooled, p99.9 needs 10,000: no estimate, no interval)');
    expect(out).toContain('  mesh CPU: 0.18 cores [0.18, 0.19]');
  });
});
