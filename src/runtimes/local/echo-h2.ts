import { builtinRoot, ECHO_METHOD, frame, HEALTH_METHOD, unaryMethod, unframe } from '../../protocols/grpc.ts';
import { encodeHeaderBlock, withContentLength } from '../../protocols/hpack/encoder.ts';
import type { EchoDraw } from './echo-model.ts';
import { H2cServer, type H2cStream } from './h2c-server.ts';

/**
 * The echo server's HTTP/2 side (h2c with prior knowledge, as the generator and the proxies speak it in the clear),
 * answering each request as its model draws it, like the HTTP/1.1 side: after the drawn CPU work (on this one thread,
 * so requests queue behind it) and the drawn delay (a timer), a body of the drawn size with status 200, or 500 for
 * the drawn share of errors. gRPC serves meshtax.echo.v1.Echo/Echo (a reply of `response_bytes` when the request
 * gives it, else of the drawn size; a drawn error is grpc-status 13 INTERNAL, the status gRPC gives an HTTP 500 in
 * grpc/grpc doc/http-grpc-status-mapping.md) and grpc.health.v1.Health/Check (SERVING, never an error), and answers
 * any other method UNIMPLEMENTED (12). The connections are meshtax's own h2c server (h2c-server.ts); this file
 * only says what each request gets. Errors are trailers-only responses (grpc/grpc doc/PROTOCOL-HTTP2.md): the status
 * travels in the one header block, which ends the stream.
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

/** What a request gets once its draw's delay is over; `asked` is a gRPC request's response_bytes (0: the draw's size). */
type Reply = (stream: H2cStream, draw: EchoDraw, asked: number) => void;

export function echoH2Server(protocol: 'http2' | 'grpc', answers: H2Answers): H2cServer {
  /** Draws the request's answer, spends its CPU, and replies after its delay (a timer the stream's reset clears). */
  const later = (stream: H2cStream, reply: Reply, asked: number): void => {
    const draw = answers.draw();
    if (draw.cpuMs > 0) answers.busy(draw.cpuMs);
    if (draw.delayMs > 0) stream.timer = setTimeout(reply, draw.delayMs, stream, draw, asked);
    else reply(stream, draw, asked);
  };
  if (protocol === 'http2') {
    // Each status's block (:status, content-type) is encoded once; a response appends its content-length.
    const blocks = new Map<number, Buffer>();
    const blockOf = (status: number): Buffer => {
      let block = blocks.get(status);
      if (!block) {
        block = encodeHeaderBlock([[':status', String(status)], ['content-type', 'application/octet-stream']]);
        blocks.set(status, block);
      }
      return block;
    };
    const reply: Reply = (stream, { status, bodyBytes }) => {
      const body = answers.body(bodyBytes);
      stream.respond(withContentLength(blockOf(status), body.length), body);
    };
    // Whatever body comes is dropped; a request is answered as its END_STREAM comes (on HEADERS when it has none).
    return new H2cServer({ keepBodies: false, onRequest: (stream) => later(stream, reply, 0) });
  }
  const root = builtinRoot();
  const echo = unaryMethod(root, ECHO_METHOD);
  const request = echo.resolvedRequestType!;
  const replyType = echo.resolvedResponseType!;
  const health = unaryMethod(root, HEALTH_METHOD);
  const serving = frame(health.resolvedResponseType!.encode({ status: 1 }).finish());
  const okBlock = encodeHeaderBlock([[':status', '200'], ['content-type', 'application/grpc']]);
  const okTrailers = encodeHeaderBlock([['grpc-status', '0']]);
  /** A trailers-only response: :status 200, content-type, grpc-status and grpc-message in one block ending the stream. */
  const failure = (status: number, message: string): Buffer =>
    encodeHeaderBlock([[':status', '200'], ['content-type', 'application/grpc'], ['grpc-status', String(status)], ['grpc-message', grpcMessage(message)]]);
  const drawnError = failure(13, 'error modelled by workload.errorRate');
  const empty = Buffer.alloc(0);
  const reply: Reply = (stream, { status, bodyBytes }, asked) => {
    if (status !== 200) return stream.respond(drawnError, empty);
    stream.respond(okBlock, frame(replyType.encode({ payload: answers.body(asked > 0 ? asked : bodyBytes) }).finish()), okTrailers);
  };
  const onRequest = (stream: H2cStream): void => {
    const path = stream.path;
    if (path === `/${HEALTH_METHOD}`) return stream.respond(okBlock, serving, okTrailers);
    if (path !== `/${ECHO_METHOD}`) return stream.respond(failure(12, `unknown method ${path}`), empty);
    const message = unframe(stream.body());
    let asked = 0;
    try {
      if (message) asked = Number(request.toObject(request.decode(message)).response_bytes ?? 0);
    } catch {
      // A message that is not an EchoRequest: INTERNAL, as gRPC servers answer a request they cannot parse.
      return stream.respond(failure(13, 'cannot parse the request message'), empty);
    }
    later(stream, reply, asked);
  };
  return new H2cServer({ keepBodies: true, onRequest });
}

/**
 * grpc-message is percent-encoded (grpc/grpc doc/PROTOCOL-HTTP2.md): bytes outside printable ASCII and '%' itself
 * become %XX; a long message is cut so its block stays small.
 */
function grpcMessage(text: string): string {
  let out = '';
  for (let i = 0; i < Math.min(text.length, 512); i++) {
    const code = text.charCodeAt(i);
    out += code < 0x20 || code > 0x7e || code === 0x25 ? `%${(code & 0xff).toString(16).toUpperCase().padStart(2, '0')}` : text[i];
  }
  return out;
}
