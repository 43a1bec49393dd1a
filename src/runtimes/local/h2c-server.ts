import net from 'node:net';
import {
  ACK,
  CLIENT_PREFACE,
  COMPRESSION_ERROR,
  CONTINUATION,
  content,
  DATA,
  DEFAULT_MAX_FRAME,
  DEFAULT_WINDOW,
  END_HEADERS,
  END_STREAM,
  FLOW_CONTROL_ERROR,
  FRAME_HEADER_BYTES,
  FRAME_SIZE_ERROR,
  FrameReader,
  frame,
  GOAWAY,
  goaway,
  HEADERS,
  INTERNAL_ERROR,
  LARGEST_MAX_FRAME,
  MAX_WINDOW,
  NO_ERROR,
  PING,
  PRIORITY,
  PROTOCOL_ERROR,
  PUSH_PROMISE,
  REFUSED_STREAM,
  RST_STREAM,
  rstStream,
  serverOpening,
  SETTINGS,
  SETTINGS_ACK,
  SETTINGS_ENABLE_PUSH,
  SETTINGS_HEADER_TABLE_SIZE,
  SETTINGS_INITIAL_WINDOW_SIZE,
  SETTINGS_MAX_FRAME_SIZE,
  STREAM_CLOSED,
  WINDOW_UPDATE,
  windowUpdate,
  headerFramesBytes,
  writeDataFrames,
  writeHeaderFrames,
} from '../../protocols/h2-frames.ts';
import { HpackDecoder } from '../../protocols/hpack/decoder.ts';

/**
 * An h2c server (HTTP/2 in the clear with prior knowledge, RFC 9113) on node:net, for the echo server. node:http2's
 * server was measured to cost about 55 µs more CPU per request than node:http's HTTP/1.1 server (175 vs 115 µs at
 * 1000 rps: a Node stream object, events and nghttp2 callbacks per request), which put the HTTP/2 p50 at 1.35×
 * HTTP/1.1's. Here a request is a plain object, its frames are read straight off the socket's chunks, and a response
 * is built as one buffer (HEADERS, DATA, trailers) written with one socket write when the flow-control windows allow.
 *
 * It is a whole server for any client (Envoy, HAProxy, grpc-go, nghttp2, grpc-js): the connection preface, SETTINGS
 * both ways (the client's INITIAL_WINDOW_SIZE, also changed mid-connection, and MAX_FRAME_SIZE), PING, GOAWAY,
 * RST_STREAM, header blocks over CONTINUATION with padding and priority, one HPACK decoder per connection, many
 * concurrent streams, and send-side flow control: what a window does not take waits for the client's WINDOW_UPDATE.
 * Request bodies never wait: every stream gets the largest window and the connection's is topped up as it is used.
 */

/** Streams a client may have open at once (announced in SETTINGS), as the echo server had under node:http2. */
export const MAX_CONCURRENT_STREAMS = 10_000;
/** The connection's receive window is topped up once request bodies used this much of it (as h2c-lane.ts does). */
const WINDOW_TOP_UP = 2 ** 24;
/** How long a connection we ended on an error may wait for the client to close it. */
const LINGER_MS = 1000;
/** HPACK's initial table size (RFC 7541 §4.2, SETTINGS_HEADER_TABLE_SIZE's initial value). */
const DEFAULT_TABLE_SIZE = 4096;
/** A dynamic table size update to 0 (RFC 7541 §6.3): our blocks never use the client's dynamic table. */
const TABLE_SIZE_ZERO = Buffer.from([0x20]);

/** What the server does with each complete request (its END_STREAM came): answer it now or later with `respond`. */
export type RequestHandler = (stream: H2cStream) => void;

export interface H2cServerOptions {
  onRequest: RequestHandler;
  /** Keep request bodies (gRPC reads its message); else DATA is counted for flow control and dropped. */
  keepBodies: boolean;
}

/** One request stream. The handler answers it once; after a reset or the connection's end, answering does nothing. */
export class H2cStream {
  readonly id: number;
  method = '';
  path = '';
  /** The request body's chunks, copied out of the socket's (only when the server keeps bodies). */
  readonly chunks: Buffer[] = [];
  /** The handler's pending answer (a delay), cleared when the stream is reset or the connection ends. */
  timer: NodeJS.Timeout | undefined = undefined;
  /** END_STREAM came from the client. */
  ended = false;
  /** `respond` was called. */
  responded = false;
  /** Nothing more goes out on it: its response ended, it was reset, or the connection is gone. */
  closed = false;
  /** Bytes the client lets us send on this stream (RFC 9113 §6.9): may go below 0 when it shrinks its setting. */
  sendWindow: number;
  /** The body bytes the windows did not take yet, and the trailers that follow them. */
  rest: Buffer | undefined = undefined;
  trailers: Buffer | undefined = undefined;
  private readonly connection: H2cConnection;

