import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ownedListeners, socketKey } from '../proc-sockets.ts';
import type { Endpoint } from './types.ts';
import { MeshtaxError } from '../../../core/errors.ts';

/** How often listeners are probed while a proxy starts. */
const POLL_MS = 20;
/** A loopback connect either succeeds or is refused at once; this only guards against a wedged stack. */
const CONNECT_TIMEOUT_MS = 1000;

export interface WaitForListenersOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /**
   * The process that must own each listening socket (Linux): a port can accept connections because another
   * process holds it, e.g. when a proxy failed to bind a port taken since it was chosen. When given, an endpoint
   * counts only once this process holds a socket listening on it, found through /proc/<owner>/net and
   * /proc/<owner>/fd. Skipped where /proc does not exist.
   */
  owner?: number;
}

export class ListenersNotReady extends MeshtaxError {}

/**
 * Resolves once every endpoint accepts TCP connections (and, with `owner`, is held by that process), polling
 * every 20 ms; rejects after `timeoutMs` naming the endpoints that never did, or when `signal` aborts. Endpoints
 * must be on loopback (127.0.0.0/8 or ::1): the local runtime binds nothing else, and probing other hosts from a
 * readiness check is not this function's business. Each probe opens and at once closes one connection, so an L4
 * proxy may open one upstream connection per probe while it starts.
 */
export async function waitForListeners(
  endpoints: readonly Endpoint[],
  options: WaitForListenersOptions,
): Promise<void> {
  for (const endpoint of endpoints) assertLoopback(endpoint);
  const deadline = performance.now() + options.timeoutMs;
  let pending = [...endpoints];
  for (;;) {
    options.signal?.throwIfAborted();
    const accepted = await Promise.all(pending.map((endpoint) => accepts(endpoint)));
    pending = pending.filter((_endpoint, i) => !accepted[i]);
    if (pending.length === 0 && options.owner !== undefined) {
      const owned = await ownedListeners(options.owner);
      if (owned) pending = endpoints.filter((endpoint) => !owned.has(socketKey(endpoint)));
    }
    if (pending.length === 0) return;
    if (performance.now() >= deadline) {
      const list = pending.map((endpoint) => formatEndpoint(endpoint)).join(', ');
      const whose = options.owner === undefined ? '' : ` by process ${options.owner}`;
      throw new ListenersNotReady(`not listening${whose} within ${options.timeoutMs} ms on ${list}`);
    }
    await sleep(POLL_MS, undefined, options.signal ? { signal: options.signal } : {});
  }
}

function assertLoopback(endpoint: Endpoint): void {
  const family = net.isIP(endpoint.host);
  const loopback =
    (family === 4 && endpoint.host.startsWith('127.')) || (family === 6 && normalizeV6(endpoint.host) === '::1');
  if (!loopback) throw new Error(`readiness probes go to loopback only, not to ${endpoint.host}`);
  if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535) {
    throw new Error(`port ${endpoint.port} of ${endpoint.host} is not a port to probe`);
  }
}

function normalizeV6(host: string): string {
  return new URL(`http://[${host}]/`).hostname.slice(1, -1);
}

export function formatEndpoint(endpoint: Endpoint): string {
  return net.isIPv6(endpoint.host) ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

function accepts(endpoint: Endpoint): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

