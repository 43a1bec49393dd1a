import { describe, expect, it } from 'vitest';
import { checkEncodedHistogram, decodeHistogram, encodeHistogram, mergeHistograms, newHistogram, pooledPercentilesOf, recordUs, summarize } from '../../src/core/histogram.ts';

/** A seeded spread of latencies from 20 µs to tens of seconds, so buckets of every magnitude are used. */
function encoded(seed: number, samples: number): string {
  let state = seed;
  const histogram = newHistogram();
  for (let i = 0; i < samples; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    recordUs(histogram, 20 * Math.exp((state / 2 ** 31) * 14));
  }
  return encodeHistogram(histogram);
}

describe('pooled percentiles from the non-empty buckets', () => {
  it('equal summarize(merge(decode)) exactly, null where the samples do not support the percentile', () => {
    for (const [seed, parts, samples] of [
      [1, 2, 20_000],
      [7, 3, 4_000],
      [11, 5, 600],
      [3, 1, 50_000],
    ] as const) {
      const histograms = Array.from({ length: parts }, (_, i) => encoded(seed * 100 + i, samples));
      const { max: _max, mean: _mean, ...expected } = summarize(mergeHistograms(histograms.map((h) => decodeHistogram(h))));
      expect(pooledPercentilesOf(histograms)).toEqual(expected);
    }
  });

  it('checks each part as it reads it, and counts what the library counts', () => {
    const part = encoded(5, 12_345);
    expect(checkEncodedHistogram(part)).toBe(decodeHistogram(part).totalCount);
    expect(() => pooledPercentilesOf([part, 'AAAA'])).toThrow(/unsupported encoding|too short/);
  });
});
