import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunDocument } from '../../src/results/schema.ts';
import { runProcesses, type ProcessScope } from './processes.ts';
import { RUN_ID_SOURCE } from '../../src/results/run-id.ts';

/** The built CLI as a user runs it (npm test builds dist/ first). */
export const BIN = path.resolve(import.meta.dirname, '../../bin/meshtax.js');

/**
 * Flags for a real run whose test is about something other than validity. On a crowded machine (a CI runner sharing
 * its cores) a phase can come out invalid, below its rate or with the generator's own lateness as its tail, and the
 * run then exits 1 for a reason that belongs to the machine, not to the logic under test. The phase stays marked
 * in run.json; validity itself is tested on runs built to be invalid (test/cli/validity.integration.test.ts).
 */
export const ANY_MACHINE = ['--allow-invalid'] as const;

/** `--set` flags, one per override: sets('load.duration=1s', 'load.repetitions=1'). */
export function sets(...overrides: string[]): string[] {
  return overrides.flatMap((override) => ['--set', override]);
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The CLI's processes: its session (see processes.ts). */
  scope: ProcessScope;
  /** The TMPDIR the CLI ran with, a directory of its own: its work directories are there and nowhere else. */
  tmpDir: string;
}

export interface StartedCli {
  child: ChildProcess;
  done: Promise<CliResult>;
  scope: ProcessScope;
  tmpDir: string;
}

const running = new Set<ChildProcess>();
const tmpDirs: string[] = [];
process.once('exit', () => {
  // The CLI leads a session of its own, so a Ctrl-C of the test run does not reach it: pass it on.
  for (const child of running) child.kill('SIGINT');
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Starts the built CLI in a session of its own (so its processes can be told from every other process on the
 * machine, even once orphaned) with a TMPDIR of its own; `env.TMPDIR` shares one between runs (a killed run and
 * the `cleanup` after it).
 */
export function startCli(args: readonly string[], cwd?: string, env?: NodeJS.ProcessEnv): StartedCli {
  const tmpDir = env?.['TMPDIR'] ?? cliTmpDir();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, ...env, TMPDIR: tmpDir },
  });
  if (child.pid === undefined) throw new Error(`could not start ${BIN}`);
  const scope: ProcessScope = { session: child.pid };
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, stdout, stderr, scope, tmpDir });
    });
  });
  return { child, done, scope, tmpDir };
}

export function runCli(args: readonly string[], cwd?: string, env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, cwd, env).done;
}

/** A TMPDIR for CLI runs, removed when the test process exits. */
export function cliTmpDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-cli-tmp-'));
  tmpDirs.push(dir);
  return dir;
}

export function tempDir(prefix = 'meshtax-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The single run directory under an output directory, and its parsed run.json. */
export function readRun(outDir: string): { runDir: string; run: RunDocument } {
  const entries = readdirSync(outDir);
  if (entries.length !== 1) throw new Error(`expected one run in ${outDir}, found ${entries.join(', ') || 'none'}`);
  const runDir = path.join(outDir, entries[0]!);
  return { runDir, run: JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunDocument };
}

/** PIDs of the processes a CLI run started (echo servers, built-in proxies, HAProxy) still alive. */
export function runProcessPids(cli: { scope: ProcessScope }): number[] {
  return runProcesses(cli.scope).map((line) => Number(line.split(' ')[0]));
}

/** A CLI run's work directories (certificates, keys, proxy configuration) left in its TMPDIR. */
export function runWorkDirs(cli: { tmpDir: string }): string[] {
  return readdirSync(cli.tmpDir).filter((name) => new RegExp(`^meshtax-${RUN_ID_SOURCE}-`).test(name));
}
