/**
 * The built-in proxy's L7 listener for HTTP/2 and gRPC (a listener with `h2`): h2c in, or TLS with ALPN h2 and a
 * required client certificate; every stream forwarded on one long-lived HTTP/2 connection upstream (h2c, or mTLS
 * with ALPN h2), headers, body and trailers (gRPC's status travels in them) copied both ways. Like a sidecar's
 * HTTP/2 pool, many downstream streams share the upstream connection; it is opened again when it closes.
 */
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { describeError, type ReportProblem } from './builtin-log.ts';
import { clientTlsOptions, serverTlsOptions } from './builtin-tls.ts';
import type { Listener } from './types.ts';

const { HTTP2_HEADER_STATUS, NGHTTP2_CANCEL } = http2.constants;

/** Headers that belong to one HTTP/2 connection or are set anew for the next hop (RFC 9113 §8.2.2, pseudo-headers). */
function forwardable(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === ':scheme' || name === ':authority' || name === 'connection' || name === 'keep-alive') continue;
    if (name === 'proxy-connection' || name === 'transfer-encoding' || name === 'upgrade' || name === 'host') continue;
    out[name] = value;
  }
  return out;
}

function responseHeaders(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const out = forwardable(headers);
  for (const name of Object.keys(out)) if (name.startsWith(':') && name !== HTTP2_HEADER_STATUS) delete out[name];
  return out;
}

export function createH2Listener(listener: Listener, report: ReportProblem, upstreamTimeoutMs: number): net.Server {
  const { host, port } = listener.upstream;
  const upstreamName = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const upstreamTls = listener.upstreamTls ? clientTlsOptions(listener.upstreamTls) : undefined;
  const authority = `${upstreamTls ? 'https' : 'http'}://${upstreamName}`;
  let upstream: http2.ClientHttp2Session | undefined;

  const session = (): http2.ClientHttp2Session => {
    if (upstream && !upstream.closed && !upstream.destroyed) return upstream;
    const created = http2.connect(authority, {
      settings: { enablePush: false },
      createConnection: () =>
        upstreamTls
          ? tls.connect({ ...upstreamTls, host, port, ALPNProtocols: ['h2'] }).setNoDelay(true)
          : net.connect({ host, port, noDelay: true }),
    });
    created.on('error', (error) => report(`upstream ${listener.name} ${describeError(error)}`, `listener '${listener.name}': upstream ${upstreamName}: ${describeError(error)}`));
    created.on('close', () => {
      if (upstream === created) upstream = undefined;
    });
    upstream = created;
    return created;
  };

  const onStream = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void => {
    stream.on('error', () => {});
    let out: http2.ClientHttp2Stream;
    try {
      out = session().request(forwardable(headers), { endStream: stream.readableEnded });
    } catch (error) {
      if (!stream.destroyed) stream.respond({ ':status': 502, 'content-type': 'text/plain' }, { endStream: true });
      report(`upstream ${listener.name} request`, `listener '${listener.name}': upstream ${upstreamName}: ${describeError(error)}`);
      return;
    }
    out.setTimeout(upstreamTimeoutMs, () => out.close(NGHTTP2_CANCEL));
    let trailers: http2.OutgoingHttpHeaders | undefined;
    out.on('response', (reply, flags) => {
      if (stream.destroyed) return;
      // A response that ends with its headers (gRPC's trailers-only form) is sent on as one.
      const endStream = (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0;
      stream.respond(responseHeaders(reply), endStream ? { endStream: true } : { waitForTrailers: true });
      if (endStream) return;
      stream.on('wantTrailers', () => stream.sendTrailers(trailers ?? {}));
      out.pipe(stream);
    });
    out.on('trailers', (received) => {
      trailers = responseHeaders(received);
    });
    out.on('error', (error) => {
      if (stream.destroyed) return;
      if (!stream.headersSent) stream.respond({ ':status': 502, 'content-type': 'text/plain' }, { endStream: true });
      else stream.close(NGHTTP2_CANCEL);
      report(`upstream ${listener.name} stream`, `listener '${listener.name}': upstream ${upstreamName}: ${describeError(error)}`);
    });
    out.on('close', () => {
      if (!stream.destroyed && !stream.headersSent) stream.respond({ ':status': 502, 'content-type': 'text/plain' }, { endStream: true });
    });
    stream.on('close', () => {
      if (!out.closed) out.close(NGHTTP2_CANCEL);
    });
    if (!stream.readableEnded) stream.pipe(out);
  };

  const settings = { maxConcurrentStreams: 10_000 };
  // Over TLS the client must negotiate h2 with ALPN (Node's secure HTTP/2 server refuses one that does not): the
  // hops in front offer it, L4 node proxies included (types.ts, Listener.h2).
  const server = listener.tls ? http2.createSecureServer({ ...serverTlsOptions(listener.tls), ALPNProtocols: ['h2'], settings }) : http2.createServer({ settings });
  // Nagle's algorithm off on the client side's connections, as on the upstream ones: node:http2 leaves it on, and a
  // response's second write would wait for the client's delayed ACK (h2c-server.ts).
  server.on('connection', (socket: net.Socket) => socket.setNoDelay(true));
  server.on('stream', onStream);
  server.on('sessionError', () => {});
  if (!listener.tls) return server;
  server.on('tlsClientError', (error) =>
    report(`tls-client ${listener.name}`, `listener '${listener.name}': rejected a client: ${describeError(error)}`),
  );
  return server;
}
