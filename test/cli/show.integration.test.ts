import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSummary } from '../../src/report/terminal.ts';
import { fixtureRun } from '../report/fixture.ts';
import { runCli, tempDir } from '../helpers/cli.ts';

/** A results directory as meshtax run leaves it: <dir>/results/<run-id>/run.json. */
function resultsWithFixture(): { cwd: string; runDir: string; runFile: string } {
  const cwd = tempDir();
  const runDir = path.join(cwd, 'results', fixtureRun.runId);
  mkdirSync(runDir, { recursive: true });
  const runFile = path.join(runDir, 'run.json');
  writeFileSync(runFile, JSON.stringify(fixtureRun));
  return { cwd, runDir, runFile };
}

describe('meshtax show', () => {
  it('prints the summary run printed, from a run id, a run directory or a run.json', async () => {
    const { cwd, runDir, runFile } = resultsWithFixture();
    const byId = await runCli(['show', fixtureRun.runId], cwd);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toBe(`${runSummary(fixtureRun, path.join('results', fixtureRun.runId, 'run.json'))}\n`);
    const byDir = await runCli(['show', runDir]);
    expect(byDir.stdout).toBe(`${runSummary(fixtureRun, path.join(runDir, 'run.json'))}\n`);
    const byFile = await runCli(['show', runFile]);
    expect(byFile.stdout).toBe(`${runSummary(fixtureRun, runFile)}\n`);
    const elsewhere = await runCli(['show', fixtureRun.runId, '--results', path.join(cwd, 'results')]);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(elsewhere.stdout).toContain(`meshtax run ${fixtureRun.runId}: completed`);
  });

  it('says where it looked for a run id it cannot find, with exit 2', async () => {
    const cwd = tempDir();
    const result = await runCli(['show', '20261201-000000-ab12'], cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `meshtax: no run 20261201-000000-ab12: neither a file nor a directory here, and ${path.join('results', '20261201-000000-ab12', 'run.json')} does not exist (give --results DIR if the run was written elsewhere)\n`,
    );
    const empty = await runCli(['show', cwd]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/is a directory without a run\.json/);
  });
});

describe('meshtax report', () => {
  it('accepts a run directory and md as a format name', async () => {
    const { runDir } = resultsWithFixture();
    const out = tempDir();
    const result = await runCli(['report', runDir, '--out', out, '--format', 'md']);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['report.md']);
    expect(result.stdout).toBe(`${path.join(out, 'report.md')}\n`);
  });

  it('looks a run id up under --results, as show does', async () => {
    const { cwd, runDir } = resultsWithFixture();
    const result = await runCli(['report', fixtureRun.runId, '--results', path.join(cwd, 'results'), '--format', 'md']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${path.join(runDir, 'report.md')}\n`);
    const missing = await runCli(['report', '20261201-000000-ab12', '--results', cwd]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${path.join(cwd, '20261201-000000-ab12', 'run.json')} does not exist (give --results DIR`);
  });

  it('accepts a run id under ./results', async () => {
    const { cwd, runDir } = resultsWithFixture();
    const result = await runCli(['report', fixtureRun.runId, '--format', 'md,junit'], cwd);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(runDir).sort()).toEqual(['junit.xml', 'report.md', 'run.json']);
  });
});
