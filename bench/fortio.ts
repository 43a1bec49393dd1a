import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { clockTicksPerSecond, readStat } from '../src/runtimes/local/resources/procfs.ts';

/** Where the benches install Go tools, outside the clone so a fresh checkout reuses them. */
export const TOOLS_BIN = '/var/cache/meshtax-tools/bin';
export const FORTIO_INSTALL = `GOBIN=${TOOLS_BIN} go install fortio.org/fortio@v1.63.3`;

/** Fortio, the generator Istio's own harness uses: from the tools cache, PATH, or ~/go/bin. */
export function fortioCommand(): string | undefined {
  for (const candidate of [path.join(TOOLS_BIN, 'fortio'), 'fortio', path.join(os.homedir(), 'go', 'bin', 'fortio')]) {
    if (spawnSync(candidate, ['version']).error === undefined) return candidate;
  }
  return undefined;
}

export interface FortioResult {
  p50Us: number;
  p90Us: number;
  p99Us: number;
  rps: number;
}

interface FortioJson {
  ActualQPS: number;
  DurationHistogram: { Percentiles: { Percentile: number; Value: number }[] };
}

/**
 * Fortio at a fixed total rate over `connections` connections, with 10 µs histogram resolution (its default is
 * 1 ms) and `-uniform`, which offsets the connections' schedules evenly. Without it all connections fire together:
 * at 1000 qps over 8 connections, bursts of 8 every 8 ms that single-threaded proxies serialize; measured here that
 * tripled Fortio's sidecar delta (+380..660 µs against +160..200 µs with -uniform). meshtax's open loop spaces
 * requests evenly, so -uniform is the like-for-like setting. Fortio is closed loop per connection and does not
 * correct for coordinated omission, which does not matter far below saturation.
 */
export function runFortio(
  command: string,
  url: string,
  rate: number,
  connections: number,
  seconds: number,
  extra: readonly string[] = [],
): FortioResult {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-bench-fortio-'));
  const file = path.join(dir, 'result.json');
  try {
    execFileSync(
      command,
      ['load', '-quiet', '-uniform', ...extra, '-qps', String(rate), '-c', String(connections), '-t', `${seconds}s`, '-r', '0.00001', '-p', '50,90,99', '-json', file, url],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const result = JSON.parse(readFileSync(file, 'utf8')) as FortioJson;
    const at = (p: number): number => {
      const found = result.DurationHistogram.Percentiles.find((entry) => entry.Percentile === p);
      if (!found) throw new Error(`fortio reported no p${p}`);
      return found.Value * 1e6;
    };
    return { p50Us: at(50), p90Us: at(90), p99Us: at(99), rps: result.ActualQPS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface MeasuredFortio extends FortioResult {
  /** User+system CPU of the fortio process over the part of its run after `skipSeconds`, in cores. */
  cpuCores: number;
}

/**
 * runFortio without blocking this process, reading the fortio process's own CPU (utime+stime of /proc/<pid>/stat)
 * every 50 ms: CPU is the difference between the first reading after `skipSeconds` (connections open, like the
 * warmup meshtax discards) and the last one before it exits, over the time between them. `extra`: more flags
 * before the target (e.g. `-grpc -s 1` with a host:port target).
 */
export async function runFortioMeasured(
  command: string,
  url: string,
  rate: number,
  connections: number,
  seconds: number,
  skipSeconds: number,
  extra: readonly string[] = [],
): Promise<MeasuredFortio> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meshtax-bench-fortio-'));
  const file = path.join(dir, 'result.json');
  const ticks = clockTicksPerSecond();
  try {
    const child = spawn(
      command,
      ['load', '-quiet', '-uniform', ...extra, '-qps', String(rate), '-c', String(connections), '-t', `${seconds + skipSeconds}s`, '-r', '0.00001', '-p', '50,90,99', '-json', file, url],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const startedMs = Date.now();
    let first: { ticks: number; ms: number } | undefined;
    let last: { ticks: number; ms: number } | undefined;
    // Bounded: fortio stops itself after its -t; the poll ends with it, or at twice its time.
    const poll = setInterval(() => {
      const stat = child.pid === undefined ? undefined : readStat(child.pid);
      if (!stat) return;
      const reading = { ticks: stat.utime + stat.stime, ms: Date.now() };
      if (reading.ms - startedMs >= skipSeconds * 1000 && !first) first = reading;
      if (first) last = reading;
      if (reading.ms - startedMs > 2 * (seconds + skipSeconds) * 1000 + 10_000) child.kill('SIGKILL');
    }, 50);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    clearInterval(poll);
    if (code !== 0) throw new Error(`fortio exited with ${String(code)}: ${stderr.slice(-500)}`);
    const result = JSON.parse(await readFile(file, 'utf8')) as FortioJson;
    const at = (p: number): number => {
      const found = result.DurationHistogram.Percentiles.find((entry) => entry.Percentile === p);
      if (!found) throw new Error(`fortio reported no p${p}`);
      return found.Value * 1e6;
    };
    const cpuCores = first && last && last.ms > first.ms ? (last.ticks - first.ticks) / ticks / ((last.ms - first.ms) / 1000) : NaN;
    return { p50Us: at(50), p90Us: at(90), p99Us: at(99), rps: result.ActualQPS, cpuCores };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
