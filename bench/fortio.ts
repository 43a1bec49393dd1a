import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Fortio, the generator Istio's own harness uses: `go install fortio.org/fortio@v1.63.3` puts it in ~/go/bin. */
export function fortioCommand(): string | undefined {
  for (const candidate of ['fortio', path.join(os.homedir(), 'go', 'bin', 'fortio')]) {
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
