import { expect } from 'vitest';
import type { PhaseMeasurement, PhaseSpec } from '../../src/loadgen/types.ts';

/** A small open-loop phase for tests: 100 rps for 1 s on 2 connections, no warmup, unless overridden. */
export function testSpec(url: string, extra: Partial<PhaseSpec> = {}): PhaseSpec {
  return {
    url,
    loop: 'open',
    arrival: 'uniform',
    rate: 100,
    connections: 2,
    workers: 1,
    durationMs: 1000,
    warmupMs: 0,
    timeoutMs: 2000,
    seed: 1,
    ...extra,
  };
}

/**
 * achievedRps counts the requests *written* while the window was open: one that waited for a free connection or
 * stream, or that the generator handed over late, at the window's end is written after it (and still measured,
 * from its intended time). So it is at most the rate, and exactly the rate when no request waited and none was
 * handed over more than 0.5 ms late (in these tests the last send is intended at least 1 ms before the window's
 * end). What timing decides is not asserted: a machine busy enough to delay the last sends must not fail a test of
 * counting.
 */
export function expectAchievedRate(phase: Pick<PhaseMeasurement, 'achievedRps' | 'generator'>, rate: number): void {
  expect(phase.achievedRps).toBeGreaterThan(0);
  expect(phase.achievedRps).toBeLessThanOrEqual(rate);
  if (phase.generator.queued === 0 && phase.generator.slipUs.max < 500) expect(phase.achievedRps).toBe(rate);
}
