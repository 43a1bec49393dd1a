/** Durations and sizes as people write them in scenario files, and back. */

const NS_PER: Readonly<Record<string, number>> = {
  h: 3_600_000_000_000,
  m: 60_000_000_000,
  s: 1_000_000_000,
  ms: 1_000_000,
  us: 1_000,
  µs: 1_000, // U+00B5 micro sign
  μs: 1_000, // U+03BC Greek small letter mu
};

const DURATION_UNITS = 'h, m, s, ms or us/µs';
const DURATION_EXAMPLES = 'e.g. 250us, 1.5ms, 20s, 1m30s or 2h';

/** JSON Schema pattern for a duration string (the parser below also requires units from largest to smallest). */
export const DURATION_PATTERN = '^(0|((\\d+(\\.\\d*)?|\\.\\d+)(h|ms|m|s|us|µs|μs))+)$';

const TERM = /(\d+(?:\.\d*)?|\.\d+)([^\d.]*)/y;

function invalidDuration(text: string, why: string): Error {
  return new Error(`'${text}' is not a valid duration: ${why}; write a number with a unit (${DURATION_UNITS}), ${DURATION_EXAMPLES}`);
}

/** Whole nanoseconds in `digits` (a decimal number) of a unit worth `nsPerUnit` nanoseconds, exact for short fractions. */
function toNs(digits: string, nsPerUnit: number): number {
  const [whole = '', fraction = ''] = digits.split('.');
  const scale = 10 ** fraction.length;
  return Math.round((Number(whole || '0') * scale + Number(fraction || '0')) * (nsPerUnit / scale));
}

/**
 * Parses a duration such as `250us`, `1.5ms`, `20s`, `1m30s`, `2h` or `0` into milliseconds (fractions allowed,
 * resolution 1 ns). A bare number other than 0, a negative duration, an empty string or an unknown unit throws an
 * Error saying what a valid duration looks like.
 */
export function parseDuration(s: string): number {
  const text = s.trim();
  if (text === '') throw invalidDuration(s, 'it is empty');
  if (text.startsWith('-')) throw invalidDuration(s, 'durations cannot be negative');
  if (/\s/.test(text)) throw invalidDuration(s, 'it contains a space');
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(text)) {
    if (Number(text) === 0) return 0;
    throw invalidDuration(s, `it has no unit (did you mean ${text}s or ${text}ms?)`);
  }
  let ns = 0;
  let previousUnit: number | undefined;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const at = TERM.lastIndex;
    const match = TERM.exec(text);
    if (!match) throw invalidDuration(s, `unexpected '${text.slice(at)}'`);
    const [, digits = '', unit = ''] = match;
    if (unit === '') throw invalidDuration(s, `'${digits}' has no unit`);
    const nsPerUnit = NS_PER[unit];
    if (nsPerUnit === undefined) throw invalidDuration(s, `unknown unit '${unit}'`);
    if (previousUnit !== undefined && nsPerUnit >= previousUnit) {
      throw invalidDuration(s, 'units must go from largest to smallest, each once, as in 1m30s');
    }
    previousUnit = nsPerUnit;
    ns += toNs(digits, nsPerUnit);
  }
  return ns / 1_000_000;
}

function trim(n: number): string {
  return String(Number(n.toFixed(3)));
}

/** A duration in milliseconds as a person would write it: `0ms`, `250µs`, `1.5ms`, `20s`, `1m30s`, `2h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return `${ms}ms`;
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0ms';
  if (ms < 1) return `${trim(ms * 1000)}µs`;
  if (ms < 1000) return `${trim(ms)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const rest = ms % 60_000;
  return [h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', rest > 0 ? formatDuration(rest) : ''].join('');
}

const BYTES_PER: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1000,
  kB: 1000,
  KiB: 1024,
  MB: 1000 ** 2,
  MiB: 1024 ** 2,
  GB: 1000 ** 3,
  GiB: 1024 ** 3,
};

const SIZE_UNITS = 'B, KB, KiB, MB, MiB, GB, GiB';
const SIZE_EXAMPLES = 'e.g. 1024, 512B, 4KiB, 4KB (4000 bytes) or 1MiB';

/** JSON Schema pattern for a size string. */
export const SIZE_PATTERN = '^(\\d+(\\.\\d+)?) ?(B|KB|kB|KiB|MB|MiB|GB|GiB)?$';

function invalidSize(v: string | number, why: string): Error {
  return new Error(`'${v}' is not a valid size: ${why}; write whole bytes or a number with a unit (${SIZE_UNITS}), ${SIZE_EXAMPLES}`);
}

/** Parses a size (`1024`, `512B`, `1KiB`, `4KB` = 4000, `1MiB`, `2MB`) into a whole number of bytes. */
export function parseSize(v: string | number): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw invalidSize(v, 'it is not a finite number');
    if (v < 0) throw invalidSize(v, 'sizes cannot be negative');
    if (!Number.isSafeInteger(v)) throw invalidSize(v, 'it is not a whole number of bytes');
    return v;
  }
  const text = v.trim();
  if (text === '') throw invalidSize(v, 'it is empty');
  if (text.startsWith('-')) throw invalidSize(v, 'sizes cannot be negative');
  const match = /^(\d+(?:\.\d+)?) ?([A-Za-z]+)?$/.exec(text);
  if (!match) throw invalidSize(v, 'expected a number optionally followed by a unit');
  const [, digits = '', unit = 'B'] = match;
  const factor = BYTES_PER[unit];
  if (factor === undefined) throw invalidSize(v, `unknown unit '${unit}'`);
  const [whole = '', fraction = ''] = digits.split('.');
  const scale = 10 ** fraction.length;
  const scaled = (Number(whole) * scale + Number(fraction || '0')) * factor;
  if (scaled % scale !== 0) throw invalidSize(v, 'it is not a whole number of bytes');
  const bytes = scaled / scale;
  if (!Number.isSafeInteger(bytes)) throw invalidSize(v, 'it is too large');
  return bytes;
}

const FORMAT_UNITS = [
  ['GiB', 1024 ** 3],
  ['GB', 1000 ** 3],
  ['MiB', 1024 ** 2],
  ['MB', 1000 ** 2],
  ['KiB', 1024],
  ['KB', 1000],
] as const;

/** A size in bytes for messages: `512 B`, `64 MiB`, `4 KB` (the largest unit that divides it exactly). */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of FORMAT_UNITS) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${unit}`;
  }
  return `${bytes} B`;
}
