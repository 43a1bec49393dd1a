import type { FailureKind } from './connection.ts';
import type { EndpointPicker } from './endpoints.ts';

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
  /** Writes the rest of a request another thread's write left over, from `offset` (HTTP/2: on stream `stream`). */
  writeRest(offset: number, stream?: number): void;
  /** Gives up the request in flight (timeout); the lane reports ready again once it can take another. */
  abandon(): void;
  close(): void;
}

/**
 * What every lane keeps about the request in flight, and how it takes one on: the protocols differ in how they write
 * and read, not in this.
 */
export abstract class LaneBase implements Lane {
  intendedUs = 0;
  sentUs = 0;
  measured = false;
  endpoint = 0;
  busy = false;
  ready = false;
  lastFailure: FailureKind | undefined;
  generation = 0;
  readonly index: number;
  /** Response bytes received for the request in flight. */
  protected bytes = 0;
  protected readonly picker: EndpointPicker;

  constructor(index: number, picker: EndpointPicker) {
    this.index = index;
    this.picker = picker;
  }

  abstract readonly fd: number | undefined;
  abstract open(): void;
  abstract send(intendedUs: number, sentUs: number, measured: boolean): void;
  abstract writeRest(offset: number, stream?: number): void;
  abstract abandon(): void;
  abstract close(): void;

  /** Marks a request as in flight: one written by `send`, or (HTTP/1.1) by another thread on the lane's fd. */
  adopt(intendedUs: number, sentUs: number, measured: boolean): void {
    this.intendedUs = intendedUs;
    this.sentUs = sentUs;
    this.measured = measured;
    this.endpoint = this.picker.pick(intendedUs);
    this.busy = true;
    this.bytes = 0;
  }
}
