import type net from 'node:net';
import type { ConnectionEvents, FailureKind } from './connection.ts';
import type { EndpointPicker } from './endpoints.ts';
import { LaneBase } from './lane.ts';

const FIRST_BACKOFF_MS = 10;
const MAX_BACKOFF_MS = 1000;

/**
 * A lane that owns one socket, written to directly (HTTP/1.1, and h2c with one stream): how it fails, is dropped and
 * comes back after a backoff is the same whatever it speaks on the socket.
 */
export abstract class SocketLane extends LaneBase {
  protected socket: net.Socket | undefined;
  protected readonly events: ConnectionEvents;
  private backoffMs = FIRST_BACKOFF_MS;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(index: number, picker: EndpointPicker, events: ConnectionEvents) {
    super(index, picker);
    this.events = events;
  }

  /** Abandons the request in flight (timeout) and reconnects: a late answer must not be taken for the next one's. */
  abandon(): void {
    this.dropSocket();
    this.busy = false;
    this.scheduleReconnect(0);
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.dropSocket();
  }

  protected get isClosed(): boolean {
    return this.closed;
  }

  /** The connection is up: the next failure backs off from the start again. */
  protected connected(): void {
    this.backoffMs = FIRST_BACKOFF_MS;
  }

  /** The socket failed: the request in flight fails with it, and the connection comes back after a growing backoff. */
  protected fail(message: string, kind: FailureKind): void {
    if (this.closed || !this.socket) return;
    this.lastFailure = kind;
    // Detach first: a request another thread wrote is adopted then, and counts as failed.
    this.dropSocket();
    const hadRequest = this.busy;
    this.busy = false;
    this.events.onFailure(this, message, hadRequest);
    this.scheduleReconnect(this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  protected dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.ready = false;
    if (socket) {
      this.events.onDetach(this);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
    }
    this.dropped();
  }

  /** What the protocol forgets with its socket (a parser's state). */
  protected abstract dropped(): void;

  protected scheduleReconnect(delayMs: number): void {
    if (this.closed) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.open();
    }, delayMs);
  }
}
