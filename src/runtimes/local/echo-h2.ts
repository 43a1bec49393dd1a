import http2 from 'node:http2';
import type { Socket } from 'node:net';
import { builtinRoot, ECHO_METHOD, frame, HEALTH_METHOD, unaryMethod, unframe } from '../../protocols/grpc.ts';
import type { EchoDraw } from './echo-model.ts';

/**
 * The echo server's HTTP/2 side (h2c with prior knowledge, as the generator and the proxies speak it in the clear),
 * answering each request as its model draws it, like the HTTP/1.1 side: after the drawn CPU work (on this one thread,
 * so requests queue behind it) and the drawn delay (a timer), a body of the drawn size with status 200, or 500 for
 * the drawn share of errors. gRPC serves meshtax.echo.v1.Echo/Echo (a reply of `response_bytes` when the request
 * gives it, else of the drawn size; a drawn error is grpc-status 13 INTERNAL, the status gRPC gives an HTTP 500 in
 * grpc/grpc doc/http-grpc-status-mapping.md) and grpc.health.v1.Health/Check (SERVING, never an error), and answers
 * any other method UNIMPLEMENTED (12).
 */

export interface H2Answers {
  /** The next request's draw. */
  draw: () => EchoDraw;
  /** A body of this many bytes. */
  body: (bytes: number) => Buffer;
  /** Keeps the thread busy for this many milliseconds. */
  busy: (ms: number) => void;
}

/** A fixed answer: `body` after `delayMs` (fixed, or drawn per call), never an error, no CPU work. */
export function fixedAnswers(body: Buffer, delayMs: number | (() => number)): H2Answers {
  return {
    draw: () => ({ status: 200, bodyBytes: body.length, delayMs: typeof delayMs === 'number' ? delayMs : delayMs(), cpuMs: 0 }),
    body: () => body,
    busy: () => {},
  };
}

export function echoH2Server(protocol: 'http2' | 'grpc', answers: H2Answers): http2.Http2Server {
  const server = http2.createServer({ settings: { maxConcurrentStreams: 10_000 } });
  // Nagle's algorithm off, as the HTTP/1.1 side has it (node:http's default) and node:http2 does not: a response
  // written as HEADERS, then DATA and trailers, would hold its second part until the client's delayed ACK. Measured
  // against the generator's h2c client (which sends nothing back between requests): gRPC p50 1.3 ms with it, 0.29 ms
  // without.
  server.on('connection', (socket: Socket) => socket.setNoDelay(true));
  /** Draws the request's answer, spends its CPU, and calls `reply` with it after its delay. */
  const later = (reply: (draw: EchoDraw) => void): void => {
    const draw = answers.draw();
    if (draw.cpuMs > 0) answers.busy(draw.cpuMs);
    if (draw.delayMs > 0) setTimeout(() => reply(draw), draw.delayMs);
    else reply(draw);
  };
  if (protocol === 'http2') {
    server.on('stream', (stream, _headers, flags) => {
      stream.on('error', () => {});
      const reply = (): void =>
        later(({ status, bodyBytes }) => {
          if (stream.destroyed) return;
          const body = answers.body(bodyBytes);
          stream.respond({ ':status': status, 'content-type': 'application/octet-stream', 'content-length': body.length });
          stream.end(body);
        });
      // Whatever body comes is read and dropped. A request without one (HEADERS with END_STREAM) is answered at once:
      // waiting for the stream's 'end' costs a readable-stream round and a tick per request, in every latency.
      stream.resume();
      if (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) reply();
      else stream.on('end', reply);
    });
    return server;
  }
  const root = builtinRoot();
  const echo = unaryMethod(root, ECHO_METHOD);
  const request = echo.resolvedRequestType!;
  const reply = echo.resolvedResponseType!;
  const health = unaryMethod(root, HEALTH_METHOD);
  const serving = frame(health.resolvedResponseType!.encode({ status: 1 }).finish());
  const okHeaders = { ':status': 200, 'content-type': 'application/grpc' };
  const answer = (stream: http2.ServerHttp2Stream, message: Buffer): void => {
    if (stream.destroyed) return;
    stream.respond(okHeaders, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(message);
  };
  /** Trailers-only response (grpc/grpc doc/PROTOCOL-HTTP2.md): the status travels in the headers. */
  const fail = (stream: http2.ServerHttp2Stream, status: number, message: string): void => {
    if (!stream.destroyed) stream.respond({ ...okHeaders, 'grpc-status': String(status), 'grpc-message': message }, { endStream: true });
  };
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const path = headers[':path'];
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      if (path === `/${HEALTH_METHOD}`) return answer(stream, serving);
      if (path !== `/${ECHO_METHOD}`) return fail(stream, 12, `unknown method ${String(path)}`);
      const message = unframe(Buffer.concat(chunks));
      const asked = message ? Number(request.toObject(request.decode(message)).response_bytes ?? 0) : 0;
      later(({ status, bodyBytes }) => {
        if (status !== 200) return fail(stream, 13, 'error modelled by workload.errorRate');
        answer(stream, frame(reply.encode({ payload: answers.body(asked > 0 ? asked : bodyBytes) }).finish()));
      });
    });
  });
  return server;
}
