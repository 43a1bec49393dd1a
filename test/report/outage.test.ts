import { describe, expect, it } from 'vitest';
import { failuresLine, probeText, recoveryText, spanText } from '../../src/report/outage.ts';
import { EMPTY_SPAN as span, OUTAGE as BASE } from './outage-fixture.ts';

describe('the outage in text reports', () => {
  it('brackets the outage\'s seconds in the failures line', () => {
    expect(failuresLine(BASE)).toBe('0 [0 0 7 0] 0');
    expect(failuresLine({ ...BASE, seconds: BASE.seconds.map((s) => ({ ...s, span: s.second === 0 ? 'before' : 'during' })) })).toBe('0 [0 0 7 0 0]');
  });

  it('says what the probe pod did', () => {
    expect(probeText(BASE)).toBe('got its proxy, Ready 4.2 s after creation, after the restore');
    expect(probeText({ ...BASE, probePod: { ...BASE.probePod!, injected: null, readyDuringOutage: true, readyAfterS: 0.75 } })).toBe('Ready during the outage (0.8 s)');
    expect(probeText({ ...BASE, probePod: { name: 'p', admitted: false, error: `webhook ${'x'.repeat(200)}`, injected: null, readyDuringOutage: false, readyAfterS: null } })).toBe(
      `refused: webhook ${'x'.repeat(111)}…`,
    );
    expect(probeText({ ...BASE, probePod: null })).toBe('not started');
  });

  it('says how it recovered, and loudly when it was not restored', () => {
    expect(recoveryText(BASE)).toBe('control plane Ready 2.5 s after restore; first ok request in second 4; traffic back to pre-outage errors from second 5');
    expect(recoveryText({ ...BASE, restored: false, error: 'restoring the control plane: HTTP 403' })).toBe('NOT RESTORED: restoring the control plane: HTTP 403');
    expect(recoveryText({ ...BASE, startS: null, restoreS: null, error: 'stopping the control plane: HTTP 403' })).toBe('never stopped: stopping the control plane: HTTP 403');
  });

  it('shows a span\'s error rate, p99 and length', () => {
    expect(spanText({ seconds: 3, requests: 3000, failed: 30, errorRate: 0.01, p50Us: 800, p99Us: 2500 })).toBe('1.0% failed, p99 2.50 ms (3 s)');
    expect(spanText(span)).toBe('—');
  });
});
