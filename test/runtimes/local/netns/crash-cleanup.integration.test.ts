import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { netnsRuns, tracesAfter } from './helpers.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/exit-midway.ts', import.meta.url));

describe('a meshtax process that crashes with its network up', () => {
  const runs = netnsRuns();

  it('still removes its namespaces, veth pairs and rules, synchronously on exit', async () => {
    const runId = runs.fresh();
    const result = spawnSync(process.execPath, [FIXTURE, runId], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('crashed on purpose');
    // It had made them: two namespaces, three links, one rule.
    const made = (JSON.parse(result.stdout) as { made: { links: string[]; intercept: string[]; waypointNamespace: string } }).made;
    expect(made.links).toHaveLength(3);
    expect(made.intercept).toHaveLength(1);
    expect(made.waypointNamespace).toContain(runId.slice(-4));
    expect(await tracesAfter(runId, 0)).toEqual([]);
  });
});
