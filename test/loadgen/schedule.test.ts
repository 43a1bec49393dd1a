import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/core/random.ts';
import { poissonSchedule, uniformSchedule } from '../../src/loadgen/schedule.ts';
import { shareOf } from '../../src/loadgen/open-loop.ts';

describe('open-loop schedules', () => {
  it('spaces uniform arrivals exactly and interleaves workers', () => {
    const one = uniformSchedule(1000, 0, 1);
    expect([one.next(), one.next(), one.next()]).toEqual([0, 1000, 2000]);
    // Two workers at 500 rps each: the union is every 1000 µs.
    const first = uniformSchedule(500, 0, 2);
    const second = uniformSchedule(500, 1, 2);
    const union = [first.next(), second.next(), first.next(), second.next()].sort((x, y) => x - y);
    expect(union).toEqual([0, 1000, 2000, 3000]);
  });

  it('peek does not consume', () => {
    const schedule = uniformSchedule(100, 0, 1);
    expect(schedule.peek()).toBe(0);
    expect(schedule.peek()).toBe(0);
    expect(schedule.next()).toBe(0);
    expect(schedule.peek()).toBe(10_000);
  });

  it('repeats Poisson arrivals for a seed and matches the requested mean rate', () => {
    const a = poissonSchedule(1000, 42);
    const b = poissonSchedule(1000, 42);
    const times = Array.from({ length: 50_000 }, () => a.next());
    expect(Array.from({ length: 50_000 }, () => b.next())).toEqual(times);
    const meanGapUs = times[times.length - 1]! / times.length;
    // The mean of 50 000 exponential gaps lies within 2% of 1000 µs (about 4.5 standard errors).
    expect(meanGapUs).toBeGreaterThan(980);
    expect(meanGapUs).toBeLessThan(1020);
    expect(times.every((time, i) => i === 0 || time > times[i - 1]!)).toBe(true);
  });

  it('mulberry32 is the reference generator', () => {
    const random = mulberry32(1);
    // Reference values of mulberry32 for seed 1.
    expect(random()).toBeCloseTo(0.6270739405881613, 15);
    expect(random()).toBeCloseTo(0.002735721180215478, 15);
  });

  it('splits connections over workers as evenly as possible', () => {
    expect([0, 1, 2].map((index) => shareOf(8, 3, index))).toEqual([3, 3, 2]);
    expect(shareOf(8, 1, 0)).toBe(8);
  });
});
