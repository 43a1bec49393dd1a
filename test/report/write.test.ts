import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markdownReport } from '../../src/report/markdown.ts';
import { writeReports } from '../../src/report/write.ts';
import { fixtureRun } from './fixture.ts';

describe('writeReports', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'meshtax-reports-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every default report and leaves no temporary files', async () => {
    const runDir = path.join(dir, 'run');
    const written = await writeReports(fixtureRun, runDir);
    expect(written).toEqual(['report.md', 'junit.xml', 'phases.csv', 'smp.json'].map((name) => path.join(runDir, name)));
    expect((await readdir(runDir)).sort()).toEqual(['junit.xml', 'phases.csv', 'report.md', 'smp.json']);
    expect(await readFile(path.join(runDir, 'report.md'), 'utf8')).toBe(markdownReport(fixtureRun));
  });

  it('writes report.html through the given renderer, and only the formats asked for', async () => {
    const written = await writeReports(fixtureRun, dir, ['csv', 'html'], (run) => `<html>${run.runId}</html>`);
    expect(written).toEqual([path.join(dir, 'phases.csv'), path.join(dir, 'report.html')]);
    expect(await readFile(path.join(dir, 'report.html'), 'utf8')).toBe(`<html>${fixtureRun.runId}</html>`);
    expect((await readdir(dir)).sort()).toEqual(['phases.csv', 'report.html']);
  });

  it('refuses html without a renderer, writing nothing', async () => {
    await expect(writeReports(fixtureRun, dir, ['markdown', 'html'])).rejects.toThrow(/HTML renderer/);
    expect(await readdir(dir)).toEqual([]);
  });
});
