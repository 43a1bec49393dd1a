import { expect, it } from 'vitest';
import { compareModes } from '../../src/analysis/comparisons.ts';
import { trend } from '../../src/analysis/history.ts';
import { syntheticQuickstart } from '../helpers/synthetic-runs.ts';

it('keeps an invalid comparison off the trend of the mesh tax, marked with why', () => {
  const valid = syntheticQuickstart(31);
  const short = syntheticQuickstart(32);
  // The sidecar's first round reached half its rate: that comparison is no mesh tax.
  short.phases[1] = { ...short.phases[1]!, achievedRps: 500, validity: undefined };
  short.startedAt = '2099-01-01T00:00:00.000Z';
  for (const run of [valid, short]) run.comparisons = compareModes(run.phases);
  const points = trend([valid, short]).filter((point) => point.mode === 'sidecar');
  expect(points).toHaveLength(2);
  expect(points[0]!.invalid).toBeNull();
  expect(points[0]!.deltaP50).not.toBeNull();
  expect(points[1]!.invalid).toMatch(/^sidecar rep 1: achieved 500 of 1000 rps/);
  expect([points[1]!.deltaP50, points[1]!.deltaP99, points[1]!.meshCpuCores]).toEqual([null, null, null]);
  // Its absolute latency is still what was measured.
  expect(points[1]!.p50).not.toBeNull();
});