  constructor(id: number, connection: H2cConnection, sendWindow: number) {
    this.id = id;
    this.connection = connection;
    this.sendWindow = sendWindow;
  }

  /** The whole request body. */
  body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }

  /**
   * Answers with an encoded header block (its `:status` first), a body (DATA, none when empty) and, if given,
   * a trailer block that ends the stream.
   */
  respond(block: Buffer, body: Buffer, trailers?: Buffer): void {
    this.connection.respond(this, block, body, trailers);
  }
}

/** An h2c server: listen, address and close as any net.Server; close also ends the open connections. */
export class H2cServer extends net.Server {
  private readonly clients = new Set<H2cConnection>();

  constructor(options: H2cServerOptions) {
    super((socket) => {
      // Nagle's algorithm off: a response whose trailers or rest go in a later write would otherwise wait for the
      // client's delayed ACK (measured under node:http2: gRPC p50 1.3 ms with it, 0.29 ms without).
      socket.setNoDelay(true);
      const connection = new H2cConnection(socket, options);
      this.clients.add(connection);
      socket.on('close', () => this.clients.delete(connection));
    });
  }

  /** Stops listening and ends every open connection (GOAWAY, then destroyed), so a process can exit at once. */
  override close(callback?: (error?: Error) => void): this {
    super.close(callback);
    for (const connection of this.clients) connection.shutdown();
    this.clients.clear();
    return this;
  }
}

/** One client connection: its frames in, its responses out. */
class H2cConnection {
  private readonly socket: net.Socket;
  private readonly onRequest: RequestHandler;
  private readonly keepBodies: boolean;
  private readonly reader = new FrameReader('client');
  private readonly decoder = new HpackDecoder();
  private readonly streams = new Map<number, H2cStream>();
  /** Bytes of the client preface matched so far. */
  private prefaceAt = 0;
  /** The client's first SETTINGS came (it must be its first frame, RFC 9113 §3.4). */
  private settled = false;
  /** The highest stream the client opened. */
  private lastStream = 0;
  /** A header block spread over HEADERS and CONTINUATION frames: its stream (0: none), parts and END_STREAM. */
  private blockStream = 0;
  private blockParts: Buffer[] = [];
  private blockEndsStream = false;
  /** The client's settings that shape what we send. */
  private initialWindow = DEFAULT_WINDOW;
  private maxFrame = DEFAULT_MAX_FRAME;
  /** Bytes the client lets us send on the connection. */
  private sendWindow = DEFAULT_WINDOW;
  /** Receive window used by request bodies since the last top-up. */
  private received = 0;
  /** Streams whose response waits for window, in the order they began to wait. */
  private blocked: H2cStream[] = [];
  /** The client's HPACK table became smaller than 4096: our next block must begin with a size update (RFC 7541 §4.2). */
  private tableSizeUpdate = false;
  private tableSizeSent = false;
  /** The client sent GOAWAY: finish the open streams, then close. */
  private goingAway = false;
  /** Ended (an error, or the socket is gone): read nothing more. */
  private dead = false;

  constructor(socket: net.Socket, options: H2cServerOptions) {
    this.socket = socket;
    this.onRequest = options.onRequest;
    this.keepBodies = options.keepBodies;
    socket.on('data', this.onData);
    socket.on('error', this.drop);
    socket.on('close', this.drop);
    socket.write(serverOpening(MAX_CONCURRENT_STREAMS));
  }

  respond(stream: H2cStream, block: Buffer, body: Buffer, trailers: Buffer | undefined): void {
    if (stream.closed || stream.responded) return;
    stream.responded = true;
    const maxFrame = this.maxFrame;
    block = this.withTableSize(block);
    const sendable = Math.min(body.length, Math.max(0, Math.min(stream.sendWindow, this.sendWindow)));
    const all = sendable === body.length;
    const dataFrames = Math.ceil(sendable / maxFrame);
    const size =
      headerFramesBytes(block.length, maxFrame) +
      sendable +
      FRAME_HEADER_BYTES * dataFrames +
      (all && trailers ? headerFramesBytes(trailers.length, maxFrame) : 0);
    const bytes = Buffer.allocUnsafe(size);
    let at = writeHeaderFrames(bytes, 0, stream.id, block, body.length === 0 && !trailers, maxFrame);
    at = writeDataFrames(bytes, at, stream.id, body, sendable, all && !trailers, maxFrame);
    if (all && trailers) writeHeaderFrames(bytes, at, stream.id, trailers, true, maxFrame);
    stream.sendWindow -= sendable;
    this.sendWindow -= sendable;
    this.socket.write(bytes);
    if (all) return this.close(stream);
    stream.rest = body.subarray(sendable);
    stream.trailers = trailers;
    this.blocked.push(stream);
  }

