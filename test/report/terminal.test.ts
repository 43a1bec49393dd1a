import { describe, expect, it } from 'vitest';
import type { RunDocument } from '../../src/results/schema.ts';
import { runSummary } from '../../src/report/terminal.ts';
import { fixtureRun } from './fixture.ts';

const count = (text: string, needle: string): number => text.split(needle).length - 1;

describe('the terminal summary', () => {
  it('prints a warning raised by several phases once, naming the phases', () => {
    const summary = runSummary(fixtureRun, 'results/x/run.json');
    // generator-behind is raised by sidecar rep 1, sidecar rep 2 and ambient rep 2: one entry, one hint.
    expect(count(summary, 'generator-behind')).toBe(1);
    expect(summary).toContain('warning generator-behind [3 phases: sidecar ×2, ambient]: the generator fell behind: p99 slip 85 µs');
    expect(count(summary, 'hint: use more workers, or a lower rate')).toBe(1);
    // A warning of one phase still says which phase.
    expect(summary).toContain('warning few-samples [sidecar @ 1000 rps, rep 2]: p99.9 needs 10 000 samples');
    // Run warnings come first, as before.
    expect(summary.indexOf('warning: CPU frequency scaling is on')).toBeLessThan(summary.indexOf('warning generator-behind'));
  });

  it('prints one line per warning code on a quick start whose six phases all warn alike', () => {
    const few = { code: 'few-samples', message: '6000 samples: p99.9 needs at least 10000; those percentiles are left out', hint: 'lengthen load.duration' };
    const phases = fixtureRun.phases.map((phase) => ({ ...phase, warnings: [few] }));
    const summary = runSummary({ ...fixtureRun, phases }, 'run.json');
    expect(summary.split('\n').filter((line) => line.startsWith('warning few-samples'))).toEqual([
      `warning few-samples [6 phases: baseline ×2, sidecar ×2, ambient ×2]: ${few.message}`,
    ]);
  });

  it('says latency is from the intended send time for an open-loop run', () => {
    expect(runSummary(fixtureRun, 'run.json')).toContain('latency is measured from the intended send time (open loop');
  });

  it('does not claim an intended send time for a closed-loop run', () => {
    const closed: RunDocument = {
      ...fixtureRun,
      scenario: { ...fixtureRun.scenario, load: { loop: 'closed' } },
      phases: fixtureRun.phases.map((phase) => ({ ...phase, loop: 'closed' as const, rate: null })),
      comparisons: fixtureRun.comparisons.map((comparison) => ({ ...comparison, rate: null })),
    };
    const summary = runSummary(closed, 'run.json');
    expect(summary).not.toMatch(/intended send time|open loop/);
    expect(summary).toContain('closed loop');
  });

  it('says closed loop before any phase ran when the scenario is closed-loop', () => {
    const summary = runSummary({ ...fixtureRun, scenario: { load: { loop: 'closed' } }, phases: [], comparisons: [] }, 'run.json');
    expect(summary).not.toMatch(/intended send time/);
  });
});
