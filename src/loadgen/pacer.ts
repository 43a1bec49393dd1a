import type { Schedule } from './schedule.ts';

/**
 * The open loop's alarm clock for TLS targets (plaintext targets are written by the pacer itself:
 * writing-pacer.ts). Node's timers step in whole milliseconds, so the I/O thread cannot sleep until a
 * send that is 300 µs away; polling the event loop instead keeps one core busy, and on a busy machine that core is
 * lost to other work and the loss lands in the tail. A pacer thread sleeps on `Atomics.wait` (a futex with a
 * sub-millisecond timeout) and posts a hand-off to the I/O thread shortly before each send is due; the I/O thread
 * waits in its event loop (epoll) like any idle server and, once woken, spins only the few microseconds left. TLS
 * needs this hand-off because encryption lives on the I/O thread with its socket.
 *
 * Both wake-ups are late by a varying amount (the kernel's timer slack, 50 µs by default, then the cross-thread
 * hand-off), so the pacer fires `lead` microseconds early. The I/O thread measures the whole chain's lateness
 * against the planned fire time and keeps the lead at a quantile of it (LeadEstimator): most sends find the I/O
 * thread awake a little early, and the rest are late by little and show as slip.
 */

/** Lead before any hand-off was measured: typical futex overshoot (timer slack) plus a thread wake-up. */
export const INITIAL_LEAD_US = 70;
/** Upper bound of the lead, so the I/O thread never spins longer than this per send. */
export const MAX_LEAD_US = 150;
/** Share of hand-offs that should arrive before their send is due. */
export const LEAD_QUANTILE = 0.75;

/**
 * What the pacer does next for a send planned to fire at `fireAtUs`: fire now, or sleep up to the fire time. Sleeps
 * are capped so a stop request or a lead change is seen within `maxSleepUs`.
 */
export type PacerStep = { kind: 'fire' } | { kind: 'sleep'; us: number };

export function pacerStep(nowUs: number, fireAtUs: number, maxSleepUs: number): PacerStep {
  const wait = fireAtUs - nowUs;
  if (wait <= 0) return { kind: 'fire' };
  return { kind: 'sleep', us: Math.min(wait, maxSleepUs) };
}

/** What the pacer loop needs from its thread; a test supplies a fake clock. */
export interface PacerIo {
  now(): number;
  /** Blocks for about `us` microseconds (returns early when stopped). */
  sleep(us: number): void;
  /** Hands off to the I/O thread; `plannedUs` is the moment the pacer meant to fire. */
  fire(plannedUs: number): void;
  stopped(): boolean;
  leadUs(): number;
}

/** Longest single sleep: a stop request or a new lead takes effect within this. */
export const MAX_SLEEP_US = 50_000;

/**
 * Fires once ahead of each intended send of `schedule` (times after `t0Us`) before `endUs`. When the pacer itself
 * ran late, the sends already due share one hand-off: the I/O thread sends all that are due when it wakes.
 * Returns the number of hand-offs.
 */
export function runPacer(schedule: Schedule, t0Us: number, endUs: number, io: PacerIo): number {
  let fired = 0;
  for (let due = t0Us + schedule.next(); due < endUs && !io.stopped(); ) {
    const planned = due - io.leadUs();
    const step = pacerStep(io.now(), planned, MAX_SLEEP_US);
    if (step.kind === 'sleep') {
      io.sleep(step.us);
      continue;
    }
    io.fire(planned);
    fired++;
    // This hand-off covers its own send and every send already due: the I/O thread sends all that are due.
    const now = io.now();
    do due = t0Us + schedule.next();
    while (due <= now && due < endUs);
  }
  return fired;
}

/**
 * The lead the pacer fires with: the LEAD_QUANTILE of the last WINDOW measured delays (hand-off: I/O thread wake-up
 * minus planned fire time; writing pacer: its own wake-up minus the end of its planned sleep), in microseconds,
 * bounded to [0, MAX_LEAD_US]. Recomputed every STRIDE observations so the
 * per-request cost stays a store into a ring.
 */
export class LeadEstimator {
  static readonly WINDOW = 128;
  static readonly STRIDE = 32;
  private readonly ring = new Float64Array(LeadEstimator.WINDOW);
  private count = 0;
  private lead = INITIAL_LEAD_US;

  /** `delayUs`: how long after the planned fire time the I/O thread woke. */
  observe(delayUs: number): void {
    this.ring[this.count % LeadEstimator.WINDOW] = delayUs;
    this.count++;
    if (this.count % LeadEstimator.STRIDE === 0) this.lead = this.estimate();
  }

  get leadUs(): number {
    return this.lead;
  }

  private estimate(): number {
    const filled = Math.min(this.count, LeadEstimator.WINDOW);
    const sorted = this.ring.slice(0, filled).sort();
    const value = sorted[Math.min(filled - 1, Math.floor(LEAD_QUANTILE * filled))]!;
    return Math.round(Math.min(MAX_LEAD_US, Math.max(0, value)));
  }
}

/** How long the I/O thread spins when woken early: until the send is due, never beyond the largest lead. */
export function spinUntil(nowUs: number, dueUs: number): number {
  const wait = dueUs - nowUs;
  return wait > 0 && wait <= MAX_LEAD_US ? dueUs : nowUs;
}

/**
 * The I/O thread's side of a hand-off: spin to the next intended send if it is at most MAX_LEAD_US away, then send
 * every one that is due (all of them at the same `now`: they are written back to back). `finished` once the next
 * intended time is past the end of the schedule. A hand-off that finds nothing near (its send already went out with
 * an earlier one) sends nothing.
 */
export function takeDue(
  schedule: Schedule,
  t0Us: number,
  endUs: number,
  clock: () => number,
  send: (intendedUs: number, nowUs: number) => void,
): { finished: boolean } {
  let now = clock();
  let next = t0Us + schedule.peek();
  const until = spinUntil(now, next);
  while (now < until) now = clock();
  while (next <= now && next < endUs) {
    send(t0Us + schedule.next(), now);
    next = t0Us + schedule.peek();
  }
  return { finished: next >= endUs };
}
