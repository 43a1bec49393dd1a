import { describe, expect, it } from 'vitest';
import { durationFlag, legacySecondsFlag } from '../../src/cli/duration-flag.ts';
import { UsageError } from '../../src/core/errors.ts';
import { runCli } from '../helpers/cli.ts';

describe('help', () => {
  it('shows each default once, and never as (default: [])', async () => {
    for (const command of ['run', 'startup', 'render', 'cleanup', 'load', 'validate', 'report', 'show', 'compare', 'history', 'estimate', 'doctor']) {
      const help = (await runCli([command, '--help'])).stdout;
      // Join commander's wrapped lines so an option's description reads as one.
      const options = help.replace(/\n {10,}/g, ' ').split('\n').filter((line) => /^\s+-/.test(line));
      expect(options.length, command).toBeGreaterThan(0);
      for (const line of options) {
        expect(line, `${command}: ${line}`).not.toContain('(default: [])');
        expect(line.match(/default/g)?.length ?? 0, `${command}: ${line}`).toBeLessThanOrEqual(1);
      }
    }
  }, 240_000);
});

describe('cleanup --timeout', () => {
  it('takes a duration like every other flag, and still reads a bare number as seconds with a note', () => {
    expect(durationFlag('--timeout', '300s', 1, 86_400_000)).toBe(300_000);
    expect(legacySecondsFlag('--timeout', '5m', 1, 86_400_000, () => expect.unreachable())).toBe(300_000);
    const notes: string[] = [];
    expect(legacySecondsFlag('--timeout', '300', 1, 86_400_000, (note) => notes.push(note))).toBe(300_000);
    expect(notes).toEqual(['--timeout 300 without a unit is read as seconds; write 300s (a bare number is deprecated)']);
    expect(() => legacySecondsFlag('--timeout', '5x', 1, 86_400_000, () => {})).toThrow(UsageError);
  });

  it('rejects a timeout that is not a duration with exit 2, before reaching any cluster', async () => {
    const result = await runCli(['cleanup', '--all', '--timeout', 'soon'], undefined, { KUBECONFIG: '/nonexistent' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^meshtax: --timeout: /);
  });
});
