import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../../src/results/schema.ts';
import { runCli, startCli, tempDir } from '../helpers/cli.ts';
import { fixtureRun } from '../report/fixture.ts';
import { waitFor } from '../helpers/poll.ts';

/** Mount points this file made; unmounted after each test. */
const mounts: string[] = [];

function requireRoot(): void {
  if (process.platform !== 'linux' || process.geteuid?.() !== 0) {
    throw new Error('these tests mount small tmpfs file systems of their own: run them as root on Linux (CI does)');
  }
}

function mountTmpfs(options: string): string {
  const dir = path.join(tempDir(), 'mnt');
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'meshtax-test', dir]);
  mounts.push(dir);
  return dir;
}

function runDirOf(out: string): string | undefined {
  const entries = existsSync(out) ? readdirSync(out).filter((name) => /^\d{8}-\d{6}-[0-9a-f]{4}$/.test(name)) : [];
  return entries.length === 1 ? path.join(out, entries[0]!) : undefined;
}

function phasesWritten(runDir: string): number {
  try {
    return (JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunDocument).phases.length;
  } catch {
    return 0;
  }
}

/** Fills the file system holding `dir` until a write fails for want of space. Bounded by the tmpfs's size. */
function fill(dir: string): void {
  const fd = openSync(path.join(dir, 'filler'), 'w');
  try {
    for (const size of [1 << 16, 1 << 12, 1 << 9, 1]) {
      const chunk = Buffer.alloc(size, 120);
      for (let i = 0; i < 100_000; i++) {
        try {
          writeSync(fd, chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** A run directory holding the report fixture's run.json, under `parent` (a new directory by default). */
function fixtureRunDir(parent = tempDir()): string {
  const runDir = path.join(parent, fixtureRun.runId);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(fixtureRun));
  return runDir;
}

const quick = ['--set', 'load.duration=1s', '--set', 'load.warmup=0s', '--set', 'load.rates=[200,300]', '--set', 'load.repetitions=2'];

describe('write failures', () => {
  beforeAll(requireRoot);
  afterEach(() => {
    for (const dir of mounts.splice(0)) execFileSync('umount', ['-l', dir]);
  });

  it('--out that is a file: exit 2, one line, before anything starts', async () => {
    const file = path.join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const result = await runCli(['run', '--out', file, ...quick]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`meshtax: --out ${file} is a file, not a directory; give a directory for the results\n`);
    expect(result.stdout).toBe('');
  });

  it('--out on a read-only file system: exit 2, one line, nothing written', async () => {
    const readOnly = mountTmpfs('ro,size=1m');
    const result = await runCli(['run', '--out', path.join(readOnly, 'results'), ...quick]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`meshtax: cannot write to --out ${path.join(readOnly, 'results')}: read-only file system (EROFS)\n`);
    expect(readdirSync(readOnly)).toEqual([]);
  });

  it('a disk that fills mid-run: the write failure is named, run.json ends failed with it, exit 1', async () => {
    const small = mountTmpfs('size=4m');
    const { child, done } = startCli(['run', '--out', small, ...quick]);
    const runDir = await waitFor('the run directory', 60_000, () => runDirOf(small), 50);
    await waitFor('a phase written', 60_000, () => phasesWritten(runDir) >= 1, 50);
    fill(small);
    const result = await done;
    void child;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).toMatch(/cannot write .*: no space left on the device \(ENOSPC\)/);
    const run = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunDocument;
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/cannot write .*run\.json.*: no space left on the device \(ENOSPC\)/);
    expect(run.finishedAt).not.toBeNull();
    expect(readdirSync(runDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('a report that cannot be written: named, run.json ends failed, exit 1', async () => {
    const out = tempDir();
    const { done } = startCli(['run', '--out', out, ...quick]);
    const runDir = await waitFor('the run directory', 60_000, () => runDirOf(out), 50);
    // A directory where report.md goes: its rename fails.
    mkdirSync(path.join(runDir, 'report.md'));
    const result = await done;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`meshtax: could not write the reports: cannot write ${path.join(runDir, 'report.md')}: a directory is in the way (EISDIR)`);
    expect(result.stdout).toMatch(/^reports: not written/m);
    const run = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunDocument;
    expect(run.status).toBe('failed');
    expect(run.error).toContain(`cannot write ${path.join(runDir, 'report.md')}`);
  });

  it('report --out that is a file: exit 2, one line, for one run and for a pilot', async () => {
    const file = path.join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const expected = `meshtax: --out ${file} is a file, not a directory; give a directory for the results\n`;
    const one = await runCli(['report', fixtureRunDir(), '--out', file]);
    expect([one.code, one.stderr, one.stdout]).toEqual([2, expected, '']);
    const pilot = await runCli(['report', fixtureRunDir(), fixtureRunDir(), '--out', file]);
    expect([pilot.code, pilot.stderr, pilot.stdout]).toEqual([2, expected, '']);
  });

  it('report --out on a read-only file system: exit 2, one line', async () => {
    const readOnly = mountTmpfs('ro,size=1m');
    const out = path.join(readOnly, 'reports');
    const result = await runCli(['report', fixtureRunDir(), '--out', out]);
    expect([result.code, result.stderr]).toEqual([2, `meshtax: cannot write to --out ${out}: read-only file system (EROFS)\n`]);
  });

  it('report beside a run on a read-only file system: the file named, --out suggested, exit 1', async () => {
    const mount = mountTmpfs('size=1m');
    const runDir = fixtureRunDir(mount);
    execFileSync('mount', ['-o', 'remount,ro', mount]);
    const result = await runCli(['report', runDir, '--format', 'md']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `meshtax: cannot write ${path.join(runDir, 'report.md')}: read-only file system (EROFS); give --out DIR to write the reports elsewhere\n`,
    );
  });

  it('--out under /proc: exit 2, one line (Node\'s recursive mkdir would retry there forever)', async () => {
    const out = `/proc/meshtax-test-${process.pid}`;
    const run = await runCli(['run', '--out', out, ...quick]);
    expect([run.code, run.stderr]).toEqual([2, `meshtax: cannot write to --out ${out}: no such file or directory (ENOENT)\n`]);
    const report = await runCli(['report', fixtureRunDir(), '--out', path.join(out, 'reports')]);
    expect([report.code, report.stderr]).toEqual([2, `meshtax: cannot write to --out ${path.join(out, 'reports')}: no such file or directory (ENOENT)\n`]);
  });

  it('history --html into a directory that does not exist: the file named, the reason in words', async () => {
    const runDir = fixtureRunDir();
    const html = path.join(tempDir(), 'missing', 'trend.html');
    const result = await runCli(['history', path.dirname(runDir), '--html', html]);
    expect([result.code, result.stderr]).toEqual([1, `meshtax: cannot write ${html}: no such file or directory (ENOENT)\n`]);
  });
});
