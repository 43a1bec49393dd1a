/**
 * The built-in proxy's L7 listener, like a sidecar or a waypoint: HTTP/1.1 keep-alive in (plain or mTLS), each
 * request forwarded over a pool of keep-alive upstream connections (plain or mTLS), bodies streamed both ways.
 * The per-request path does no logging and no JSON; failures go to a rate-limited stderr reporter.
 */
import http from 'node:http';
import https from 'node:https';
import { describeError, type ReportProblem } from './builtin-log.ts';
import { forwardedRequest, forwardedResponseHeaders, VIA } from './builtin-headers.ts';
import { clientTlsOptions, serverTlsOptions } from './builtin-tls.ts';
import type { Listener } from './types.ts';

/**
 * No byte from upstream for this long while a request is outstanding → 504 (or, once the response has started, the
 * downstream connection is cut). builtin-proxy's `--upstream-timeout-ms` overrides it (tests).
 */
export const UPSTREAM_TIMEOUT_MS = 30_000;
/**
 * How long an idle upstream connection stays in the pool. Node shortens it to the upstream's `Keep-Alive:
 * timeout=N` hint minus a second, so the pool lets go of a connection before the upstream closes it.
 */
const IDLE_UPSTREAM_MS = 120_000;
/** Downstream keep-alive, as long as the echo server's, so connections survive the pauses between phases. */
const DOWNSTREAM_KEEP_ALIVE_MS = 120_000;

function describeUpstream(listener: Listener): string {
  const host = listener.upstream.host.includes(':') ? `[${listener.upstream.host}]` : listener.upstream.host;
  return `${host}:${listener.upstream.port}`;
}

export function createHttpListener(
  listener: Listener,
  report: ReportProblem,
  upstreamTimeoutMs = UPSTREAM_TIMEOUT_MS,
): http.Server {
  const poolOptions: http.AgentOptions = {
    keepAlive: true,
    // Node's default: no limit on concurrent upstream connections; keep every idle one.
    maxSockets: Infinity,
    maxFreeSockets: Infinity,
    scheduling: 'lifo',
    timeout: IDLE_UPSTREAM_MS,
    // Node's agents already open upstream connections with TCP_NODELAY (`noDelay` defaults to true).
  };
  const agent = listener.upstreamTls
    ? new https.Agent({ ...poolOptions, ...clientTlsOptions(listener.upstreamTls) })
    : new http.Agent(poolOptions);
  const request = listener.upstreamTls ? https.request : http.request;
  const upstreamHost = listener.upstream.host;
  const upstreamPort = listener.upstream.port;
  const upstreamName = describeUpstream(listener);
  const problemPrefix = `listener '${listener.name}': upstream ${upstreamName}`;

  const fail = (
    incoming: http.IncomingMessage,
    response: http.ServerResponse,
    status: 502 | 504,
    reason: string,
  ): void => {
    if (!incoming.complete) incoming.resume();
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const body = `${status === 504 ? 'gateway timeout' : 'bad gateway'}: upstream ${upstreamName}: ${reason}\n`;
    response.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      via: VIA,
    });
    response.end(body);
  };

  const send = (
    incoming: http.IncomingMessage,
    response: http.ServerResponse,
    headers: string[],
    hasBody: boolean,
    retry: boolean,
  ): void => {
    let timedOut = false;
    const outgoing = request({
      agent,
      host: upstreamHost,
      port: upstreamPort,
      method: incoming.method,
      path: incoming.url,
      headers,
      timeout: upstreamTimeoutMs,
    });
    outgoing.on('response', (reply) => {
      reply.on('error', () => response.destroy());
      response.writeHead(reply.statusCode ?? 502, reply.statusMessage, forwardedResponseHeaders(reply.rawHeaders));
      reply.pipe(response);
    });
    outgoing.on('timeout', () => {
      timedOut = true;
      outgoing.destroy();
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      if (response.destroyed) return;
      // A pooled connection the upstream closed just as we reused it: safe to send a bodiless request again once.
      if (retry && !timedOut && outgoing.reusedSocket && !response.headersSent && error.code === 'ECONNRESET') {
        send(incoming, response, headers, hasBody, false);
        return;
      }
      const reason = timedOut ? `no response within ${upstreamTimeoutMs} ms` : describeError(error);
      const kind = timedOut ? 'timeout' : (error.code ?? error.message);
      report(`upstream ${listener.name} ${kind}`, `${problemPrefix}: ${reason}`);
      fail(incoming, response, timedOut ? 504 : 502, reason);
    });
    response.once('close', () => {
      if (!response.writableFinished) outgoing.destroy();
    });
    if (hasBody) incoming.pipe(outgoing);
    else outgoing.end();
  };

  const fallbackHost = upstreamName;
  const onRequest = (incoming: http.IncomingMessage, response: http.ServerResponse): void => {
    const { headers, hasBody } = forwardedRequest(incoming.rawHeaders, incoming.socket.remoteAddress, fallbackHost);
    send(incoming, response, headers, hasBody, !hasBody);
  };

  const server = listener.tls
    ? https.createServer({ ...serverTlsOptions(listener.tls), noDelay: true }, onRequest)
    : http.createServer({ noDelay: true }, onRequest);
  server.keepAliveTimeout = DOWNSTREAM_KEEP_ALIVE_MS;
  server.headersTimeout = DOWNSTREAM_KEEP_ALIVE_MS + 10_000;
  if (listener.tls) {
    server.on('tlsClientError', (error) =>
      report(`tls-client ${listener.name}`, `listener '${listener.name}': rejected a client: ${describeError(error)}`),
    );
  }
  return server;
}
