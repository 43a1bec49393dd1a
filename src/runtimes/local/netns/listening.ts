import { setTimeout as sleep } from 'node:timers/promises';
import { ownedListeners, socketKey } from '../proc-sockets.ts';
import { formatEndpoint } from '../proxy/ready.ts';
import type { Endpoint } from '../proxy/types.ts';

/** How often the listening sockets are read while a process starts. */
const POLL_MS = 20;
/** TCP state LISTEN in /proc/net/tcp. */

export interface WaitForOwnedListenersOptions {
  /** The process that must hold a listening socket on every endpoint. */
  owner: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Readiness of a process in another network namespace (HAProxy there prints nothing when it is ready): resolves
 * once `owner` holds a socket in state LISTEN on every endpoint. /proc/<pid>/net/tcp{,6} shows the sockets of the
 * namespace the process lives in (not meshtax's), and /proc/<pid>/fd tells which of them are the process's own;
 * a listening socket accepts connections, so no probe has to cross into the namespace. Endpoints are IPv4 here
 * (the namespaces are IPv4 only); `0.0.0.0` matches a wildcard bind. Rejects after `timeoutMs` naming the
 * endpoints still missing, or when `signal` aborts.
 */
export async function waitForOwnedListeners(
  endpoints: readonly Endpoint[],
  options: WaitForOwnedListenersOptions,
): Promise<void> {
  const keys = endpoints.map((endpoint) => socketKey(endpoint));
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const owned = (await ownedListeners(options.owner)) ?? new Set<string>();
    const missing = endpoints.filter((_endpoint, i) => !owned.has(keys[i]!));
    if (missing.length === 0) return;
    if (performance.now() >= deadline) {
      const list = missing.map((endpoint) => formatEndpoint(endpoint)).join(', ');
      throw new Error(`not listening by process ${options.owner} within ${options.timeoutMs} ms on ${list}`);
    }
    await sleep(POLL_MS, undefined, options.signal ? { signal: options.signal } : {});
  }
}