  /** The next header block we send, with the size update the client's smaller HPACK table asks for, if it does. */
  private withTableSize(block: Buffer): Buffer {
    if (!this.tableSizeUpdate) return block;
    this.tableSizeUpdate = false;
    this.tableSizeSent = true;
    return Buffer.concat([TABLE_SIZE_ZERO, block]);
  }

  /** Ends the connection from our side (the server closes): GOAWAY, then the socket is destroyed. */
  shutdown(): void {
    if (!this.dead) this.socket.write(goaway(this.lastStream, NO_ERROR));
    this.drop();
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.dead) return;
    if (this.prefaceAt < CLIENT_PREFACE.length) {
      const take = Math.min(CLIENT_PREFACE.length - this.prefaceAt, chunk.length);
      if (chunk.compare(CLIENT_PREFACE, this.prefaceAt, this.prefaceAt + take, 0, take) !== 0) {
        // Not an HTTP/2 client (RFC 9113 §3.4): nothing it sends can be read as frames.
        this.drop();
        this.socket.destroy();
        return;
      }
      this.prefaceAt += take;
      if (take === chunk.length) return;
      chunk = chunk.subarray(take);
    }
    // The answers a chunk's requests get at once go out in one write (writev) at uncork.
    this.socket.cork();
    const problem = this.reader.push(chunk, this.onFrame);
    if (problem !== undefined) this.fail(FRAME_SIZE_ERROR);
    this.socket.uncork();
  };

  private readonly onFrame = (type: number, flags: number, id: number, payload: Buffer): void => {
    if (this.dead) return;
    if (!this.settled && (type !== SETTINGS || flags & ACK)) return this.fail(PROTOCOL_ERROR);
    // A header block is contiguous: nothing may come between its frames (RFC 9113 §6.10).
    if (this.blockStream !== 0 && (type !== CONTINUATION || id !== this.blockStream)) return this.fail(PROTOCOL_ERROR);
    switch (type) {
      case DATA:
        return this.onDataFrame(flags, id, payload);
      case HEADERS:
        return this.onHeaders(flags, id, payload);
      case CONTINUATION:
        if (this.blockStream === 0) return this.fail(PROTOCOL_ERROR);
        this.blockParts.push(Buffer.from(payload));
        if (flags & END_HEADERS) {
          this.blockStream = 0;
          this.headerBlock(id, Buffer.concat(this.blockParts), this.blockEndsStream);
          this.blockParts = [];
        }
        return;
      case PRIORITY:
        // Deprecated (RFC 9113 §5.3.2) and ignored, but still checked.
        if (id === 0) return this.fail(PROTOCOL_ERROR);
        if (payload.length !== 5) this.socket.write(rstStream(id, FRAME_SIZE_ERROR));
        return;
      case RST_STREAM:
        if (id === 0 || id > this.lastStream) return this.fail(PROTOCOL_ERROR);
        if (payload.length !== 4) return this.fail(FRAME_SIZE_ERROR);
        return this.cancel(id);
      case SETTINGS:
        return this.onSettings(flags, id, payload);
      case PUSH_PROMISE:
        // Only servers push (RFC 9113 §8.4).
        return this.fail(PROTOCOL_ERROR);
      case PING:
        if (id !== 0) return this.fail(PROTOCOL_ERROR);
        if (payload.length !== 8) return this.fail(FRAME_SIZE_ERROR);
        if (!(flags & ACK)) this.socket.write(frame(PING, ACK, 0, payload));
        return;
      case GOAWAY:
        if (id !== 0) return this.fail(PROTOCOL_ERROR);
        // The client opens nothing more; the streams it has get their answers, then the connection closes.
        this.goingAway = true;
        if (this.streams.size === 0) this.socket.end();
        return;
      case WINDOW_UPDATE:
        return this.onWindowUpdate(id, payload);
      default:
        // Unknown frame types are ignored (RFC 9113 §4.1, §5.5).
        return;
    }
  };

  private onDataFrame(flags: number, id: number, payload: Buffer): void {
    if (id === 0) return this.fail(PROTOCOL_ERROR);
    // The whole frame counts against the connection's window, padding included, and whatever stream it is on.
    this.received += payload.length;
    if (this.received >= WINDOW_TOP_UP) {
      this.socket.write(windowUpdate(0, this.received));
      this.received = 0;
    }
    const stream = this.streams.get(id);
    if (!stream) {
      // An idle stream cannot carry DATA (RFC 9113 §5.1); a closed one's late DATA is dropped.
      if (id > this.lastStream) this.fail(PROTOCOL_ERROR);
      return;
    }
    if (stream.ended) return this.resetStream(stream, STREAM_CLOSED);
    const part = content(DATA, flags, payload);
    if (part === undefined) return this.fail(PROTOCOL_ERROR);
    if (this.keepBodies && part.length > 0) stream.chunks.push(Buffer.from(part));
    if (flags & END_STREAM) this.ended(stream);
  }

  private onHeaders(flags: number, id: number, payload: Buffer): void {
    if (id === 0 || (id & 1) === 0) return this.fail(PROTOCOL_ERROR);
    const part = content(HEADERS, flags, payload);
    if (part === undefined) return this.fail(PROTOCOL_ERROR);
    if (flags & END_HEADERS) return this.headerBlock(id, part, (flags & END_STREAM) !== 0);
    this.blockStream = id;
    this.blockParts = [Buffer.from(part)];
    this.blockEndsStream = (flags & END_STREAM) !== 0;
  }

  /** A complete header block: a new request, or its trailers. Every block is decoded, in order, to keep HPACK in step. */
  private headerBlock(id: number, block: Buffer, endsStream: boolean): void {
    let fields: Array<[string, string]>;
    try {
      fields = this.decoder.decode(block);
    } catch {
      // The decoder's table is out of step with the client's: the connection cannot go on (RFC 9113 §4.3).
      return this.fail(COMPRESSION_ERROR);
    }
    const open = this.streams.get(id);
    if (open) {
      // Trailers: they must end the stream (RFC 9113 §8.1), which must not have ended already.
      if (open.ended) return this.resetStream(open, STREAM_CLOSED);
      if (!endsStream) return this.resetStream(open, PROTOCOL_ERROR);
      return this.ended(open);
    }
    // A stream closed already (its late trailers) is ignored; a new one must be numbered above all before (§5.1.1).
    if (id <= this.lastStream) return;
    this.lastStream = id;
    if (this.goingAway) return;
    if (this.streams.size >= MAX_CONCURRENT_STREAMS) {
      this.socket.write(rstStream(id, REFUSED_STREAM));
      return;
    }
    const stream = new H2cStream(id, this, this.initialWindow);
    let scheme = '';
    for (const [name, value] of fields) {
      if (name === ':method') stream.method = value;
      else if (name === ':path') stream.path = value;
      else if (name === ':scheme') scheme = value;
    }
    // A request without :method, :scheme and :path (CONNECT has none of the last two) is malformed (RFC 9113 §8.3.1).
    if (stream.method === '' || (stream.method !== 'CONNECT' && (scheme === '' || stream.path === ''))) {
      this.socket.write(rstStream(id, PROTOCOL_ERROR));
      return;
    }
    this.streams.set(id, stream);
    if (endsStream) this.ended(stream);
  }

  private ended(stream: H2cStream): void {
    stream.ended = true;
    try {
      this.onRequest(stream);
    } catch {
      // A request the handler cannot take (it threw) fails alone.
      if (!stream.responded) this.resetStream(stream, INTERNAL_ERROR);
    }
  }

  private onSettings(flags: number, id: number, payload: Buffer): void {
    if (id !== 0) return this.fail(PROTOCOL_ERROR);
    if (flags & ACK) {
      if (payload.length !== 0) this.fail(FRAME_SIZE_ERROR);
      return;
    }
    if (payload.length % 6 !== 0) return this.fail(FRAME_SIZE_ERROR);
    let grew = false;
    for (let at = 0; at < payload.length; at += 6) {
      const value = payload.readUInt32BE(at + 2);
      switch (payload.readUInt16BE(at)) {
        case SETTINGS_HEADER_TABLE_SIZE:
          if (value < DEFAULT_TABLE_SIZE && !this.tableSizeSent) this.tableSizeUpdate = true;
          break;
        case SETTINGS_ENABLE_PUSH:
          if (value > 1) return this.fail(PROTOCOL_ERROR);
          break;
        case SETTINGS_INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) return this.fail(FLOW_CONTROL_ERROR);
          // Open streams' windows move by the difference (RFC 9113 §6.9.2), and may go below 0.
          const delta = value - this.initialWindow;
          this.initialWindow = value;
          for (const stream of this.streams.values()) {
            stream.sendWindow += delta;
            if (stream.sendWindow > MAX_WINDOW) return this.fail(FLOW_CONTROL_ERROR);
          }
          if (delta > 0) grew = true;
          break;
        }
        case SETTINGS_MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME || value > LARGEST_MAX_FRAME) return this.fail(PROTOCOL_ERROR);
          this.maxFrame = value;
          break;
        default:
          // Unknown settings are ignored (RFC 9113 §6.5.2); MAX_CONCURRENT_STREAMS limits pushes, which we never make.
          break;
      }
    }
    this.settled = true;
    this.socket.write(SETTINGS_ACK);
    if (grew) this.flush();
  }

  private onWindowUpdate(id: number, payload: Buffer): void {
    if (payload.length !== 4) return this.fail(FRAME_SIZE_ERROR);
    const increment = payload.readUInt32BE(0) & 0x7fffffff;
    if (id === 0) {
      if (increment === 0) return this.fail(PROTOCOL_ERROR);
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) return this.fail(FLOW_CONTROL_ERROR);
      return this.flush();
    }
    if (id > this.lastStream) return this.fail(PROTOCOL_ERROR);
    const stream = this.streams.get(id);
    if (!stream) return;
    if (increment === 0) return this.resetStream(stream, PROTOCOL_ERROR);
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) return this.resetStream(stream, FLOW_CONTROL_ERROR);
    this.flush();
  }

  /** Sends what the windows now take of the responses waiting for them, oldest first. */
  private flush(): void {
    if (this.blocked.length === 0) return;
    const waiting = this.blocked;
    this.blocked = [];
    for (const stream of waiting) {
      if (stream.closed) continue;
      const rest = stream.rest!;
      const sendable = Math.min(rest.length, Math.max(0, Math.min(stream.sendWindow, this.sendWindow)));
      if (sendable === 0) {
        this.blocked.push(stream);
        continue;
      }
      const all = sendable === rest.length;
      const trailers = all && stream.trailers ? this.withTableSize(stream.trailers) : undefined;
      const bytes = Buffer.allocUnsafe(
        sendable + FRAME_HEADER_BYTES * Math.ceil(sendable / this.maxFrame) + (trailers ? headerFramesBytes(trailers.length, this.maxFrame) : 0),
      );
      const at = writeDataFrames(bytes, 0, stream.id, rest, sendable, all && !trailers, this.maxFrame);
      if (trailers) writeHeaderFrames(bytes, at, stream.id, trailers, true, this.maxFrame);
      stream.sendWindow -= sendable;
      this.sendWindow -= sendable;
      this.socket.write(bytes);
      if (all) {
        stream.rest = undefined;
        this.close(stream);
      } else {
        stream.rest = rest.subarray(sendable);
        this.blocked.push(stream);
      }
    }
  }

  /** The stream's response ended: it is gone, and with the last one a connection the client is leaving closes. */
  private close(stream: H2cStream): void {
    stream.closed = true;
    this.streams.delete(stream.id);
    if (this.goingAway && this.streams.size === 0) this.socket.end();
  }

  /** The client reset the stream: its pending answer is dropped and nothing more is sent on it. */
  private cancel(id: number): void {
    const stream = this.streams.get(id);
    if (!stream) return;
    clearTimeout(stream.timer);
    this.close(stream);
  }

  /** A stream error (RFC 9113 §5.4.2): RST_STREAM, and the stream is dropped. */
  private resetStream(stream: H2cStream, code: number): void {
    clearTimeout(stream.timer);
    this.close(stream);
    this.socket.write(rstStream(stream.id, code));
  }

  /** A connection error (RFC 9113 §5.4.1): GOAWAY with its code, then the connection ends. */
  private fail(code: number): void {
    if (this.dead) return;
    const socket = this.socket;
    this.drop();
    socket.end(goaway(this.lastStream, code));
    // The client closes on GOAWAY; one that does not is cut off.
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }

  /** The connection is gone: every pending answer is dropped. */
  private readonly drop = (): void => {
    this.dead = true;
    this.blockStream = 0;
    this.blockParts = [];
    this.blocked = [];
    for (const stream of this.streams.values()) {
      stream.closed = true;
      clearTimeout(stream.timer);
    }
    this.streams.clear();
  };
}
