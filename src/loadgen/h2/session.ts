import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { failureKindOf, type ConnectionEvents, type FailureKind } from '../connection.ts';
import type { EndpointPicker, EndpointSpec } from '../endpoints.ts';
import { LaneBase } from '../lane.ts';
import type { Target } from '../target.ts';
import { grpcStatusHeader, grpcStatusOfHttp } from './grpc-status.ts';

const MAX_BACKOFF_MS = 1000;

/** What one endpoint sends over HTTP/2, built once. */
interface H2Request {
  headers: http2.OutgoingHttpHeaders;
  body: Buffer | null;
}

/** The HTTP/2 request of each endpoint: pseudo-headers, the endpoint's headers, and for gRPC its required ones. */
export function h2Requests(endpoints: readonly EndpointSpec[], grpc: boolean, userAgent: string): H2Request[] {
  return endpoints.map((endpoint) => {
    const body = Buffer.from(endpoint.body, 'base64');
    const headers: http2.OutgoingHttpHeaders = {
      ':method': endpoint.method,
      ':path': endpoint.path,
      'user-agent': userAgent,
      // The gRPC wire format over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md): POST, content-type application/grpc and
      // te: trailers in every request.
      ...(grpc ? { 'content-type': 'application/grpc', te: 'trailers' } : {}),
      ...endpoint.headers,
    };
    return { headers, body: body.length > 0 ? body : null };
  });
}

/**
 * One HTTP/2 connection (h2c with prior knowledge for http://, TLS with ALPN h2 for https://) carrying up to
 * `streams` requests at once: each stream slot is a lane of the open loop, so the loop keeps its fixed number of
 * requests in flight per connection and counts a request that finds every slot busy as queued, exactly as for
 * HTTP/1.1. Built on node:http2 (nghttp2).
 */
export class H2Connection {
  readonly lanes: H2Lane[];
  session: http2.ClientHttp2Session | undefined;
  private closed = false;
  private backoffMs = 10;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly target: Target;
  readonly events: ConnectionEvents;

  constructor(firstIndex: number, streams: number, target: Target, requests: readonly H2Request[], picker: EndpointPicker, grpc: boolean, events: ConnectionEvents) {
    this.target = target;
    this.events = events;
    this.lanes = Array.from({ length: streams }, (_, i) => new H2Lane(firstIndex + i, this, requests, picker, grpc));
  }

  open(): void {
    if (this.closed || this.session) return;
    const { host, port, servername, tls: secure } = this.target;
    const authority = `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const session = http2.connect(authority, {
      settings: { enablePush: false },
      // Nagle's algorithm off, as for HTTP/1.1: a small request must not wait for the previous one's ACK.
      createConnection: () =>
        secure
          ? tls.connect({ host, port, ALPNProtocols: ['h2'], ...(servername ? { servername } : {}) }).setNoDelay(true)
          : net.connect({ host, port, noDelay: true }),
    });
    this.session = session;
    session.on('connect', () => {
      if (this.session !== session) return;
      this.backoffMs = 10;
      for (const lane of this.lanes) lane.up();
    });
    session.on('error', (error: Error) => this.fail(session, error.message, failureKindOf(error)));
    session.on('close', () => this.fail(session, 'connection closed by the server', 'closed'));
    session.on('goaway', () => this.fail(session, 'the server sent GOAWAY', 'closed'));
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const session = this.session;
    this.session = undefined;
    session?.destroy();
  }

  /** The connection failed: every lane's request fails with it, and the connection comes back after a backoff. */
  private fail(session: http2.ClientHttp2Session, message: string, kind: FailureKind): void {
    if (this.closed || this.session !== session) return;
    this.session = undefined;
    session.destroy();
    for (const lane of this.lanes) lane.down(message, kind);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/** One stream slot of an HTTP/2 connection: at most one request in flight. */
export class H2Lane extends LaneBase {
  readonly fd = undefined;
  private stream: http2.ClientHttp2Stream | undefined;
  private status = 0;
  private readonly connection: H2Connection;
  private readonly requests: readonly H2Request[];
  private readonly grpc: boolean;

  constructor(index: number, connection: H2Connection, requests: readonly H2Request[], picker: EndpointPicker, grpc: boolean) {
    super(index, picker);
    this.connection = connection;
    this.requests = requests;
    this.grpc = grpc;
  }

  open(): void {
    this.connection.open();
  }

  up(): void {
    this.generation++;
    this.ready = true;
    this.lastFailure = undefined;
    this.connection.events.onReady(this);
  }

  down(message: string, kind: FailureKind): void {
    this.ready = false;
    this.lastFailure = kind;
    const hadRequest = this.busy;
    this.busy = false;
    this.stream = undefined;
    this.connection.events.onFailure(this, message, hadRequest);
  }

  send(intendedUs: number, sentUs: number, measured: boolean): void {
    this.adopt(intendedUs, sentUs, measured);
    const session = this.connection.session;
    if (!session) return;
    const request = this.requests[this.endpoint]!;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(request.headers, { endStream: request.body === null });
    } catch (error) {
      // The session is closing: its close event fails every lane, this one with its request.
      void error;
      return;
    }
    this.stream = stream;
    this.status = 0;
    stream.on('response', (headers) => {
      if (this.stream !== stream) return;
      const http = Number(headers[':status']);
      // A trailers-only response carries grpc-status in its headers.
      this.status = this.grpc ? (grpcStatusHeader(headers['grpc-status']) ?? grpcStatusOfHttp(http)) : http;
    });
    if (this.grpc) {
      stream.on('trailers', (trailers) => {
        if (this.stream !== stream) return;
        const status = grpcStatusHeader(trailers['grpc-status']);
        if (status !== undefined) this.status = status;
      });
    }
    stream.on('data', (chunk: Buffer) => {
      this.bytes += chunk.length;
    });
    stream.on('end', () => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.busy = false;
      this.connection.events.onResponse(this, this.status, this.bytes);
    });
    stream.on('error', (error: Error) => {
      if (this.stream !== stream) return;
      this.streamFailed(`stream failed: ${error.message}`, 'reset');
    });
    stream.on('close', () => {
      // Closed without a complete response (reset by the server or a proxy).
      if (this.stream === stream) this.streamFailed(`stream closed with code ${stream.rstCode ?? 'unknown'}`, 'reset');
    });
    if (request.body) stream.end(request.body);
  }

  writeRest(): void {
    // No other thread writes on an HTTP/2 connection.
  }

  abandon(): void {
    const stream = this.stream;
    this.stream = undefined;
    this.busy = false;
    stream?.close(http2.constants.NGHTTP2_CANCEL);
    this.reuse();
  }

  close(): void {
    this.connection.close();
  }

  /** One stream failed; the connection is still up, so the lane takes the next request. */
  private streamFailed(message: string, kind: FailureKind): void {
    this.stream = undefined;
    const hadRequest = this.busy;
    this.busy = false;
    this.lastFailure = kind;
    this.connection.events.onFailure(this, message, hadRequest);
    this.reuse();
  }

  /** After a request was given up or failed alone: the lane is free again once the loop has counted it. */
  private reuse(): void {
    setImmediate(() => {
      if (this.ready && !this.busy && this.connection.session) this.connection.events.onReady(this);
    });
  }
}
