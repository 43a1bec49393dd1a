import { describe, expect, it } from 'vitest';
import { compareModes } from '../../src/analysis/comparisons.ts';
import { comparisonValidityOf, phaseValidity, validityOf } from '../../src/analysis/validity.ts';
import { encodeHistogram, newHistogram } from '../../src/core/histogram.ts';
import type { PhaseRecord } from '../../src/results/schema.ts';

function histogram(base: number): string {
  const h = newHistogram();
  for (let i = 0; i < 1000; i++) h.recordValue(base + i);
  return encodeHistogram(h);
}

type Overrides = Partial<Pick<PhaseRecord, 'rate' | 'loop' | 'achievedRps' | 'counts' | 'warnings'>>;

function phase(mode: string, repetition: number, overrides: Overrides = {}): PhaseRecord {
  const empty = { p50: null, p90: null, p95: null, p99: null, p999: null, max: 0, mean: 0 };
  return {
    mode, rate: 1000, repetition, loop: 'open', connections: 8, startedAt: '2026-11-22T00:00:00.000Z', durationS: 1,
    achievedRps: 1000, counts: { ok: 1000, non2xx: 0, errors: 0, timeouts: 0 }, bytesReceived: 0, latencyUs: empty,
    serviceTimeUs: empty, histogram: histogram(mode === 'baseline' ? 100 : 300), serviceTimeHistogram: histogram(100),
    generator: { cpuCores: 0.1, slipUs: { p50: 1, p99: 2, max: 3 }, queued: 0, workers: 1 }, resources: [], warnings: [],
    ...overrides,
  };
}

const codes = (p: PhaseRecord): string[] => phaseValidity(p).reasons.map((reason) => reason.code);

describe('phase validity', () => {
  it('is valid at 99% of the requested rate with 0.1% of requests failed', () => {
    expect(phaseValidity(phase('baseline', 1, { achievedRps: 990, counts: { ok: 999, non2xx: 1, errors: 0, timeouts: 0 } }))).toEqual({
      valid: true,
      reasons: [],
    });
  });

  it('is invalid when no request finished, in the closed loop too (which has no rate to fall below)', () => {
    const none = { ok: 0, non2xx: 0, errors: 0, timeouts: 0 };
    expect(codes(phase('baseline', 1, { loop: 'closed', rate: null, achievedRps: 0, counts: none }))).toEqual(['no-requests']);
    expect(codes(phase('baseline', 1, { achievedRps: 0, counts: none }))).toEqual(['below-rate', 'no-requests']);
  });

  it('is invalid below 99% of the requested rate, saying how far below', () => {
    const validity = phaseValidity(phase('baseline', 1, { achievedRps: 236 }));
    expect(validity.valid).toBe(false);
    expect(validity.reasons).toEqual([
      { code: 'below-rate', message: 'achieved 236 of 1000 rps requested (23.6%; a valid phase reaches 99%)' },
    ]);
  });

  it('is invalid when more than 0.1% of requests failed, counting errors, timeouts and non-2xx', () => {
    expect(codes(phase('baseline', 1, { counts: { ok: 998, non2xx: 0, errors: 1, timeouts: 1 } }))).toEqual(['failed-requests']);
    expect(codes(phase('baseline', 1, { counts: { ok: 998, non2xx: 2, errors: 0, timeouts: 0 } }))).toEqual(['failed-requests']);
    expect(phaseValidity(phase('baseline', 1, { counts: { ok: 0, non2xx: 1000, errors: 0, timeouts: 0 } })).reasons[0]!.message).toBe(
      '1000 of 1000 requests failed (100.00%: 1000 non-2xx; a valid phase has at most 0.1%)',
    );
  });

  it('is invalid when the generator warned that its own lateness is the tail (code generator-tail)', () => {
    const warning = { code: 'generator-tail', message: 'slip p99 3.1 ms is 80% of latency p99 3.9 ms' };
    expect(phaseValidity(phase('baseline', 1, { warnings: [warning] })).reasons).toEqual([
      { code: 'generator-tail', message: "the load generator's own lateness is the tail: slip p99 3.1 ms is 80% of latency p99 3.9 ms" },
    ]);
    // Other generator warnings do not invalidate a phase on their own.
    expect(phaseValidity(phase('baseline', 1, { warnings: [{ code: 'generator-behind', message: 'slip' }] })).valid).toBe(true);
  });

  it('lists every reason that applies', () => {
    const p = phase('baseline', 1, {
      achievedRps: 500,
      counts: { ok: 400, non2xx: 0, errors: 100, timeouts: 0 },
      warnings: [{ code: 'generator-tail', message: 'x' }],
    });
    expect(codes(p)).toEqual(['below-rate', 'failed-requests', 'generator-tail']);
  });

  it('has no rate to miss in the closed loop', () => {
    expect(phaseValidity(phase('baseline', 1, { loop: 'closed', rate: null, achievedRps: 12 })).valid).toBe(true);
  });

  it('reads a stored mark, and computes one for a phase written before phases carried it', () => {
    const stored = { ...phase('baseline', 1), validity: { valid: false, reasons: [{ code: 'generator-tail', message: 'stored' }] } };
    expect(validityOf(stored)).toBe(stored.validity);
    expect(validityOf(phase('baseline', 1, { achievedRps: 10 })).valid).toBe(false);
  });
});

describe('comparison validity', () => {
  it('marks a comparison invalid when a phase on either side is, naming the phase', () => {
    const phases = [phase('baseline', 1, { achievedRps: 236 }), phase('sidecar', 1), phase('baseline', 2), phase('sidecar', 2)];
    const [comparison] = compareModes(phases);
    expect(comparison!.validity).toEqual({
      valid: false,
      reasons: [{ code: 'below-rate', message: 'baseline rep 1: achieved 236 of 1000 rps requested (23.6%; a valid phase reaches 99%)' }],
    });
    const modeSide = [phase('baseline', 1), phase('sidecar', 1, { counts: { ok: 900, non2xx: 0, errors: 0, timeouts: 100 } })];
    expect(compareModes(modeSide)[0]!.validity!.reasons.map((r) => r.message)).toEqual([
      'sidecar rep 1: 100 of 1000 requests failed (10.00%: 100 timeouts; a valid phase has at most 0.1%)',
    ]);
    expect(compareModes([phase('baseline', 1), phase('sidecar', 1)])[0]!.validity).toEqual({ valid: true, reasons: [] });
  });

  it('computes the mark from the phases for a comparison written before comparisons carried it', () => {
    const phases = [phase('baseline', 1), phase('sidecar', 1, { achievedRps: 100 })];
    const { validity: _stored, ...old } = compareModes(phases)[0]!;
    expect(comparisonValidityOf(old, phases).valid).toBe(false);
    expect(comparisonValidityOf(old, phases).reasons[0]!.message).toMatch(/^sidecar rep 1: achieved 100 of 1000 rps/);
  });
});
