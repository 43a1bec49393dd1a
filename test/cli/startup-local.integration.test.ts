import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startupSchema } from '../../src/startup/schema.ts';
import { runCli, runProcessPids, tempDir } from '../helpers/cli.ts';

describe('meshtax startup on the local runtime', () => {
  it('times each mode\'s new pod to its first answer through its proxies, and leaves nothing running', async () => {
    const out = tempDir();
    const result = await runCli(['startup', '--out', out, '--pods', '2', '--rounds', '2', '--set', 'modes=[baseline,sidecar]']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/meshtax startup \S+ \(local\)/);
    expect(result.stdout).toContain('start to first answer');
    const [id] = readdirSync(out);
    const startup = startupSchema.parse(JSON.parse(readFileSync(path.join(out, id!, 'startup.json'), 'utf8')));
    expect(startup).toMatchObject({ runtime: 'local', measures: 'start-to-first-answer', pods: 2, rounds: 2, node: null });
    expect(startup.modes.map((m) => [m.mode, m.samples, m.failed, m.perRoundP50Ms.length, m.added, m.podsPerNode])).toEqual([
      ['baseline', 4, 0, 2, null, null],
      ['sidecar', 4, 0, 2, null, null],
    ]);
    expect(startup.modes[1]!.startupMs!.p50).toBeGreaterThan(0);
    expect(startup.modes[1]!.deltaP50Ms!.interval).not.toBeNull();
    // Locally the start-up time is the first answer: firstAnswer carries the same figures, on one clock.
    for (const mode of startup.modes) {
      expect(mode.firstAnswer).toMatchObject({ measured: true, samples: mode.samples, unanswered: mode.failed, startupMs: mode.startupMs, deltaP50Ms: mode.deltaP50Ms, clockErrorMs: 0 });
    }
    expect(readFileSync(path.join(out, id!, 'startup.md'), 'utf8')).toContain('| sidecar | 4 |');
    expect(readdirSync(path.join(out, id!)).sort()).toEqual(['junit.xml', 'startup.csv', 'startup.html', 'startup.json', 'startup.md']);
    const csv = readFileSync(path.join(out, id!, 'startup.csv'), 'utf8').split('\n');
    expect(csv[2]).toMatch(new RegExp(`^sidecar,4,0,${startup.modes[1]!.startupMs!.p50},`));
    expect(readFileSync(path.join(out, id!, 'startup.html'), 'utf8')).toContain('<tr><td>sidecar</td><td class="num">4</td>');
    expect(readFileSync(path.join(out, id!, 'junit.xml'), 'utf8')).toContain('<testcase classname="meshtax.startup.sidecar" name="pods start within the timeout" time="0"/>');
    expect(runProcessPids(result)).toEqual([]);
  }, 120_000);

  it('refuses a bad --pods as invalid input', async () => {
    const result = await runCli(['startup', '--pods', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--pods must be a whole number from 1 to 1000; got 0');
  });
});
