import http from 'node:http';
import net from 'node:net';
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

/** A port with nothing listening: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
