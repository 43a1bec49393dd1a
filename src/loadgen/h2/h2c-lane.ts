import net from 'node:net';
import { HpackDecoder, HpackError } from '../../protocols/hpack/decoder.ts';
import { encodeHeaderBlock } from '../../protocols/hpack/encoder.ts';
import { failureKindOf, type ConnectionEvents } from '../connection.ts';
import type { EndpointPicker, EndpointSpec } from '../endpoints.ts';
import { guardClose, socketFd } from '../socket-fd.ts';
import { SocketLane } from '../socket-lane.ts';
import type { Target } from '../target.ts';
import {
  ACK,
  CONTINUATION,
  clientOpening,
  content,
  DATA,
  END_HEADERS,
  END_STREAM,
  FrameReader,
  frame,
  GOAWAY,
  HEADERS,
  PING,
  PUSH_PROMISE,
  requestTemplate,
  RST_STREAM,
  SETTINGS,
  SETTINGS_ACK,
  SETTINGS_INITIAL_WINDOW_SIZE,
  stampStream,
  windowUpdate,
  type RequestTemplate,
} from '../../protocols/h2-frames.ts';
import { grpcStatusOfHttp } from './grpc-status.ts';

/**
 * The connection's window is topped up once responses have used this much of it: far below its 2^31 − 1 bytes, so
 * the server never waits for an update, and rarely enough to cost nothing (one 13-byte frame per 16 MiB).
 */
export const WINDOW_TOP_UP = 2 ** 24;
/** Headers a request over HTTP/2 must not carry (RFC 9113 §8.2.2); `host` becomes :authority. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'content-length']);

/** Where a connection's stream identifiers come from: shared with the pacer thread when it writes too (slots.ts). */
export interface StreamIds {
  /** The next stream of `lane`'s connection (1, 3, 5, …). */
  next(lane: number): number;
  /** The connection opened anew: its streams start again at 1. */
  reset(lane: number): void;
}

/**
 * Exclusive use of a socket another thread writes requests on (the pacer, slots.ts), for the frames this thread
 * writes between requests: acknowledgements of the server's SETTINGS and PING, and window updates.
 */
export interface WriteGate {
  /** Takes the socket for one write if no request is being written or in flight on it; false if not now. */
  acquire(lane: number): boolean;
  release(lane: number): void;
}

