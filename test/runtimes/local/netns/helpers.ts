import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import { newRunId } from '../../../../src/results/run-id.ts';
import type { RunDocument } from '../../../../src/results/schema.ts';
import { runTag } from '../../../../src/runtimes/local/netns/names.ts';
import { removeRulesSync } from '../../../../src/runtimes/local/netns/redirect.ts';
import { poll } from '../../../helpers/poll.ts';
import { runProcesses, type ProcessScope } from '../../../helpers/processes.ts';
import { ANY_MACHINE, sets } from '../../../helpers/cli.ts';

/**
 * These tests create real network namespaces, veth pairs and iptables rules, which takes root. They never skip:
 * CI runs as root, and a run without root must fail loudly rather than pass having tested nothing.
 */
export function requireRoot(): void {
  if (process.platform !== 'linux' || process.geteuid?.() !== 0) {
    throw new Error(
      'test/runtimes/local/netns needs root on Linux: it creates network namespaces, veth pairs and iptables rules. ' +
        'Run the suite as root (CI does); these tests do not skip.',
    );
  }
}

/**
 * Registers what every netns test of a describe block needs: root, and after each test the removal of every trace
 * of the run ids `fresh()` handed out (a failed test leaves no namespace, link or rule behind).
 */
export function netnsRuns(): { fresh(): string } {
  const handedOut: string[] = [];
  beforeAll(requireRoot);
  afterEach(() => {
    for (const runId of handedOut.splice(0)) scrub(runId);
  });
  return {
    fresh: () => {
      const runId = freshRunId();
      handedOut.push(runId);
      return runId;
    },
  };
}

/** A run id for a test, with a tag no other namespace, interface or rule on this host carries yet. */
export function freshRunId(): string {
  for (let attempt = 0; attempt < 20; attempt++) {
    const runId = newRunId();
    if (traces(runId).length === 0) return runId;
  }
  throw new Error('no unused run-id tag in 20 attempts');
}

/** Every line of `ip netns list`, `ip link` (root namespace) and `iptables-save` that names the run. */
export function traces(runId: string): string[] {
  const tag = runTag(runId);
  const names = new RegExp(`\\bmtx-?${tag}-`);
  const lines = [
    ...command('ip', ['netns', 'list']).filter((line) => names.test(line)),
    ...command('ip', ['-o', 'link', 'show']).filter((line) => names.test(line)),
    ...command('iptables-save', []).filter((line) => line.includes(`meshtax:${runId}`)),
  ];
  return lines;
}

/** The run's leftovers once they have had `ms` to go (a veth pair goes with its namespace's last process). */
export async function tracesAfter(runId: string, ms = 2000): Promise<string[]> {
  return poll(() => traces(runId), (found) => found.length === 0, ms, 100);
}

/**
 * After a test, whatever it asserted: removes anything of the run still on the host, so one failure does not
 * leave a rule or an address behind for the next test to trip over.
 */
export function scrub(runId: string | undefined): void {
  if (runId === undefined) return;
  const tag = runTag(runId);
  removeRulesSync(runId);
  for (const line of command('ip', ['-o', 'link', 'show'])) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    if (name?.startsWith(`mtx${tag}-`)) execFileSync('ip', ['link', 'delete', name]);
  }
  for (const line of command('ip', ['netns', 'list'])) {
    const name = line.split(' ')[0];
    if (name?.startsWith(`mtx-${tag}-`)) execFileSync('ip', ['netns', 'delete', name]);
  }
}

function command(name: string, args: string[]): string[] {
  return execFileSync(name, args, { encoding: 'utf8' }).split('\n');
}

/**
 * Waits (bounded) until the run processes (echo servers, proxies) in `scope` are gone, and returns what is left
 * then: `{ session }` of a CLI run (startCli's result), `{ descendantsOf: process.pid }` for a runtime the test
 * drives in its own process. Processes of other runs on this machine are never looked at.
 */
export async function runProcessesAfter(scope: ProcessScope, ms = 3000): Promise<string[]> {
  return poll(() => runProcesses(scope), (found) => found.length === 0, ms, 100);
}

export const NETNS_MODES = ['baseline', 'sidecar', 'node-proxy', 'node-proxy-waypoint'];

/** `meshtax run` with netns isolation, every mode, one short phase each (the built CLI: npm test builds first). */
export function netnsRunArgs(out: string, proxy: string): string[] {
  return [
    'run',
    ...sets(
      'local.isolation=netns',
      `modes=[${NETNS_MODES.join(',')}]`,
      'load.duration=1s',
      'load.warmup=200ms',
      'load.rates=[200]',
      'load.repetitions=1',
      `local.proxy=${proxy}`,
    ),
    '--out',
    out,
    ...ANY_MACHINE,
  ];
}

/** run.json of the one run under `out`, once it exists. */
export function currentRun(out: string): RunDocument | undefined {
  const runs = existsSync(out) ? readdirSync(out) : [];
  const file = runs[0] === undefined ? undefined : path.join(out, runs[0], 'run.json');
  if (file === undefined || !existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunDocument;
  } catch {
    return undefined; // caught between write and rename
  }
}
