import { expect, it } from 'vitest';
import { bootstrapDeltaInterval } from '../../src/analysis/statistics/bootstrap.ts';

const mode = [512.5, 530.25, 498.75, 541, 507.125, 520];
const base = [401.5, 395.25, 410.75, 399, 404.125];

it('gives the identical interval for the same inputs and seed, and another for another seed', () => {
  const first = bootstrapDeltaInterval(mode, base, { seed: 42 });
  const second = bootstrapDeltaInterval([...mode], [...base], { seed: 42 });
  expect(first).not.toBeNull();
  expect(second).toStrictEqual(first);
  for (const statistic of ['mean', 'median'] as const) {
    expect(bootstrapDeltaInterval(mode, base, { seed: 7, statistic, resamples: 2000 })).toStrictEqual(
      bootstrapDeltaInterval(mode, base, { seed: 7, statistic, resamples: 2000 }),
    );
  }
  const other = bootstrapDeltaInterval(mode, base, { seed: 43 });
  expect(other!.estimate).toBe(first!.estimate);
  expect([other!.low, other!.high]).not.toStrictEqual([first!.low, first!.high]);
});