/** The header list of one endpoint's request over h2c, in the order it is sent. */
export function h2cHeaders(target: Target, endpoint: EndpointSpec, grpc: boolean, userAgent: string): [string, string][] {
  const authority = endpoint.headers.host ?? (target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`);
  const extra = Object.entries(endpoint.headers).filter(([name]) => !CONNECTION_HEADERS.has(name));
  return [
    [':method', endpoint.method],
    [':scheme', 'http'],
    [':authority', authority],
    [':path', endpoint.path],
    ...(endpoint.headers['user-agent'] === undefined ? [['user-agent', userAgent] as [string, string]] : []),
    // The gRPC wire format over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md): POST, content-type application/grpc and
    // te: trailers in every request.
    ...(grpc ? ([['content-type', 'application/grpc'], ['te', 'trailers']] as [string, string][]).filter(([name]) => endpoint.headers[name] === undefined) : []),
    ...extra,
  ];
}

/**
 * Each endpoint's request frames, or undefined when one of them does not fit the one-frame templates (a header block
 * or body over 16 KiB): such a phase is left to node:http2.
 */
export function h2cTemplates(target: Target, endpoints: readonly EndpointSpec[], grpc: boolean, userAgent: string): RequestTemplate[] | undefined {
  const templates: RequestTemplate[] = [];
  for (const endpoint of endpoints) {
    const body = Buffer.from(endpoint.body, 'base64');
    const template = requestTemplate(encodeHeaderBlock(h2cHeaders(target, endpoint, grpc, userAgent)), body.length > 0 ? body : null);
    if (!template) return undefined;
    templates.push(template);
  }
  return templates;
}

/**
 * One h2c connection (HTTP/2 in the clear, prior knowledge) with one stream in flight at a time, written to
 * directly like the HTTP/1.1 connection (connection.ts): each request is a prebuilt HEADERS (and DATA) frame with
 * its stream identifier stamped in, so the pacer thread can write it on the socket's fd itself, and responses are
 * read frame by frame here, their headers decoded by HPACK. node:http2 was measured to cost the generator about
 * 150 µs of CPU per request on top of HTTP/1.1 (a Node object, streams and events per request) and to put its p50 at
 * 1.6× HTTP/1.1's; this connection costs what an HTTP/1.1 one does. node:http2 still serves TLS, several streams per
 * connection, and requests whose headers or body exceed one frame.
 *
 * A stream the server resets fails its request alone; a GOAWAY, a protocol error or a timeout closes the connection,
 * which comes back after a backoff, as an HTTP/1.1 connection does.
 */
export class H2cLane extends SocketLane {
  private reader = new FrameReader();
  private decoder = new HpackDecoder();
  /** HTTP status, or for gRPC the grpc-status once known (-1: not yet). */
  private status = 0;
  private grpcStatus = -1;
  private responded = false;
  /** A header block spread over HEADERS and CONTINUATION frames, until END_HEADERS. */
  private block: Buffer[] | undefined;
  private blockEndsStream = false;
  /** Frames this thread owes the server (acknowledgements, window updates), written at the next safe moment. */
  private owed: Buffer[] = [];
  /** Connection window used by responses since the last update. */
  private used = 0;
  private readonly target: Target;
  private readonly templates: readonly RequestTemplate[];
  private readonly grpc: boolean;
  private readonly ids: StreamIds;
  private readonly gate: WriteGate | undefined;
  /** The largest request body: a server whose stream window is smaller cannot take it without flow control. */
  private readonly largestBody: number;

  constructor(
    index: number,
    target: Target,
    templates: readonly RequestTemplate[],
    picker: EndpointPicker,
    grpc: boolean,
    events: ConnectionEvents,
    ids: StreamIds,
    gate?: WriteGate,
  ) {
    super(index, picker, events);
    this.target = target;
    this.templates = templates;
    this.grpc = grpc;
    this.ids = ids;
    this.gate = gate;
    this.largestBody = Math.max(0, ...templates.map((t) => (t.streamOffsets.length > 1 ? t.bytes.length - t.streamOffsets[1]! - 4 : 0)));
  }

  get fd(): number | undefined {
    return this.ready ? socketFd(this.socket) : undefined;
  }

  open(): void {
    if (this.isClosed) return;
    const { host, port } = this.target;
    const socket = net.connect({ host, port, noDelay: true });
    this.socket = socket;
    this.reader = new FrameReader();
    this.decoder = new HpackDecoder();
    this.owed = [];
    this.used = 0;
    this.block = undefined;
    socket.on('connect', () => {
      if (this.socket !== socket) return;
      if (this.gate) guardClose(socket, () => this.socket === socket && this.events.onDetach(this));
      this.ids.reset(this.index);
      // Not ready yet: that waits for the server's SETTINGS (onFrame).
      socket.write(clientOpening());
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      const problem = this.reader.push(chunk, this.onFrame);
      if (problem !== undefined && this.socket === socket) this.fail(problem, 'malformed');
    });
    socket.on('error', (error: Error) => this.fail(error.message, failureKindOf(error)));
    socket.on('close', () => {
      if (this.socket === socket) this.fail('connection closed by the server', 'closed');
    });
  }

  send(intendedUs: number, sentUs: number, measured: boolean): void {
    this.adopt(intendedUs, sentUs, measured);
    const socket = this.socket;
    if (!socket) return;
    // A copy per request: the socket may keep the buffer queued after write() returns.
    const template = this.templates[this.endpoint]!;
    const bytes = Buffer.from(template.bytes);
    stampStream(bytes, template.streamOffsets, this.ids.next(this.index));
    this.flushOwed(socket);
    socket.write(bytes);
  }

  override adopt(intendedUs: number, sentUs: number, measured: boolean): void {
    super.adopt(intendedUs, sentUs, measured);
    this.status = 0;
    this.grpcStatus = -1;
    this.responded = false;
  }

  /** The rest of a request the pacer's write left over: the same frames, with the stream it stamped. */
  writeRest(offset: number, stream?: number): void {
    const template = this.templates[0]!;
    const bytes = Buffer.from(template.bytes);
    stampStream(bytes, template.streamOffsets, stream ?? 1);
    this.socket?.write(bytes.subarray(offset));
  }

  private readonly onFrame = (type: number, flags: number, stream: number, payload: Buffer): void => {
    // A frame after one that failed the connection, in the same read: the socket is gone, and so is its request.
    if (!this.socket) return;
    // A response began to a request the pacer wrote (PRIORITY and WINDOW_UPDATE on a stream say nothing of one).
    if (stream !== 0 && !this.busy && (type === DATA || type === HEADERS || type === CONTINUATION || type === RST_STREAM)) this.events.onUnknownData(this);
    switch (type) {
      case DATA:
        this.used += payload.length;
        if (this.used >= WINDOW_TOP_UP) {
          this.owe(windowUpdate(0, this.used));
          this.used = 0;
        }
        if (!this.busy) return;
        this.bytes += content(type, flags, payload)?.length ?? 0;
        if (flags & END_STREAM) this.complete();
        return;
      case HEADERS:
      case CONTINUATION: {
        const part = type === HEADERS ? content(type, flags, payload) : payload;
        if (part === undefined) return this.fail('the server sent a HEADERS frame whose padding exceeds it', 'malformed');
        if (type === HEADERS) {
          this.block = [];
          this.blockEndsStream = (flags & END_STREAM) !== 0;
        } else if (!this.block) return this.fail('the server sent CONTINUATION without HEADERS', 'malformed');
        this.block.push(Buffer.from(part));
        if (flags & END_HEADERS) this.headers(Buffer.concat(this.block), this.blockEndsStream);
        return;
      }
      case RST_STREAM:
        if (this.busy) this.streamFailed(`stream reset by the server (error code ${payload.length >= 4 ? payload.readUInt32BE(0) : 'unknown'})`);
        return;
      case SETTINGS:
        if (flags & ACK) return;
        for (let at = 0; at + 6 <= payload.length; at += 6) {
          if (payload.readUInt16BE(at) !== SETTINGS_INITIAL_WINDOW_SIZE) continue;
          const window = payload.readUInt32BE(at + 2);
          if (window < this.largestBody) return this.fail(`the server's HTTP/2 stream window (${window} bytes) is smaller than the request body (${this.largestBody} bytes)`, 'other');
        }
        this.owe(SETTINGS_ACK);
        if (!this.ready) this.up();
        return;
      case PING:
        if (!(flags & ACK)) this.owe(frame(PING, ACK, 0, payload));
        return;
      case GOAWAY:
        return this.fail(`the server sent GOAWAY (error code ${payload.length >= 8 ? payload.readUInt32BE(4) : 'unknown'})`, 'closed');
      case PUSH_PROMISE:
        return this.fail('the server pushed a stream, which this client refused in its SETTINGS', 'malformed');
      default:
        // PRIORITY, WINDOW_UPDATE (request bodies fit the initial windows), and unknown types are ignored (RFC 9113 §4.1).
        return;
    }
  };

  /** A complete header block: the response's headers, its trailers, or an informational (1xx) response. */
  private headers(block: Buffer, endsStream: boolean): void {
    this.block = undefined;
    let fields: [string, string][];
    try {
      fields = this.decoder.decode(block);
    } catch (error) {
      // The decoder's table is now out of step with the server's: the connection cannot go on (COMPRESSION_ERROR).
      return this.fail(`malformed HTTP/2 headers: ${error instanceof HpackError ? error.message : String(error)}`, 'malformed');
    }
    if (!this.busy) return;
    for (const [name, value] of fields) {
      if (name === ':status') {
        const status = Number(value);
        // An informational response comes before the real one.
        if (status >= 100 && status < 200 && !endsStream) return;
        this.status = status;
        this.responded = true;
      } else if (name === 'grpc-status' && this.grpc) {
        const status = Number(value);
        if (Number.isInteger(status) && status >= 0) this.grpcStatus = status;
      }
    }
    if (endsStream) this.complete();
  }

  private complete(): void {
    if (!this.busy) return;
    this.busy = false;
    // The request is answered, so nothing of it is left to write: what this thread owes the server goes out now.
    if (this.socket) this.flushOwed(this.socket);
    const status = this.grpc ? (this.grpcStatus >= 0 ? this.grpcStatus : grpcStatusOfHttp(this.responded ? this.status : 0)) : this.status;
    this.events.onResponse(this, status, this.bytes);
  }

  private up(): void {
    this.generation++;
    this.ready = true;
    this.lastFailure = undefined;
    this.connected();
    this.events.onReady(this);
  }

  /**
   * A frame this thread owes the server. Written at once unless the pacer may be writing a request on the socket:
   * then at the next moment this thread holds it (a request it writes, or a response's end).
   */
  private owe(bytes: Buffer): void {
    this.owed.push(bytes);
    const socket = this.socket;
    if (!socket) return;
    if (!this.gate || !this.ready) return this.flushOwed(socket);
    if (this.busy) return;
    if (this.gate.acquire(this.index)) {
      this.flushOwed(socket);
      this.gate.release(this.index);
    }
  }

  private flushOwed(socket: net.Socket): void {
    if (this.owed.length === 0) return;
    socket.write(this.owed.length === 1 ? this.owed[0]! : Buffer.concat(this.owed));
    this.owed = [];
  }

  /** One stream failed; the connection is up, so the lane takes the next request once the loop has counted it. */
  private streamFailed(message: string): void {
    const hadRequest = this.busy;
    this.busy = false;
    this.lastFailure = 'reset';
    if (this.socket) this.flushOwed(this.socket);
    this.events.onFailure(this, message, hadRequest);
    const socket = this.socket;
    setImmediate(() => {
      if (this.socket !== socket || !this.ready || this.busy) return;
      // Handed back as a fresh lane: a late message about a write before this moment no longer applies to it.
      this.generation++;
      this.events.onReady(this);
    });
  }

  protected dropped(): void {
    this.block = undefined;
  }
}
