import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { clockTicksPerSecond } from '../../../../src/runtimes/local/resources/procfs.ts';

describe('clock ticks per second', () => {
  it('is getconf CLK_TCK, read once', () => {
    const expected = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    expect(clockTicksPerSecond()).toBe(expected);
    expect(clockTicksPerSecond()).toBe(expected);
  });
});
