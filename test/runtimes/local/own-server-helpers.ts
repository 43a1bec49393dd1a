import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { poll } from '../../helpers/poll.ts';
import { scopePids, type ProcessScope } from '../../helpers/processes.ts';

/** A scenario running fixtures/own-server.mjs (a server the tests wrote) as workload.command, and what it recorded. */

export const SERVER = path.join(import.meta.dirname, 'fixtures', 'own-server.mjs');
export const MODES = ['baseline', 'sidecar', 'node-proxy', 'node-proxy-waypoint'];

export function scenarioFile(dir: string, state: string, options: { env?: Record<string, string>; duration?: string; modes?: string[]; isolation?: string } = {}): string {
  const env = { STATE_DIR: state, ...options.env };
  const file = path.join(dir, 'own.yaml');
  writeFileSync(
    file,
    [
      'apiVersion: meshtax.dev/v1alpha1',
      'kind: Scenario',
      'metadata: {name: own-server}',
      `modes: [${(options.modes ?? MODES).join(', ')}]`,
      `local: {proxy: builtin, isolation: ${options.isolation ?? 'loopback'}}`,
      'workload:',
      '  command:',
      `    argv: [${JSON.stringify(process.execPath)}, ${JSON.stringify(SERVER)}, --port, "{port}"]`,
      `    env: ${JSON.stringify(env)}`,
      '    ready: {httpGet: /healthz}',
      `load: {rates: [200], duration: ${options.duration ?? '1s'}, warmup: 200ms, repetitions: 1}`,
      '',
    ].join('\n'),
  );
  return file;
}

export interface Started {
  server: number;
  helper: number;
  port: number;
}

export function starts(state: string): Started[] {
  const file = path.join(state, 'pids');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number))
    .map(([server, helper, port]) => ({ server: server!, helper: helper!, port: port! }));
}

export const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

/** The servers and helpers the run started that are still there, after up to 3 s for them to go. */
export async function leftovers(state: string, scope: ProcessScope): Promise<string[]> {
  return poll(
    () => [
      ...starts(state).flatMap(({ server, helper }) => [server, helper]).filter(alive).map((pid) => `started ${pid}`),
      ...scopePids(scope).map((pid) => `in the run's session ${pid}`),
    ],
    (left) => left.length === 0,
    3000,
    100,
  );
}

