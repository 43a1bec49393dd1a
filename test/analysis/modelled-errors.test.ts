import { describe, expect, it } from 'vitest';
import { phaseValidity } from '../../src/analysis/validity.ts';

const phase = (counts: { ok: number; non2xx: number; errors?: number; timeouts?: number }) => ({
  loop: 'open' as const,
  rate: 1000,
  achievedRps: 1000,
  counts: { errors: 0, timeouts: 0, ...counts },
  warnings: [],
});

describe('failed requests against the workload\'s own error rate', () => {
  it('sets aside the 500s workload.errorRate asked for, and only those', () => {
    // 1% asked for, 1.1% drawn: the workload's own answers, within four binomial standard deviations (0.4%).
    expect(phaseValidity(phase({ ok: 9890, non2xx: 110 }), 0.01).valid).toBe(true);
    // The same answers with no error rate modelled are failures of the system under test.
    expect(phaseValidity(phase({ ok: 9890, non2xx: 110 })).reasons.map((r) => r.code)).toEqual(['failed-requests']);
    // 3% where 1% was asked for: 2% beyond the model.
    const beyond = phaseValidity(phase({ ok: 9700, non2xx: 300 }), 0.01);
    expect(beyond.valid).toBe(false);
    expect(beyond.reasons[0]!.message).toBe(
      '300 of 10000 requests failed (3.00%: 300 non-2xx, beyond the 1.00% answered 500 by workload.errorRate; a valid phase has at most 0.1% more)',
    );
  });

  it('never sets aside errors or timeouts: the model answers 500, it does not drop connections', () => {
    expect(phaseValidity(phase({ ok: 9880, non2xx: 100, errors: 20 }), 0.01).valid).toBe(false);
    expect(phaseValidity(phase({ ok: 9880, non2xx: 100, timeouts: 20 }), 0.01).valid).toBe(false);
    expect(phaseValidity(phase({ ok: 9895, non2xx: 100, errors: 5 }), 0.01).valid).toBe(true);
  });
});
