import { NumberQueue } from './fifo.ts';
import type { PacerCounter } from './slots.ts';
import type { Schedule } from './schedule.ts';

/**
 * The open loop's pacer for plaintext targets: it sends the requests itself. Each send costs one thread wake-up:
 * the pacer sleeps on `Atomics.wait` until SPIN_US before the send is due, spins the rest, claims a free
 * connection and writes the prebuilt request on the connection's socket fd. The I/O thread only reads responses;
 * when one completes it frees the connection and wakes the pacer, which then sends the oldest request that found
 * every connection busy. That request's latency still runs from its intended time (coordinated omission).
 */

/** The pacer spins at most this long before a send: the rest of the wait is a futex sleep, which costs no CPU. */
export const SPIN_US = 50;
/** Longest single sleep, so a stop request is seen within it even if its wake-up were lost. */
export const MAX_SLEEP_US = 50_000;

/** What the pacer loop needs from its thread and the shared slots; a test supplies fakes. */
export interface WriterIo {
  now(): number;
  /** The wake-up counter (bumped when a connection is freed or the pacer is stopped). */
  wakes(): number;
  /** Sleeps up to `us` µs, or less if the wake-up counter moves past `seen`. */
  sleep(us: number, seen: number): void;
  /** Claims a free connection; -1 when none is free. */
  claim(): number;
  /** Writes the request intended at `intendedUs`, first handled at `handledUs`, on claimed connection `connection`. */
  write(connection: number, intendedUs: number, handledUs: number): void;
  count(counter: PacerCounter): void;
  stopped(): boolean;
}

export interface WriterWindow {
  t0Us: number;
  /** Requests intended in [measureStartUs, endUs) are measured: only they are counted. */
  measureStartUs: number;
  /** No request is intended at or after this time. */
  endUs: number;
  /** A request still queued this long after its intended time is given up as a timeout. */
  timeoutUs: number;
}

/**
 * Sends every request of `schedule` from `window.t0Us` until `window.endUs` at its intended time, each exactly once:
 * on a free connection at once, or after waiting in a queue for one. Returns when everything scheduled was written
 * or given up, or when stopped.
 */
export function runWritingPacer(schedule: Schedule, window: WriterWindow, io: WriterIo): void {
  const { t0Us, measureStartUs, endUs, timeoutUs } = window;
  // Requests waiting for a free connection: intended time and the time the pacer first handled it (slip), in pairs.
  const queue = new NumberQueue();
  const measured = (intended: number): boolean => intended >= measureStartUs && intended < endUs;
  let due = t0Us + schedule.peek();
  while (!io.stopped()) {
    const seen = io.wakes();
    const now = io.now();
    // The oldest waiting requests go first, as connections are free; those waiting too long are given up.
    while (queue.length > 0) {
      const intended = queue.peek()!;
      if (intended < now - timeoutUs) {
        queue.shift();
        queue.shift();
        if (measured(intended)) io.count('queueTimeouts');
        continue;
      }
      const connection = io.claim();
      if (connection < 0) break;
      queue.shift();
      const handled = queue.shift()!;
      send(connection, intended, handled, now);
    }
    for (; due <= now && due < endUs; due = t0Us + schedule.peek()) {
      schedule.next();
      const connection = queue.length === 0 ? io.claim() : -1;
      if (connection >= 0) send(connection, due, now, now);
      else {
        if (measured(due)) io.count('queued');
        queue.push(due);
        queue.push(now);
      }
    }
    const scheduling = due < endUs;
    if (!scheduling && queue.length === 0) return;
    // Sleep until SPIN_US before the next send (woken early when a connection is freed), then spin the rest.
    const untilDue = scheduling ? due - now - SPIN_US : Infinity;
    const untilExpiry = queue.length > 0 ? queue.peek()! + timeoutUs - now : Infinity;
    const sleepUs = Math.min(untilDue, untilExpiry, MAX_SLEEP_US);
    if (sleepUs > 0) io.sleep(sleepUs, seen);
  }

  function send(connection: number, intended: number, handled: number, now: number): void {
    if (measured(intended) && now < endUs) io.count('sent');
    io.write(connection, intended, handled);
  }
}
