import { describe, expect, it } from 'vitest';
import { formatDuration, formatSize, parseDuration, parseSize } from '../../src/scenario/units.ts';

describe('parseDuration', () => {
  it.each([
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1.5ms', 1.5],
    ['20s', 20_000],
    ['1m', 60_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1.1s', 1100],
    ['1h30m15.5s', 5_415_500],
    ['0', 0],
    ['0ms', 0],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['20', "'20' is not a valid duration: it has no unit (did you mean 20s or 20ms?)"],
    ['-5s', "'-5s' is not a valid duration: durations cannot be negative"],
    ['', "'' is not a valid duration: it is empty"],
    ['20sec', "'20sec' is not a valid duration: unknown unit 'sec'"],
    ['20 s', "'20 s' is not a valid duration: it contains a space"],
    ['1s1m', "'1s1m' is not a valid duration: units must go from largest to smallest, each once, as in 1m30s"],
    ['fast', "'fast' is not a valid duration: unexpected 'fast'"],
  ])('rejects %j, saying what a duration looks like', (text, why) => {
    expect(() => parseDuration(text)).toThrow(`${why}; write a number with a unit (h, m, s, ms or us/µs), e.g. 250us, 1.5ms, 20s, 1m30s or 2h`);
  });
});

describe('parseSize', () => {
  it.each([
    [1024, 1024],
    [0, 0],
    ['512B', 512],
    ['1KiB', 1024],
    ['4KB', 4000],
    ['1MiB', 1_048_576],
    ['2MB', 2_000_000],
    ['1.5KiB', 1536],
    ['2048', 2048],
  ])('reads %j as %d bytes', (value, bytes) => {
    expect(parseSize(value)).toBe(bytes);
  });

  it.each([
    [1.5, "'1.5' is not a valid size: it is not a whole number of bytes"],
    ['0.5B', "'0.5B' is not a valid size: it is not a whole number of bytes"],
    [-1, "'-1' is not a valid size: sizes cannot be negative"],
    ['-1KiB', "'-1KiB' is not a valid size: sizes cannot be negative"],
    ['1kib', "'1kib' is not a valid size: unknown unit 'kib'"],
  ])('rejects %j', (value, why) => {
    expect(() => parseSize(value)).toThrow(`${why}; write whole bytes or a number with a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. 1024, 512B, 4KiB, 4KB (4000 bytes) or 1MiB`);
  });
});

describe('formatDuration and formatSize', () => {
  it('write milliseconds and bytes as a person would', () => {
    expect([0, 0.25, 1.5, 500, 20_000, 90_000, 7_200_000, 86_400_000].map(formatDuration)).toEqual([
      '0ms',
      '250µs',
      '1.5ms',
      '500ms',
      '20s',
      '1m30s',
      '2h',
      '24h',
    ]);
    expect([512, 1024, 4000, 67_108_864, 1_073_741_824].map(formatSize)).toEqual(['512 B', '1 KiB', '4 KB', '64 MiB', '1 GiB']);
  });
});
