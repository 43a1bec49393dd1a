import type { FailureKind } from './connection.ts';

/**
 * One place a request can be in flight: an HTTP/1.1 connection (connection.ts), or one stream slot of an HTTP/2
 * connection (h2/session.ts). The open loop hands each due request to a free lane and hears back through
 * ConnectionEvents; it does not know which protocol the lane speaks.
 */
export interface Lane {
  /** Position among its thread's lanes (for HTTP/1.1 also its slot in shared memory). */
  readonly index: number;
  /** Intended send time (µs) of the request in flight. */
  intendedUs: number;
  /** Actual send time (µs) of the request in flight. */
  sentUs: number;
  /** Whether the request in flight belongs to the measured window. */
  measured: boolean;
  /** Endpoint (index into the phase's request mix) of the request in flight. */
  endpoint: number;
  busy: boolean;
  ready: boolean;
  /** Why the lane last failed; cleared once it is up again. */
  lastFailure: FailureKind | undefined;
  /** Bumped on every connect: a late message about an earlier socket is recognised by it. */
  generation: number;
  /** A file descriptor another thread may write requests on; undefined where there is none (TLS, HTTP/2). */
  readonly fd: number | undefined;
  open(): void;
  /** Sends the request intended at `intendedUs` (its endpoint is picked from that time) at `sentUs`. */
  send(intendedUs: number, sentUs: number, measured: boolean): void;
  /** Marks a request another thread wrote on this lane's fd as in flight. */
  adopt(intendedUs: number, sentUs: number, measured: boolean): void;
  /** Writes the rest of a request another thread's write left over, from `offset`. */
  writeRest(offset: number): void;
  /** Gives up the request in flight (timeout); the lane reports ready again once it can take another. */
  abandon(): void;
  close(): void;
}
