import { describe, expect, it } from 'vitest';
import { encodeHistogram, newHistogram, recordUs } from '../../src/core/histogram.ts';
import { outageTraffic, spanOf } from '../../src/faults/outage-traffic.ts';
import type { PhaseSeconds } from '../../src/loadgen/seconds.ts';

/** A second with `ok` answers of `latencyUs` each (failures have no latency). */
function second(index: number, ok: number, failed: number, latencyUs = 1000): PhaseSeconds['seconds'][number] {
  const histogram = newHistogram();
  for (let i = 0; i < ok; i++) recordUs(histogram, latencyUs);
  return { second: index, ok, failed, histogram: encodeHistogram(histogram) };
}

describe('where a second lies against an outage', () => {
  it('counts a second the outage began or ended in as during', () => {
    // Outage from 2.3 s to 5.0 s of the window.
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => spanOf(i, 2.3, 5))).toEqual(['before', 'before', 'during', 'during', 'during', 'after', 'after']);
    expect([4, 5].map((i) => spanOf(i, 2.3, 5.2))).toEqual(['during', 'during']);
  });

  it('puts every second before an outage that never began, and every later second during one never restored', () => {
    expect([0, 5].map((i) => spanOf(i, null, null))).toEqual(['before', 'before']);
    expect([0, 1, 9].map((i) => spanOf(i, 1, null))).toEqual(['before', 'during', 'during']);
  });
});

describe('the traffic of a phase with an outage', () => {
  // 1000 requests a second; the outage from 2.0 s to 4.5 s fails some, the second after the restore still ten.
  const measured: PhaseSeconds = {
    seconds: [second(0, 1000, 0), second(1, 1000, 0), second(2, 900, 100, 5000), second(3, 500, 500, 9000), second(4, 0, 1000), second(5, 990, 10), second(6, 1000, 0), second(7, 1000, 0)],
    unplaced: 3,
  };

  it('sums each span and takes its latency from the merged histograms', () => {
    const result = outageTraffic(measured, 2, 4.5);
    expect(result.traffic.before).toEqual({ seconds: 2, requests: 2000, failed: 0, errorRate: 0, p50Us: 1000, p99Us: 1000 });
    expect(result.traffic.during).toMatchObject({ seconds: 3, requests: 3000, failed: 1600, errorRate: 1600 / 3000 });
    // 900 answers at 5 ms, 500 at 9 ms: the median is 5 ms, the 99th percentile 9 ms (HdrHistogram's bucket top).
    expect(result.traffic.during.p50Us).toBe(5003);
    expect(result.traffic.during.p99Us).toBe(9007);
    expect(result.traffic.after).toEqual({ seconds: 3, requests: 3000, failed: 10, errorRate: 10 / 3000, p50Us: 1000, p99Us: 1000 });
    expect(result.unplacedFailures).toBe(3);
    expect(result.seconds.map((s) => s.span)).toEqual(['before', 'before', 'during', 'during', 'during', 'after', 'after', 'after']);
    expect(result.seconds[4]).toEqual({ second: 4, span: 'during', ok: 0, failed: 1000, p50Us: null, p99Us: null, maxUs: null });
    expect(result.seconds[0]).toEqual({ second: 0, span: 'before', ok: 1000, failed: 0, p50Us: 1000, p99Us: 1000, maxUs: 1000 });
  });

  it('finds the first successful second from the one the restore fell in, and when errors fell back to the level before', () => {
    const result = outageTraffic(measured, 2, 4.5);
    // Second 4 (the restore's) answered nothing; second 5 did.
    expect(result.firstOkSecond).toBe(5);
    // Second 5 still failed 10 of 1000, more than the 0% before the outage: recovered from second 6.
    expect(result.trafficRecoveredSecond).toBe(6);
  });

  it('holds errors to the rate before the outage, not to zero', () => {
    const noisy: PhaseSeconds = { seconds: [second(0, 98, 2), second(1, 50, 50), second(2, 99, 1), second(3, 97, 3), second(4, 98, 2)], unplaced: 0 };
    // Before: 2%. Seconds 2 (1%) and 4 (2%) are within it, second 3 (3%) is not: recovered from second 4.
    expect(outageTraffic(noisy, 1, 2).trafficRecoveredSecond).toBe(4);
  });

  it('says nothing recovered when the last second is still failing, or when there was no restore', () => {
    const failing: PhaseSeconds = { seconds: [second(0, 100, 0), second(1, 0, 100), second(2, 50, 50)], unplaced: 0 };
    expect(outageTraffic(failing, 1, 1.5)).toMatchObject({ firstOkSecond: 2, trafficRecoveredSecond: null });
    expect(outageTraffic(measured, 2, null)).toMatchObject({ firstOkSecond: null, trafficRecoveredSecond: null });
  });
});
