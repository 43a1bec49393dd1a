import { writeSync } from 'node:fs';
import { LeadEstimator } from './pacer.ts';
import type { PacerCounter } from './slots.ts';
import type { Schedule } from './schedule.ts';

/**
 * The open loop's pacer for plaintext targets: it sends the requests itself. Each send costs one thread wake-up:
 * the pacer sleeps on `Atomics.wait` until a *lead* before the send is due, spins the rest, claims a free
 * connection and writes the prebuilt request on the connection's socket fd. A futex wait overshoots its timeout by
 * the kernel's timer slack (50 µs by default) plus the wake-up itself; the lead is the 75th percentile of the
 * measured overshoot (LeadEstimator, at most 150 µs), so most sends find the pacer awake a little early and it
 * spins only the difference. The I/O thread reads responses; when
 * one completes it writes the oldest request that found every connection busy on that connection at once, or, with
 * none waiting, frees the connection (and wakes the pacer only if a request was queued meanwhile). A request that waited keeps its intended time, so its
 * wait is in its latency (coordinated omission).
 */

/** Longest single sleep, so a stop request is seen within it even if its wake-up were lost. */
export const MAX_SLEEP_US = 50_000;

/** The queue of requests waiting for a free connection (shared: SharedSlots). */
export interface WaitingQueue {
  push(intendedUs: number, handledUs: number): boolean;
  shift(beforeUs?: number): { intendedUs: number; handledUs: number } | undefined;
  oldest(): number | undefined;
  waiting(): number;
  /** Non-zero while the target is down (no connection up after a failure); absent in a queue that never knows. */
  readonly down?: number;
}

/** What the pacer loop needs from its thread and the shared slots; a test supplies fakes. */
export interface WriterIo {
  now(): number;
  /** The wake-up counter (bumped when a connection is freed while requests wait, or the pacer is stopped). */
  wakes(): number;
  /** Sleeps up to `us` µs, or less if the wake-up counter moves past `seen`. */
  sleep(us: number, seen: number): void;
  /** Claims a free connection; -1 when none is free. */
  claim(): number;
  /** Gives back a claim that found nothing to write. */
  unclaim(connection: number): void;
  /** Writes the request intended at `intendedUs`, first handled at `handledUs`, on claimed connection `connection`. */
  write(connection: number, intendedUs: number, handledUs: number): void;
  queue: WaitingQueue;
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

export function measured(window: WriterWindow, intendedUs: number): boolean {
  return intendedUs >= window.measureStartUs && intendedUs < window.endUs;
}

/** Gives up the waiting requests older than the timeout, counting the measured ones. Either thread calls this. */
export function expireWaiting(queue: WaitingQueue, nowUs: number, window: WriterWindow, count: (counter: PacerCounter) => void): void {
  const limit = nowUs - window.timeoutUs;
  for (let entry = queue.shift(limit); entry; entry = queue.shift(limit)) {
    // One that waited out its timeout because every connection was refused or reset was never sent: the target is
    // gone, and that is an error of that kind, not a slow response.
    if (measured(window, entry.intendedUs)) count(queue.down ? 'queueDown' : 'queueTimeouts');
  }
}

/**
 * Sends every request of `schedule` from `window.t0Us` until `window.endUs` at its intended time, each exactly once:
 * on a free connection at once, or after waiting in the queue for one (then written by whichever thread frees a
 * connection first). Returns when everything scheduled was written, queued or given up and the queue is empty, or
 * when stopped.
 */
export function runWritingPacer(schedule: Schedule, window: WriterWindow, io: WriterIo): void {
  const { t0Us, endUs, timeoutUs } = window;
  const queue = io.queue;
  const lead = new LeadEstimator();
  let due = t0Us + schedule.peek();
  while (!io.stopped()) {
    const seen = io.wakes();
    const now = io.now();
    // The oldest waiting requests go first, as connections are free; those waiting too long are given up.
    expireWaiting(queue, now, window, (counter) => io.count(counter));
    sendWaiting(now);
    for (; due <= now && due < endUs; due = t0Us + schedule.peek()) {
      schedule.next();
      const connection = queue.waiting() === 0 ? io.claim() : -1;
      if (connection >= 0) send(connection, due, now, now);
      else if (queue.push(due, now)) {
        if (measured(window, due)) io.count('queued');
      } else if (measured(window, due)) io.count('queueTimeouts'); // a full queue: it could not wait at all
    }
    // A connection freed while the requests above were queued woke no one (the I/O thread wakes the pacer only when
    // it sees a request waiting): claim once more before sleeping (SharedSlots.release).
    sendWaiting(now);
    const scheduling = due < endUs;
    const oldest = queue.oldest();
    if (!scheduling && oldest === undefined) return;
    // Sleep until the lead before the next send (woken early when a connection is freed for a waiting request), then
    // spin the rest.
    const untilDue = scheduling ? due - lead.leadUs - now : Infinity;
    const untilExpiry = oldest !== undefined ? oldest + timeoutUs - now : Infinity;
    const sleepUs = Math.min(untilDue, untilExpiry, MAX_SLEEP_US);
    if (sleepUs > 0) {
      io.sleep(sleepUs, seen);
      // A sleep that ran to its timeout measures the overshoot.
      if (sleepUs === untilDue && io.wakes() === seen) lead.observe(io.now() - (now + sleepUs));
    }
  }

  /** Writes waiting requests, oldest first, on the connections that are free. */
  function sendWaiting(now: number): void {
    while (queue.waiting() > 0) {
      const connection = io.claim();
      if (connection < 0) return;
      const entry = queue.shift();
      if (!entry) {
        io.unclaim(connection);
        return;
      }
      send(connection, entry.intendedUs, entry.handledUs, now);
    }
  }

  function send(connection: number, intended: number, handled: number, now: number): void {
    if (measured(window, intended) && now < endUs) io.count('sent');
    io.write(connection, intended, handled);
  }
}

/**
 * Writes `request` on the non-blocking socket `fd` without waiting; returns how many bytes the socket took. A full
 * send buffer takes fewer (write(2) returns a short count) or none (EAGAIN, which fs.writeSync throws); so does a
 * socket error. The caller hands the rest to the I/O thread, which queues it in libuv and sees any error.
 */
export function writeRequest(fd: number, request: Uint8Array): number {
  try {
    return writeSync(fd, request);
  } catch {
    return 0;
  }
}
