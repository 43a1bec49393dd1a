import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { checkHistogramPayload, type HistogramSettings } from './histogram-payload.ts';
import { perPercentile, PERCENTILE_KEYS, PERCENTILES, type PercentileKey } from './percentiles.ts';

/** Every latency histogram in meshtax: values in microseconds, 1 µs to 60 s, 3 significant digits. */
export const HISTOGRAM_LOWEST_US = 1;
export const HISTOGRAM_HIGHEST_US = 60_000_000;
export const HISTOGRAM_DIGITS = 3;

export type { Histogram };

/**
 * Percentiles and summary statistics of one histogram, all in microseconds. A percentile is null when the
 * histogram holds too few samples to locate it (see MIN_TAIL_SAMPLES): too few samples is a warning, not a number.
 */
export interface LatencySummary {
  p50: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  p999: number | null;
  max: number;
  mean: number;
}

/** A percentile p is reported only when at least this many samples lie above it: count × (1 − p) ≥ 10. */
export const MIN_TAIL_SAMPLES = 10;


/** Fewest samples that support percentile `percent` (e.g. 99.9 → 10 000). */
export function samplesNeeded(percent: number): number {
  // (100 - percent) in hundredths of a percent is exact for the percentiles meshtax uses; 1 - 0.999 is not.
  const tailBasisPoints = Math.round((100 - percent) * 100);
  return Math.ceil((MIN_TAIL_SAMPLES * 10_000) / tailBasisPoints);
}

export function newHistogram(): Histogram {
  // highestTrackableValue is set explicitly: the library default is 2, and autoResize would hide the bound.
  return hdr.build({
    lowestDiscernibleValue: HISTOGRAM_LOWEST_US,
    highestTrackableValue: HISTOGRAM_HIGHEST_US,
    numberOfSignificantValueDigits: HISTOGRAM_DIGITS,
    autoResize: false,
    useWebAssembly: false,
  });
}

/**
 * Records a duration in microseconds, rounded to the nearest microsecond and clamped to the histogram's range.
 * Returns true when the value had to be clamped (above 60 s), so callers can count saturation.
 */
export function recordUs(histogram: Histogram, us: number): boolean {
  const value = Math.round(us);
  if (value > HISTOGRAM_HIGHEST_US) {
    histogram.recordValue(HISTOGRAM_HIGHEST_US);
    return true;
  }
  histogram.recordValue(value < 0 ? 0 : value);
  return false;
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

let settings: HistogramSettings | undefined;

/** meshtax's histogram settings, with the bucket count hdr-histogram-js derives from them. */
function histogramSettings(): HistogramSettings {
  settings ??= {
    lowest: HISTOGRAM_LOWEST_US,
    highest: HISTOGRAM_HIGHEST_US,
    digits: HISTOGRAM_DIGITS,
    buckets: (newHistogram() as Histogram & { countsArrayLength: number }).countsArrayLength,
  };
  return settings;
}

/**
 * Checks a compressed base64 histogram without decoding it (see histogram-payload.ts) and returns its total count;
 * throws HistogramPayloadError when it is not a histogram meshtax wrote.
 */
export function checkEncodedHistogram(base64: string): number {
  return checkHistogramPayload(base64, histogramSettings());
}

/** Decodes a histogram, after checking it: histograms come from files, which are not trusted. */
export function decodeHistogram(base64: string): Histogram {
  checkEncodedHistogram(base64);
  const decoded = hdr.decodeFromCompressedBase64(base64, 32, false);
  // Re-home into the standard shape so merges never depend on the encoder's settings.
  const histogram = newHistogram();
  histogram.add(decoded);
  return histogram;
}

/**
 * Percentiles of several encoded histograms pooled, as summarize(mergeHistograms(decoded)) gives them, without
 * building a histogram per part: each part's non-empty buckets are added into one array of counts, and one pass over
 * the buckets between the lowest and highest used finds every percentile. For reading many runs at once (history),
 * where decoding every histogram whole costs milliseconds each.
 */
export function pooledPercentilesOf(encoded: readonly string[]): Record<PercentileKey, number | null> {
  const { buckets } = histogramSettings();
  if (scratch?.length !== buckets) scratch = new Float64Array(buckets);
  const counts = scratch;
  let lowest = buckets;
  let highest = -1;
  let total = 0;
  try {
    for (const part of encoded) {
      total += checkHistogramPayload(part, histogramSettings(), (bucket, count) => {
        counts[bucket]! += count;
        if (bucket < lowest) lowest = bucket;
        if (bucket > highest) highest = bucket;
      });
    }
    const keys = PERCENTILE_KEYS;
    const found = perPercentile((): number | null => null);
    // hdr-histogram-js's getValueAtPercentile (JsHistogram.js): the first bucket whose cumulative count reaches
    // ceil(percent × total), rounded down by one ulp first; its highest equivalent value. Percentiles rise with
    // their key, so one pass finds them in order.
    const wanted = keys.map((key) => {
      const percent = PERCENTILES[key];
      if (total < samplesNeeded(percent)) return Infinity;
      const exact = (percent / 100) * total;
      return Math.max(Math.ceil(exact - 2 ** (Math.floor(Math.log2(exact)) - 52)), 1);
    });
    const shape = bucketShape();
    let next = 0;
    let cumulative = 0;
    for (let bucket = lowest; bucket <= highest && next < keys.length; bucket++) {
      cumulative += counts[bucket]!;
      while (next < keys.length && cumulative >= wanted[next]!) found[keys[next++]!] = shape.highestEquivalentValue(shape.valueFromIndex(bucket));
    }
    return found;
  } finally {
    if (highest >= lowest) counts.fill(0, lowest, highest + 1);
  }
}

/** Counts per bucket while pooling; all zero between calls. */
let scratch: Float64Array | undefined;

let shapeHistogram: BucketShape | undefined;

interface BucketShape {
  valueFromIndex(index: number): number;
  highestEquivalentValue(value: number): number;
}

/** One empty histogram of meshtax's settings, asked only how its buckets map to values. */
function bucketShape(): BucketShape {
  shapeHistogram ??= newHistogram() as unknown as BucketShape;
  return shapeHistogram;
}

/** Adds every histogram into a new one. HdrHistograms with the same settings merge exactly. */
export function mergeHistograms(parts: readonly Histogram[]): Histogram {
  const merged = newHistogram();
  for (const part of parts) merged.add(part);
  return merged;
}

/**
 * Summary of a histogram; percentiles without enough samples are null, an empty histogram has max and mean 0.
 * Percentiles are the highest value equivalent to their bucket (HdrHistogram's convention); so is max once a
 * histogram has been through encode/decode, i.e. within 0.1% of the recorded maximum.
 */
export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  const at = (percent: number): number | null =>
    count >= samplesNeeded(percent) ? histogram.getValueAtPercentile(percent) : null;
  return {
    ...perPercentile((_key, percent) => at(percent)),
    max: count === 0 ? 0 : histogram.maxValue,
    mean: count === 0 ? 0 : Math.round(histogram.mean * 1000) / 1000,
  };
}
