import net from 'node:net';
import tls from 'node:tls';
import { HTTPParser, type ResponseInfo } from 'http-parser-js';
import type { EndpointPicker } from './endpoints.ts';
import type { Lane } from './lane.ts';
import { SocketLane } from './socket-lane.ts';
import { guardClose, socketFd } from './socket-fd.ts';
import type { Target } from './target.ts';

/** What a connection tells its pool. One handler object per pool: no closure per request. */
export interface ConnectionEvents {
  onReady(connection: Lane): void;
  /** A complete response; `status` is the HTTP status (gRPC: the grpc-status). */
  onResponse(connection: Lane, status: number, bytes: number): void;
  /** The request in flight failed (reset, closed early, malformed response) or the connection could not open. */
  onFailure(connection: Lane, message: string, hadRequest: boolean): void;
  /**
   * The socket is about to close (by us or by Node itself after a socket error). Another thread that writes on its
   * fd must be done with it first; a request it wrote that this connection has not adopted yet is adopted here.
   */
  onDetach(connection: Lane): void;
  /** Data arrived with no request in flight that this connection knows of: adopt one another thread wrote. */
  onUnknownData(connection: Lane): void;
}

/**
 * Why a connection failed, for the errors warning: a refused or reset connection means the target is gone or
 * overloaded, which more connections do not fix.
 */
export const FAILURE_KINDS = ['refused', 'reset', 'closed', 'malformed', 'other'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

export function failureKindOf(error: Error): FailureKind {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    default:
      return 'other';
  }
}

/**
 * One keep-alive HTTP/1.1 connection written to directly: the request bytes are prebuilt and the response is
 * parsed with http-parser-js (the parser autocannon uses). The Node http client was measured to add tens of
 * microseconds and millisecond tails per request, which the instrument must not do. With a request mix, each
 * request's bytes are those of the endpoint picked for its intended time.
 */
export class Connection extends SocketLane {
  private parser: HTTPParser;
  private status = 0;
  private keepAlive = true;
  private readonly target: Target;
  private readonly requests: readonly Buffer[];

  /** `requests`: the bytes of each endpoint's request; `picker` chooses one per intended time. */
  constructor(index: number, target: Target, requests: readonly Buffer[], picker: EndpointPicker, events: ConnectionEvents) {
    super(index, picker, events);
    this.target = target;
    this.requests = requests;
    this.parser = this.newParser();
  }

  open(): void {
    if (this.isClosed) return;
    const { host, port } = this.target;
    const socket = this.target.tls
      ? tls.connect({ host, port, ...(this.target.servername ? { servername: this.target.servername } : {}) })
      : net.connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on(this.target.tls ? 'secureConnect' : 'connect', () => {
      if (!this.target.tls) guardClose(socket, () => this.socket === socket && this.events.onDetach(this));
      this.generation++;
      this.ready = true;
      this.lastFailure = undefined;
      this.connected();
      this.events.onReady(this);
    });
    socket.on('data', (chunk: Buffer) => {
      if (!this.busy) this.events.onUnknownData(this);
      this.bytes += chunk.length;
      const result = this.parser.execute(chunk);
      if (result instanceof Error) this.fail(`malformed HTTP response: ${result.message}`, 'malformed');
    });
    socket.on('end', () => {
      // A close-delimited body completes at end of stream.
      if (this.busy) this.parser.finish();
    });
    socket.on('error', (error: Error) => this.fail(error.message, failureKindOf(error)));
    socket.on('close', () => {
      if (this.socket === socket) this.fail('connection closed by the server', 'closed');
    });
  }

  send(intendedUs: number, sentUs: number, measured: boolean): void {
    this.adopt(intendedUs, sentUs, measured);
    this.socket?.write(this.requests[this.endpoint]!);
  }

  /** Writes the part of the request from `offset` that another thread's write left over. */
  writeRest(offset: number): void {
    // Another thread writes only when the phase has a single endpoint (open-loop.ts): its request is the first.
    this.socket?.write(this.requests[0]!.subarray(offset));
  }

  /** The socket's file descriptor, for a writer on another thread; undefined where libuv has none (Windows). */
  get fd(): number | undefined {
    return socketFd(this.socket);
  }

  private newParser(): HTTPParser {
    const parser = new HTTPParser(HTTPParser.RESPONSE);
    parser[HTTPParser.kOnHeadersComplete] = (info: ResponseInfo) => {
      this.status = info.statusCode;
      this.keepAlive = info.shouldKeepAlive;
    };
    parser[HTTPParser.kOnBody] = () => {};
    parser[HTTPParser.kOnMessageComplete] = () => this.complete();
    return parser;
  }

  private complete(): void {
    if (!this.busy) return;
    if (!this.keepAlive) {
      // The server will close: report, then reconnect before the connection is used again. The socket is dropped
      // while the request is still ours, so it is not taken for one another thread wrote.
      this.dropSocket();
      this.busy = false;
      this.events.onResponse(this, this.status, this.bytes);
      this.scheduleReconnect(0);
      return;
    }
    this.busy = false;
    this.events.onResponse(this, this.status, this.bytes);
  }

  protected dropped(): void {
    this.parser = this.newParser();
  }
}
