import { describe, expect, it } from 'vitest';
import { chainResults, polynomialFit } from '../../src/analysis/chains.ts';
import { compareModes } from '../../src/analysis/comparisons.ts';
import { encodeHistogram, newHistogram } from '../../src/core/histogram.ts';
import type { PhaseRecord } from '../../src/results/schema.ts';

/** A phase whose every request took `us`: each percentile is `us` in the phase, and pooled phases mix their values. */
function phase(mode: string, repetition: number, depth: number, us: number): PhaseRecord {
  const h = newHistogram();
  for (let i = 0; i < 1000; i++) h.recordValue(us);
  const latency = { p50: us, p90: us, p95: us, p99: us, p999: null, max: us, mean: us };
  return {
    mode,
    rate: 500,
    repetition,
    depth,
    loop: 'open',
    connections: 8,
    startedAt: '2026-12-02T00:00:00.000Z',
    durationS: 2,
    achievedRps: 500,
    counts: { ok: 1000, non2xx: 0, errors: 0, timeouts: 0 },
    bytesReceived: 0,
    latencyUs: latency,
    serviceTimeUs: latency,
    histogram: encodeHistogram(h),
    serviceTimeHistogram: encodeHistogram(h),
    generator: { cpuCores: 0.1, slipUs: { p50: 1, p99: 2, max: 3 }, queued: 0, workers: 1 },
    resources: [],
    warnings: [],
  };
}

/** Rounds 1..3 of depths 1..3: baseline always 1000 µs, the mode 1000 + tax(round, depth). */
function run(tax: (round: number, depth: number) => number): PhaseRecord[] {
  const phases: PhaseRecord[] = [];
  for (let round = 1; round <= 3; round++) {
    for (let depth = 1; depth <= 3; depth++) {
      phases.push(phase('baseline', round, depth, 1000), phase('sidecar', round, depth, 1000 + tax(round, depth)));
    }
  }
  return phases;
}

describe('polynomial fit over depth', () => {
  it('gives the least-squares slope and the orthogonal quadratic coefficient exactly', () => {
    expect(polynomialFit([1, 2, 3], [1, 4, 9])).toEqual({ slope: 4, curvature: 1 });
    expect(polynomialFit([1, 2, 3], [5, 7, 9])).toEqual({ slope: 2, curvature: 0 });
    expect(polynomialFit([1, 2], [5, 9])).toEqual({ slope: 4, curvature: null });
  });
});

describe('call-chain results', () => {
  it('fits the per-hop tax with a t interval over the rounds\' slopes and checks the single hop against it', () => {
    // Per-round slopes 90, 100, 110: mean 100, sd 10, t(0.975, 2) = 4.302653 → 100 ± 24.8414.
    const phases = run((round, depth) => (80 + 10 * round) * depth);
    const comparisons = compareModes(phases);
    expect(comparisons.map((c) => [c.mode, c.depth])).toEqual([
      ['sidecar', 1],
      ['sidecar', 2],
      ['sidecar', 3],
    ]);
    const [chain, ...rest] = chainResults(phases, comparisons, 2);
    expect(rest).toEqual([]);
    expect(chain!.mode).toBe('sidecar');
    expect(chain!.depth).toBe(3);
    expect(chain!.fanOut).toBe(2);
    expect(chain!.rounds).toBe(3);
    // The pooled p50 at depth d is the middle round's: 100 d.
    expect(chain!.perDepth.map((row) => row.latencyDeltaUs.p50)).toEqual([100, 200, 300]);
    expect(chain!.perHopUs.p50.estimate).toBe(100);
    expect(chain!.perHopUs.p50.interval!.low).toBeCloseTo(75.1586, 3);
    expect(chain!.perHopUs.p50.interval!.high).toBeCloseTo(124.8414, 3);
    expect(chain!.singleHop.p50).toEqual({ deltaUs: 100, withinPerHopInterval: true });
    // Every round is a straight line: no curvature, so the tax is linear.
    expect(chain!.curvatureUs!.p50.interval).toEqual({ low: 0, high: 0 });
    expect(chain!.compounding.p99).toBe('linear');
    // p99.9 has no value in any phase: no estimate and no interval, and the reason says so.
    expect(chain!.perHopUs.p999).toMatchObject({ estimate: null, interval: null });
    expect(chain!.compounding.p999).toBe('unknown');
  });

  it('says the tail compounds when every round curves upward', () => {
    // delta = c d² with c = 40, 50, 60: curvature c per round.
    const phases = run((round, depth) => (30 + 10 * round) * depth * depth);
    const [chain] = chainResults(phases, compareModes(phases));
    expect(chain!.curvatureUs!.p99.estimate).toBeGreaterThan(0);
    expect(chain!.curvatureUs!.p99.interval!.low).toBeGreaterThan(0);
    expect(chain!.compounding.p99).toBe('faster-than-linear');
    // Slope of c d² over 1, 2, 3 is 4c: per round 160, 200, 240.
    expect(chain!.perHopUs.p99.interval!.low).toBeCloseTo(200 - 4.302653 * 40 / Math.sqrt(3), 2);
    // The single hop (c = 50) is far below the mean slope: outside its interval.
    expect(chain!.singleHop.p50.withinPerHopInterval).toBe(false);
  });

  it('gives no interval with one round and no curvature below depth 3', () => {
    const phases = [phase('baseline', 1, 1, 1000), phase('sidecar', 1, 1, 1100), phase('baseline', 1, 2, 1000), phase('sidecar', 1, 2, 1200)];
    const [chain] = chainResults(phases, compareModes(phases));
    expect(chain!.rounds).toBe(1);
    expect(chain!.perHopUs.p50).toMatchObject({ estimate: 100, interval: null });
    expect(chain!.perHopUs.p50.reason).toMatch(/1 round with every depth measured: no interval/);
    expect(chain!.curvatureUs).toBeNull();
    expect(chain!.singleHop.p50.withinPerHopInterval).toBeNull();
  });

  it('is empty for a run without a chain', () => {
    const single = run(() => 100).map(({ depth: _depth, ...rest }) => rest);
    expect(chainResults(single, compareModes(single))).toEqual([]);
  });
});
