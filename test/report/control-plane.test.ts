import { describe, expect, it } from 'vitest';
import { htmlReport } from '../../src/report/html/index.ts';
import { markdownReport } from '../../src/report/markdown.ts';
import { runSummary } from '../../src/report/terminal.ts';
import type { RunDocument } from '../../src/results/schema.ts';
import { fixtureRun } from './fixture.ts';

/** The fixture's sidecar comparison with what it added to its control plane over idle. */
function withControlPlane(): RunDocument {
  const run = structuredClone(fixtureRun);
  run.comparisons = run.comparisons.map((c) => (c.mode === 'sidecar' ? { ...c, controlPlaneCpuCores: 0.05, controlPlaneMemoryBytes: 6 * 2 ** 20 } : c));
  return run;
}

const HEAD = 'control plane, its increase over idle (shared, not in mesh CPU and memory):';

describe('the control plane\'s increase over idle in the reports', () => {
  it('the terminal summary shows it under the mesh tax table, for the modes that measured one', () => {
    const summary = runSummary(withControlPlane(), 'run.json');
    expect(summary).toContain(`${HEAD}\n  sidecar @ 1000 rps: 0.050 cores, 6.00 MiB`);
    expect(summary).not.toMatch(/ambient @ 1000 rps: .* cores/);
    expect(runSummary(fixtureRun, 'run.json')).not.toContain(HEAD);
  });

  it('report.md and report.html show it beside the deltas', () => {
    expect(markdownReport(withControlPlane())).toContain(`${HEAD}  \nsidecar @ 1000 rps: 0.050 cores, 6.00 MiB  `);
    expect(htmlReport(withControlPlane())).toContain(`<p class="reason">${HEAD}</p>\n<ul class="control-plane">\n<li>sidecar @ 1000 rps: 0.050 cores, 6.00 MiB</li>`);
    expect(markdownReport(fixtureRun)).not.toContain(HEAD);
  });
});
