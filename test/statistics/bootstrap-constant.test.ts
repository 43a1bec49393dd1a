import { describe, expect, it } from 'vitest';
import { bootstrapDeltaInterval } from '../../src/analysis/statistics/bootstrap.ts';

// When every value on a side is equal, every resample of that side is the same, so every bootstrap delta equals the
// estimate and both quantiles return it exactly.
describe('bootstrapDeltaInterval with constant sides', () => {
  it('gives low = high = estimate', () => {
    for (const statistic of ['mean', 'median'] as const) {
      const interval = bootstrapDeltaInterval([250, 250, 250], [250, 250], { seed: 3, statistic });
      expect([interval!.estimate, interval!.low, interval!.high]).toStrictEqual([0, 0, 0]);
    }
  });

  it('gives [6, 6] for mode all 10 and baseline all 4', () => {
    const interval = bootstrapDeltaInterval([10, 10, 10, 10], [4, 4, 4], { seed: 1 });
    expect(interval).toStrictEqual({
      estimate: 6,
      low: 6,
      high: 6,
      method:
        'percentile bootstrap of mean(mode) − mean(baseline): 10000 resamples of the repetitions, 95% two-sided, ' +
        'type-7 quantiles, seed 1',
    });
  });
});
