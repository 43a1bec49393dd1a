import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readiness } from '../../../scenario/workload-schema.ts';
import { formatEndpoint } from '../proxy/ready.ts';
import type { Endpoint } from '../proxy/types.ts';
import { MeshtaxError } from '../../../core/errors.ts';

/** How often a starting server is probed. */
const POLL_MS = 50;
/** One probe's limit: the server is on loopback or in a namespace of this run, so an answer comes fast or not at all. */
const PROBE_TIMEOUT_MS = 1000;

/** The team's server never passed its readiness check: the run fails (exit 1). */
export class WorkloadNotReady extends MeshtaxError {}

/** What one probe saw: undefined when ready, else why not (for the message when time runs out). */
type Outcome = string | undefined;

function tcpProbe(endpoint: Endpoint): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const done = (outcome: Outcome): void => {
      socket.destroy();
      resolve(outcome);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done('the connection attempt timed out'));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`connecting failed (${error.code ?? error.message})`));
  });
}

function httpProbe(endpoint: Endpoint, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const request = http.get({ host: endpoint.host, port: endpoint.port, path, agent: false, timeout: PROBE_TIMEOUT_MS }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? undefined : `GET ${path} answered ${status}`);
    });
    request.once('timeout', () => request.destroy(new Error('timed out')));
    request.once('error', (error: NodeJS.ErrnoException) => resolve(`GET ${path} failed (${error.code ?? error.message})`));
  });
}

/** A check's name for messages: `tcp` or `GET /healthz`. */
export function describeReadiness(check: Readiness): string {
  return check === 'tcp' ? 'a TCP connect' : `GET ${check.httpGet} answering 2xx`;
}

/**
 * Resolves once the server at `endpoint` passes `check` (a TCP connect, or an HTTP GET answering 2xx), probing every
 * 50 ms; rejects after `timeoutMs` with what the last probe saw, or when `signal` aborts. `endpoint` is where
 * meshtax itself put the server: the loopback address, or the server pod's address in a network namespace of this
 * run, which the root namespace reaches over its veth link.
 */
export async function waitUntilReady(endpoint: Endpoint, check: Readiness, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const outcome = check === 'tcp' ? await tcpProbe(endpoint) : await httpProbe(endpoint, check.httpGet);
    if (outcome === undefined) return;
    if (performance.now() >= deadline) {
      throw new WorkloadNotReady(
        `not ready within ${options.timeoutMs} ms: waited for ${describeReadiness(check)} on ${formatEndpoint(endpoint)}; the last probe: ${outcome}`,
      );
    }
    await sleep(POLL_MS, undefined, options.signal ? { signal: options.signal } : {});
  }
}

/** Whether something already accepts connections at `endpoint` (a fixed port another process holds). */
export async function accepting(endpoint: Endpoint): Promise<boolean> {
  return (await tcpProbe(endpoint)) === undefined;
}
