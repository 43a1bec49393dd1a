import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validityOf } from '../../src/analysis/validity.ts';
import { readRunFile } from '../../src/results/read-run.ts';
import { fixtureRun } from '../report/fixture.ts';
import { tempDir } from '../helpers/cli.ts';

function write(run: unknown): string {
  const file = path.join(tempDir(), 'run.json');
  writeFileSync(file, JSON.stringify(run));
  return file;
}

describe('reading validity from run.json', () => {
  it('reads the mark a phase and a comparison carry', async () => {
    const run = structuredClone(fixtureRun);
    run.phases[0]!.validity = { valid: false, reasons: [{ code: 'generator-tail', message: 'slip is the tail' }] };
    run.comparisons[0]!.validity = { valid: false, reasons: [{ code: 'generator-tail', message: 'baseline rep 1: slip is the tail' }] };
    const read = await readRunFile(write(run));
    expect(validityOf(read.phases[0]!)).toEqual({ valid: false, reasons: [{ code: 'generator-tail', message: 'slip is the tail' }] });
    expect(read.comparisons[0]!.validity?.valid).toBe(false);
  });

  it('reads a run.json written before phases carried it, and works the mark out from the phase', async () => {
    const run = structuredClone(fixtureRun);
    run.phases[1]!.achievedRps = 500;
    const read = await readRunFile(write(run));
    expect(read.phases[1]!.validity).toBeUndefined();
    expect(validityOf(read.phases[1]!).valid).toBe(false);
    expect(validityOf(read.phases[0]!).valid).toBe(true);
  });

  it('rejects a mark that is not one', async () => {
    const run = structuredClone(fixtureRun) as unknown as { phases: Record<string, unknown>[] };
    run.phases[0]!.validity = { valid: 'yes', reasons: [] };
    await expect(readRunFile(write(run))).rejects.toThrow(/phases\.0\.validity\.valid/);
  });
});

describe("run.json's runId", () => {
  it('is a run id as meshtax run makes it: one rule with --run-id, cleanup and the netns names', async () => {
    await expect(readRunFile(write(fixtureRun))).resolves.toMatchObject({ runId: fixtureRun.runId });
    for (const runId of ['quickstart-20250301-100000-ab12', '20261201-000000-zzzz', '../../etc', '20261201-000000-ab12-x']) {
      await expect(readRunFile(write({ ...fixtureRun, runId })), runId).rejects.toThrow(/is not a meshtax run\.json this version reads: runId /);
    }
  });
});
