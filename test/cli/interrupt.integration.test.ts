import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunDocument } from '../../src/results/schema.ts';
import { runProcessPids, readRun, startCli, tempDir } from '../helpers/cli.ts';
import { waitFor } from '../helpers/poll.ts';

/** A quick start of nine 1-second phases, long enough to be interrupted after its first. */
function startNinePhases(out: string) {
  return startCli(['run', 'scenarios/quickstart.yaml', '--out', out, '--set', 'load.duration=1s', '--set', 'load.warmup=0s', '--set', 'load.rates=[100,200,300]', '--set', 'load.repetitions=3']);
}

/** Phases in the run.json under `out` so far. */
function phasesDone(out: string): number {
  try {
    const { runDir } = readRun(out);
    const file = path.join(runDir, 'run.json');
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunDocument).phases.length : 0;
  } catch {
    return 0;
  }
}

describe('Ctrl-C during a run', () => {
  it('exits 130 after clean-up, keeps the completed phases and leaves no process', async () => {
    const out = tempDir();
    const { child, done } = startNinePhases(out);
    await waitFor('the first phase', 20_000, () => phasesDone(out) >= 1, 50);
    await sleep(300);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    const { run } = readRun(out);
    expect(run.status).toBe('interrupted');
    expect(run.phases.length).toBeGreaterThanOrEqual(1);
    expect(run.phases.length).toBeLessThan(9);
    expect(run.finishedAt).not.toBeNull();
    expect(runProcessPids(result)).toEqual([]);
  });

  it('a double Ctrl-C (a second SIGINT while it cleans up) still ends run.json interrupted, with its reports, exit 130', async () => {
    const out = tempDir();
    const { child, done } = startNinePhases(out);
    await waitFor('the first phase', 60_000, () => phasesDone(out) >= 1, 50);
    await sleep(300);
    // The second signal follows the first as soon as meshtax says it is cleaning up (a fixed 100 ms could land
    // after a fast clean-up had already finished, and prove nothing about a second signal during it).
    const cleaning = new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('cleaning up')) resolve();
      });
    });
    child.kill('SIGINT');
    await cleaning;
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(130);
    const { run, runDir } = readRun(out);
    expect(run.status).toBe('interrupted');
    expect(run.finishedAt).not.toBeNull();
    expect(run.phases.length).toBeGreaterThanOrEqual(1);
    for (const report of ['report.md', 'report.html', 'junit.xml']) expect(existsSync(path.join(runDir, report)), report).toBe(true);
    expect(result.stderr).toMatch(/still cleaning up/);
  });

  for (const [moment, delayMs] of [
    ['start-up', 120],
    ['warmup', 900],
  ] as const) {
    it(`exits 130 and leaves no process or temporary file when interrupted during ${moment}`, async () => {
      const out = tempDir();
      const { child, done } = startCli(['run', '--out', out, '--set', 'load.warmup=3s', '--set', 'load.duration=1s']);
      await sleep(delayMs);
      child.kill('SIGINT');
      const result = await done;
      // Before Node has run meshtax's first line the default action ends the process by SIGINT, which a shell
      // also reports as 130; from then on meshtax exits 130 itself.
      expect(result.code === 130 || result.signal === 'SIGINT').toBe(true);
      expect(runProcessPids(result)).toEqual([]);
      const runs = existsSync(out) ? readdirSync(out) : [];
      for (const runId of runs) {
        // run.json and the reports of what was measured; never a half-written temporary file.
        const files = readdirSync(path.join(out, runId));
        expect(files.filter((file) => file.endsWith('.tmp'))).toEqual([]);
        expect(files).toContain('run.json');
        const { run } = readRun(out);
        expect(run.status).toBe('interrupted');
        expect(run.phases).toEqual([]);
      }
    });
  }
});
