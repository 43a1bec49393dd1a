import { inflateSync } from 'node:zlib';
import { InputError } from './errors.ts';

/**
 * Checks an HdrHistogram in its compressed base64 form (V2 encoding) before hdr-histogram-js sees it. Histograms
 * arrive in run.json files that travel between CI jobs and people, so they are untrusted: the library's decoder
 * (dist/JsHistogram.encoding.js, fillCountsArrayFromSourceBuffer and establishInternalTackingValues) trusts the
 * payload length and walks every bucket a zero-run skips over, so a payload of a few bytes that skips 2^31 buckets
 * spins the CPU for minutes, and a bad base64 or zlib stream surfaces as a raw exception.
 *
 * Layout, as hdr-histogram-js writes it (JsHistogram.encoding.js, encodeIntoByteBuffer and
 * doEncodeIntoCompressedBase64), all integers big-endian:
 *   compressed:   int32 cookie (0x1c849304 | word-size bits), int32 length of the zlib stream, the zlib stream
 *   uncompressed: int32 cookie (0x1c849303 | bits), int32 payload length, int32 normalizing index offset,
 *                 int32 significant digits, int64 lowest discernible value, int64 highest trackable value,
 *                 int64 integer-to-double ratio, then the counts: zig-zag LEB128 longs of at most 9 bytes, a
 *                 positive value the count of the next bucket, a negative one a run of that many empty buckets.
 */

export class HistogramPayloadError extends InputError {}

export interface HistogramSettings {
  lowest: number;
  highest: number;
  digits: number;
  /** How many buckets a histogram with these settings has (hdr-histogram-js's countsArrayLength). */
  buckets: number;
}

const COMPRESSED_COOKIE_BASE = 0x1c849304;
const ENCODING_COOKIE_BASE = 0x1c849303;
const COOKIE_FLAG_BITS = 0xf0;
const HEADER_BYTES = 40;
const MAX_VARINT_BYTES = 9;
/** The decoder stores counts in 32-bit buckets (meshtax decodes with bitBucketSize 32). */
const MAX_BUCKET_COUNT = 2 ** 32 - 1;

function cookieBase(cookie: number): number {
  return (cookie & ~COOKIE_FLAG_BITS) >>> 0;
}

/**
 * Validates one compressed base64 histogram against the settings meshtax records with and returns its total count
 * (`onCount`, if given, is told each non-empty bucket on the way).
 * Throws HistogramPayloadError saying what is wrong; never inflates more than a histogram of these settings can
 * hold, never walks more buckets than it has.
 */
export function checkHistogramPayload(base64: string, settings: HistogramSettings, onCount?: (bucket: number, count: number) => void): number {
  const text = base64.trim();
  if (text.length === 0 || text.length % 4 !== 0) throw new HistogramPayloadError('not base64');
  // Node's decoder skips what is not base64 (and takes the URL alphabet too); only text that encodes back to itself
  // is canonical base64. Cheaper than a pattern over the text, which history does for thousands of histograms.
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new HistogramPayloadError('not base64');
  if (bytes.length < 8) throw new HistogramPayloadError(`${bytes.length} bytes, too short for a histogram`);
  const cookie = bytes.readInt32BE(0);
  if (cookieBase(cookie) !== COMPRESSED_COOKIE_BASE) {
    throw new HistogramPayloadError(`unsupported encoding (cookie 0x${(cookie >>> 0).toString(16)}; meshtax writes compressed V2 HdrHistograms)`);
  }
  const compressedLength = bytes.readInt32BE(4);
  if (compressedLength <= 0 || compressedLength > bytes.length - 8) {
    throw new HistogramPayloadError(`compressed length ${compressedLength} does not match the ${bytes.length - 8} bytes present`);
  }
  // The largest honest payload: the header and one 9-byte word per bucket.
  const maxPlain = HEADER_BYTES + settings.buckets * MAX_VARINT_BYTES;
  let plain: Buffer;
  try {
    plain = inflateSync(bytes.subarray(8, 8 + compressedLength), { maxOutputLength: maxPlain });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new HistogramPayloadError(`inflates to more than ${maxPlain} bytes`);
    throw new HistogramPayloadError(`bad zlib stream (${error instanceof Error ? error.message : String(error)})`);
  }
  return checkPlain(plain, settings, onCount);
}

function checkPlain(plain: Buffer, settings: HistogramSettings, onCount?: (bucket: number, count: number) => void): number {
  if (plain.length < HEADER_BYTES) throw new HistogramPayloadError(`inflated to ${plain.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const cookie = plain.readInt32BE(0);
  if (cookieBase(cookie) !== ENCODING_COOKIE_BASE) {
    throw new HistogramPayloadError(`unsupported encoding inside the zlib stream (cookie 0x${(cookie >>> 0).toString(16)})`);
  }
  const payloadLength = plain.readInt32BE(4);
  if (payloadLength < 0 || payloadLength > plain.length - HEADER_BYTES) {
    throw new HistogramPayloadError(`payload length ${payloadLength} does not match the ${plain.length - HEADER_BYTES} bytes present`);
  }
  const digits = plain.readInt32BE(12);
  const lowest = Number(plain.readBigInt64BE(16));
  const highest = Number(plain.readBigInt64BE(24));
  if (digits !== settings.digits || lowest !== settings.lowest || highest !== settings.highest) {
    throw new HistogramPayloadError(
      `settings ${lowest}..${highest} with ${digits} digits are not meshtax's (${settings.lowest}..${settings.highest} µs, ${settings.digits} digits)`,
    );
  }
  return walkCounts(plain, HEADER_BYTES, HEADER_BYTES + payloadLength, settings.buckets, onCount);
}

/**
 * Walks the zig-zag LEB128 counts in [start, end) without ever leaving the histogram's buckets; `onCount` is told
 * each non-empty bucket.
 */
function walkCounts(plain: Buffer, start: number, end: number, buckets: number, onCount?: (bucket: number, count: number) => void): number {
  let position = start;
  let index = 0;
  let total = 0;
  while (position < end) {
    let raw = 0;
    let scale = 1;
    let byte = 0x80;
    let read = 0;
    while ((byte & 0x80) !== 0) {
      if (position >= end) throw new HistogramPayloadError('the counts end in the middle of a number');
      if (read === MAX_VARINT_BYTES) throw new HistogramPayloadError(`a count longer than ${MAX_VARINT_BYTES} bytes`);
      byte = plain[position++]!;
      raw += (byte & 0x7f) * scale;
      scale *= 128;
      read++;
      if (read === MAX_VARINT_BYTES) break;
    }
    const value = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    if (value < 0) {
      index += -value;
      if (index > buckets) throw new HistogramPayloadError(`a run of ${-value} empty buckets goes past the histogram's ${buckets}`);
      continue;
    }
    if (index >= buckets) throw new HistogramPayloadError(`a count in bucket ${index}, beyond the histogram's ${buckets}`);
    if (value > MAX_BUCKET_COUNT) throw new HistogramPayloadError(`a bucket count of ${value}, more than a bucket holds`);
    if (value > 0) onCount?.(index, value);
    index++;
    total += value;
    if (total > Number.MAX_SAFE_INTEGER) throw new HistogramPayloadError('the counts add up to more than can be counted exactly');
  }
  return total;
}
