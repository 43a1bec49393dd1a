import { describe, expect, it } from 'vitest';
import { nearestRank, startupTimes } from '../../src/startup/stats.ts';

describe('start-up statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect([nearestRank(sorted, 50), nearestRank(sorted, 90), nearestRank(sorted, 99)]).toEqual([5, 9, 10]);
  });

  it('pools rounds for percentiles and pairs per-round medians with baseline for the delta', () => {
    const base = [
      [100, 110, 120],
      [200, 210, 220],
      [150, 160, 170],
    ];
    const mode = [
      [130, 140, 150],
      [240, 250, 260],
      [180, 190, 200],
    ];
    const times = startupTimes(mode, base);
    expect(times.samples).toBe(9);
    // Pooled: 130 … 260, nine values: rank ⌈4.5⌉ = 5 is 190, rank ⌈8.1⌉ = 9 is 260.
    expect(times.startupMs).toEqual({ p50: 190, p90: 260, p99: 260, max: 260 });
    expect(times.perRoundP50Ms).toEqual([140, 250, 190]);
    // Paired differences 30, 40, 30: mean 33.333, sd 5.7735, t(0.975, 2) = 4.302653 → ± 14.342.
    expect(times.deltaP50Ms!.estimate).toBe(33.333);
    expect(times.deltaP50Ms!.interval!.low).toBeCloseTo(18.991, 2);
    expect(times.deltaP50Ms!.interval!.high).toBeCloseTo(47.676, 2);
    expect(startupTimes(base, undefined).deltaP50Ms).toBeNull();
  });

  it('has no percentiles and no interval when nothing started', () => {
    expect(startupTimes([[]], undefined)).toEqual({ samples: 0, startupMs: null, perRoundP50Ms: [], p50IntervalMs: null, deltaP50Ms: null });
  });
});
