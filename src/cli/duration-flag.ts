import { parseDuration } from '../scenario/units.ts';
import { UsageError } from '../core/errors.ts';

/** A duration flag such as `--duration 10s` in milliseconds, within [minMs, maxMs]; a bad value is a usage error naming the flag. */
export function durationFlag(flag: string, raw: string, minMs: number, maxMs: number): number {
  let ms: number;
  try {
    ms = parseDuration(raw);
  } catch (error) {
    throw new UsageError(`${flag}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (ms < minMs || ms > maxMs) throw new UsageError(`${flag} must lie between ${minMs} ms and ${maxMs} ms, not '${raw}'`);
  return ms;
}

/**
 * `cleanup --timeout`, which took bare seconds before it took durations like every other flag. A bare number is still
 * read as seconds, so scripts written for it keep working, with a note saying how to write it; anything else is a
 * duration (300s, 5m).
 */
export function legacySecondsFlag(flag: string, raw: string, minMs: number, maxMs: number, warn: (note: string) => void): number {
  if (/^\d+(\.\d+)?$/.test(raw.trim()) && Number(raw) > 0) {
    warn(`${flag} ${raw} without a unit is read as seconds; write ${raw.trim()}s (a bare number is deprecated)`);
    return durationFlag(flag, `${raw.trim()}s`, minMs, maxMs);
  }
  return durationFlag(flag, raw, minMs, maxMs);
}
