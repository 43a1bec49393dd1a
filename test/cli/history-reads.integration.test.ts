import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { RunDocument } from '../../src/results/schema.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { fixtureRun } from '../report/fixture.ts';

interface Point {
  runId: string;
  startedAt: string;
  mode: string;
  repetitions: number;
  p50: number | null;
  p99: number | null;
  deltaP50: number | null;
}

/** Not base64, not a histogram: anything that decoded or checked it would refuse the file. */
const GARBAGE = '%%% not a histogram %%%';

function write(dir: string, run: RunDocument): void {
  mkdirSync(path.join(dir, run.runId));
  writeFileSync(path.join(dir, run.runId, 'run.json'), JSON.stringify(run));
}

// history reads thousands of run.json files: it validates and decodes only what its table shows. Were it to go back
// to validating whole documents or checking every histogram, the damaged runs below would be skipped.
it('history shows a run whose parts it does not read are damaged, with the points of the intact run', async () => {
  const dir = tempDir();
  const intact = { ...structuredClone(fixtureRun), runId: '20250301-100000-aaaa' } as RunDocument;
  write(dir, intact);

  // Service-time histograms, resources, generator figures, intervals, thresholds and the machine's description
  // are never shown by history: all broken here.
  const damaged = structuredClone(intact) as unknown as Record<string, unknown> & RunDocument;
  damaged.runId = '20250302-100000-bbbb';
  damaged.startedAt = '2025-03-02T10:00:00.000Z';
  for (const phase of damaged.phases as unknown as Record<string, unknown>[]) {
    Object.assign(phase, { serviceTimeHistogram: GARBAGE, serviceTimeUs: 'gone', resources: 'gone', generator: null, bytesReceived: -1 });
  }
  for (const comparison of damaged.comparisons as unknown as Record<string, unknown>[]) Object.assign(comparison, { intervals: 'gone', significant: 7 });
  Object.assign(damaged, { thresholds: [{ metric: 7 }], failures: 'none', warnings: null });
  Object.assign(damaged.environment, { node: 24, cpus: 'two' });
  write(dir, damaged);

  // One repetition per mode: nothing is pooled, so no latency histogram is decoded; the percentiles are the phase's own.
  const single = structuredClone(intact);
  single.runId = '20250303-100000-cccc';
  single.startedAt = '2025-03-03T10:00:00.000Z';
  single.phases = single.phases.filter((phase) => phase.repetition === 1).map((phase) => ({ ...phase, histogram: GARBAGE }));
  write(dir, single);

  const result = await runCli(['history', dir, '--json']);
  expect(result.code, result.stderr).toBe(0);
  const { runs, skipped, points } = JSON.parse(result.stdout) as { runs: number; skipped: string[]; points: Point[] };
  expect(skipped).toEqual([]);
  expect(runs).toBe(3);
  const of = (runId: string): Omit<Point, 'runId' | 'startedAt'>[] =>
    points.filter((point) => point.runId === runId).map(({ runId: _runId, startedAt: _startedAt, ...rest }) => rest);
  expect(of(intact.runId)).toHaveLength(3);
  // Pooled over two repetitions: not one repetition's own percentile.
  expect(of(intact.runId)[0]!.p99).not.toBe(intact.phases[0]!.latencyUs.p99);
  expect(of(damaged.runId)).toEqual(of(intact.runId));
  expect(of(single.runId).map((point) => [point.mode, point.repetitions, point.p50, point.p99])).toEqual(
    single.phases.map((phase) => [phase.mode, 1, phase.latencyUs.p50, phase.latencyUs.p99]),
  );

  // What history does show is still checked: a pooled latency histogram that is garbage skips its run, named.
  const pooledGarbage = structuredClone(intact);
  pooledGarbage.runId = '20250304-100000-dddd';
  pooledGarbage.phases[3]!.histogram = GARBAGE;
  write(dir, pooledGarbage);
  const table = await runCli(['history', dir]);
  expect(table.code, table.stderr).toBe(0);
  expect(table.stdout).toContain('meshtax history: 3 run(s)');
  expect(table.stdout).toContain(`skipped ${path.join(dir, pooledGarbage.runId, 'run.json')}: phase 4 (sidecar @ 1000 rps rep 2): latency histogram: not base64`);
});
