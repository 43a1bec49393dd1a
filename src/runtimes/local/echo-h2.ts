import http2 from 'node:http2';
import { builtinRoot, ECHO_METHOD, frame, HEALTH_METHOD, unaryMethod, unframe } from '../../protocols/grpc.ts';

/**
 * The echo server's HTTP/2 side (h2c with prior knowledge, as the generator and the proxies speak it in the clear):
 * plain HTTP/2 answers every request with 200 and the body; gRPC serves meshtax.echo.v1.Echo/Echo (a reply of
 * `response_bytes`, or of the server's payload size when 0) and grpc.health.v1.Health/Check (SERVING), and answers
 * any other method UNIMPLEMENTED (12). `delayMs`: how long each response waits, fixed or drawn per request.
 */
export function echoH2Server(protocol: 'http2' | 'grpc', body: Buffer, delayMs: number | (() => number)): http2.Http2Server {
  const server = http2.createServer({ settings: { maxConcurrentStreams: 10_000 } });
  const later = (reply: () => void): void => {
    const ms = typeof delayMs === 'number' ? delayMs : delayMs();
    if (ms > 0) setTimeout(reply, ms);
    else reply();
  };
  if (protocol === 'http2') {
    const headers = { ':status': 200, 'content-type': 'application/octet-stream', 'content-length': body.length };
    server.on('stream', (stream) => {
      stream.resume();
      stream.on('end', () =>
        later(() => {
          if (stream.destroyed) return;
          stream.respond(headers);
          stream.end(body);
        }),
      );
      stream.on('error', () => {});
    });
    return server;
  }
  const root = builtinRoot();
  const echo = unaryMethod(root, ECHO_METHOD);
  const request = echo.resolvedRequestType!;
  const reply = echo.resolvedResponseType!;
  const defaultReply = frame(reply.encode({ payload: body }).finish());
  const health = unaryMethod(root, HEALTH_METHOD);
  const serving = frame(health.resolvedResponseType!.encode({ status: 1 }).finish());
  const okHeaders = { ':status': 200, 'content-type': 'application/grpc' };
  const answer = (stream: http2.ServerHttp2Stream, message: Buffer): void => {
    if (stream.destroyed) return;
    stream.respond(okHeaders, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(message);
  };
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const path = headers[':path'];
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      if (path === `/${HEALTH_METHOD}`) return later(() => answer(stream, serving));
      if (path !== `/${ECHO_METHOD}`) {
        // Trailers-only response (grpc/grpc doc/PROTOCOL-HTTP2.md): the status travels in the headers.
        if (!stream.destroyed) stream.respond({ ...okHeaders, 'grpc-status': '12', 'grpc-message': `unknown method ${String(path)}` }, { endStream: true });
        return;
      }
      const message = unframe(Buffer.concat(chunks));
      let out = defaultReply;
      if (message) {
        const size = Number(request.toObject(request.decode(message)).response_bytes ?? 0);
        if (size > 0) out = frame(reply.encode({ payload: Buffer.alloc(size, 'x') }).finish());
      }
      later(() => answer(stream, out));
    });
  });
  return server;
}
