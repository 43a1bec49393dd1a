import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  port: number;
  requests: () => number;
  close(): Promise<void>;
}

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, count: number) => void;

/** An HTTP server on 127.0.0.1, port 0, with a handler per test. */
export async function startServer(handler: Handler): Promise<TestServer> {
  let count = 0;
  const server = http.createServer((request, response) => {
    count++;
    request.resume();
    handler(request, response, count);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests: () => count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const okHandler: Handler = (_request, response) => {
  response.writeHead(200, { 'content-length': '5' });
  response.end('hello');
};

/**
 * Stalls like a server with a long GC pause: for `stallMs` out of every `periodMs` every response is held until the
 * stall ends. The clock starts at the first request.
 */
export function stallingHandler(periodMs: number, stallMs: number): Handler {
  let origin = 0;
  return (_request, response) => {
    const now = performance.now();
    if (origin === 0) origin = now;
    const intoPeriod = (now - origin) % periodMs;
    const reply = (): void => okHandler(_request, response, 0);
    const stallStart = periodMs - stallMs;
    if (intoPeriod >= stallStart) setTimeout(reply, periodMs - intoPeriod);
    else reply();
  };
}

/**
 * A loopback port that refuses connections, for tests of what a refused connection does. A port freed by closing a
 * server (closedPort) may be handed to another process's server before the test connects, on a machine running other
 * tests; a privileged port (below 1024) is never handed out for a port-0 bind, and the one chosen has no listener now
 * (/proc/net/tcp and tcp6). From 900 up, past the WHATWG Fetch standard's "bad ports" (989, 990, 993 and 995 in this
 * range), which fetch() refuses before connecting. Elsewhere than Linux, closedPort.
 */
export async function refusedPort(): Promise<number> {
  let tables: string[];
  try {
    tables = ['/proc/net/tcp', '/proc/net/tcp6'].map((file) => readFileSync(file, 'utf8'));
  } catch {
    return closedPort();
  }
  const listening = new Set<number>();
  for (const line of tables.join('\n').split('\n')) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st …: st 0A is LISTEN; the local address ends in :PORT in hex.
    if (fields[3] === '0A') listening.add(Number.parseInt(fields[1]!.split(':').pop()!, 16));
  }
  const fetchRefuses = new Set([989, 990, 993, 995]);
  for (let port = 900; port < 1024; port++) if (!listening.has(port) && !fetchRefuses.has(port)) return port;
  return closedPort();
}

/** A port with nothing listening: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
