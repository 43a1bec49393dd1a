import { describe, expect, it } from 'vitest';
import { bootstrapDeltaInterval, intervalReliability } from '../../src/analysis/statistics/bootstrap.ts';

describe('too few repetitions', () => {
  it('gives no interval when either side has fewer than 2 values', () => {
    expect(bootstrapDeltaInterval([120], [100, 101], { seed: 1 })).toBeNull();
    expect(bootstrapDeltaInterval([120, 121], [100], { seed: 1 })).toBeNull();
    expect(bootstrapDeltaInterval([], [], { seed: 1 })).toBeNull();
  });

  it('grades reliability by repetitions: none < 2, low < 5, ok ≥ 5', () => {
    expect([0, 1, 2, 4, 5, 30].map(intervalReliability)).toStrictEqual(['none', 'none', 'low', 'low', 'ok', 'ok']);
  });
});
