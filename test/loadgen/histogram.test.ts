import { describe, expect, it } from 'vitest';
import {
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  newHistogram,
  recordUs,
  samplesNeeded,
  summarize,
} from '../../src/core/histogram.ts';

describe('latency histograms', () => {
  it('keeps microsecond resolution below 2 ms', () => {
    const histogram = newHistogram();
    for (let us = 1; us <= 1000; us++) histogram.recordValue(us);
    expect(histogram.totalCount).toBe(1000);
    const summary = summarize(histogram);
    expect(summary.p50).toBe(500);
    expect(summary.p90).toBe(900);
    expect(summary.max).toBe(1000);
    // p99 needs 1000 samples, p99.9 needs 10000: the first is reported, the second is not.
    expect(summary.p99).toBe(990);
    expect(summary.p999).toBeNull();
  });

  it('rounds to the nearest microsecond', () => {
    const down = newHistogram();
    recordUs(down, 62.4);
    const up = newHistogram();
    recordUs(up, 62.6);
    expect([down.maxValue, up.maxValue]).toEqual([62, 63]);
  });

  it('clamps values above 60 s and says so', () => {
    const histogram = newHistogram();
    expect(recordUs(histogram, 61_000_000)).toBe(true);
    expect(recordUs(histogram, 59_000_000)).toBe(false);
    expect(histogram.maxValue).toBe(60_000_000);
  });

  it('states how many samples each percentile needs', () => {
    expect(samplesNeeded(50)).toBe(20);
    expect(samplesNeeded(90)).toBe(100);
    expect(samplesNeeded(99)).toBe(1000);
    expect(samplesNeeded(99.9)).toBe(10000);
  });

  it('summarizes an empty histogram without inventing numbers', () => {
    expect(summarize(newHistogram())).toEqual({ p50: null, p90: null, p95: null, p99: null, p999: null, max: 0, mean: 0 });
  });

  it('merges encoded histograms exactly: the union equals recording everything in one', () => {
    const a = newHistogram();
    const b = newHistogram();
    const all = newHistogram();
    for (let i = 0; i < 20_000; i++) {
      const value = 50 + ((i * 7919) % 250_000);
      (i % 3 === 0 ? a : b).recordValue(value);
      all.recordValue(value);
    }
    const merged = mergeHistograms([decodeHistogram(encodeHistogram(a)), decodeHistogram(encodeHistogram(b))]);
    expect(merged.totalCount).toBe(all.totalCount);
    expect(summarize(merged)).toEqual(summarize(decodeHistogram(encodeHistogram(all))));
    expect(encodeHistogram(merged)).toBe(encodeHistogram(all));
  });
});
