import { execFileSync, spawnSync } from 'node:child_process';

/** wrk, the closed-loop peer: present when Debian's wrk package is installed. */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

export interface WrkResult {
  p50Us: number;
  p90Us: number;
  p99Us: number;
  rps: number;
}

/** Runs wrk with --latency and reads its latency distribution and Requests/sec. */
export function runWrk(url: string, connections: number, threads: number, seconds: number): WrkResult {
  const output = execFileSync('wrk', [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', url], {
    encoding: 'utf8',
  });
  const percentile = (p: number): number => {
    const match = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(output);
    if (!match) throw new Error(`wrk printed no ${p}% line:\n${output}`);
    const scale = { us: 1, ms: 1000, s: 1_000_000 }[match[2] as 'us' | 'ms' | 's'];
    return Number(match[1]) * scale;
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  return { p50Us: percentile(50), p90Us: percentile(90), p99Us: percentile(99), rps: Number(rps?.[1] ?? NaN) };
}
