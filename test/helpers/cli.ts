import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunDocument } from '../../src/results/schema.ts';

/** The built CLI as a user runs it (npm test builds dist/ first). */
export const BIN = path.resolve(import.meta.dirname, '../../bin/meshtax.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: readonly string[], cwd?: string, env?: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: readonly string[], cwd?: string, env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, cwd, env).done;
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

/** This checkout: the echo servers and built-in proxies its runs start are started from files under it. */
const CHECKOUT = path.resolve(import.meta.dirname, '../..');

/**
 * PIDs of processes a meshtax run of this checkout starts (echo servers, built-in proxies, HAProxy) still alive on
 * this machine. Echo servers and proxies of other checkouts on the same machine are not ours.
 */
export function runProcessPids(): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const ours = new RegExp(`${escapeRegExp(CHECKOUT)}/\\S*runtimes/local/(echo-server|proxy/builtin-proxy)\\.(js|ts)|haproxy .*meshtax-\\d{8}-`);
  return out
    .split('\n')
    .filter((line) => ours.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** A run's work directories (certificates, keys, proxy configuration) left in the temp directory. */
export function runWorkDirs(): string[] {
  return readdirSync(os.tmpdir()).filter((name) => /^meshtax-\d{8}-\d{6}-[0-9a-f]{4}-/.test(name));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
