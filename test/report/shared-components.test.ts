import { describe, expect, it } from 'vitest';
import { htmlReport } from '../../src/report/html/index.ts';
import { junitReport } from '../../src/report/junit.ts';
import { markdownReport } from '../../src/report/markdown.ts';
import { smpReport } from '../../src/report/smp.ts';
import type { RunDocument } from '../../src/results/schema.ts';
import { fixtureRun } from './fixture.ts';

/** The fixture with ambient's ztunnel marked shared, and the warning the Kubernetes runtime writes for it. */
function sharedRun(): RunDocument {
  const run = structuredClone(fixtureRun);
  for (const phase of run.phases) {
    phase.resources = phase.resources.map((row) => (row.role === 'node-proxy' ? { ...row, shared: true, idleCpuCores: 0.03, idleMemoryBytes: 2 ** 20 } : row));
  }
  run.warnings = [
    ...run.warnings,
    { code: 'shared-components', message: 'shared with other workloads of the cluster: ztunnel on node a (node-proxy rows)' },
  ];
  return run;
}

describe('shared components in the reports', () => {
  it('junit.xml names them in system-out, with the other run warnings', () => {
    const out = /<system-out>([\s\S]*)<\/system-out>/.exec(junitReport(sharedRun()))![1]!;
    expect(out).toContain('warning: shared with other workloads of the cluster: ztunnel on node a (node-proxy rows)');
    expect(out).toContain('warning: CPU frequency scaling is on\n  hint: set the governor to performance');
  });

  it('report.md marks the shared role in the per-role table and says it is shown whole', () => {
    const md = markdownReport(sharedRun());
    expect(md).toMatch(/\| ambient +\| +1,?000 \| node-proxy \(shared\) \|/);
    expect(md).toContain('A shared role includes a component that serves other workloads of the cluster too: it is shown whole here');
    // Unshared roles stay unmarked, and a run without shared rows has no note.
    expect(md).not.toContain('waypoint (shared)');
    expect(markdownReport(fixtureRun)).not.toContain('(shared)');
  });

  it('report.html names the shared roles under the CPU and memory charts', () => {
    expect(htmlReport(sharedRun())).toContain('<p class="reason">Shared: node-proxy. A shared role includes a component');
    expect(htmlReport(fixtureRun)).not.toContain('Shared: ');
  });

  it('smp.json labels the mode whose figures charge a shared role over idle', () => {
    const labels = smpReport(sharedRun()).service_mesh_configs.map((config) => config.labels);
    expect(labels.find((l) => l['meshtax.dev/mode'] === 'ambient')!['meshtax.dev/shared-roles']).toBe('node-proxy');
    expect(labels.find((l) => l['meshtax.dev/mode'] === 'sidecar')!['meshtax.dev/shared-roles']).toBeUndefined();
  });
});
