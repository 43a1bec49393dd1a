import { nowUs } from './clock.ts';
import { Connection, type ConnectionEvents } from './connection.ts';
import { NumberQueue } from './fifo.ts';
import { Recorder } from './recorder.ts';
import { poissonSchedule, uniformSchedule, type Schedule } from './schedule.ts';
import { requestBytes, type Target } from './target.ts';
import type { PhaseSpec } from './types.ts';

/** Below this much time to the next send the scheduler polls instead of sleeping: Node timers have ~1 ms steps. */
const POLL_WINDOW_US = 2000;
/** How long before a send a sleeping scheduler wakes, to absorb timer lateness. */
const WAKE_EARLY_US = 1500;
/** How often requests are checked against the timeout. */
const TIMEOUT_CHECK_US = 10_000;

/**
 * The open loop: requests are sent at their intended times whatever the server does. Latency runs from the
 * intended time, so a request that waits for a free connection (a stalled server) counts its wait; service time
 * runs from the actual write. The scheduler polls the event loop (setImmediate) while a send is near, which keeps
 * its own lateness to microseconds at the price of one busy core; the lateness is still measured and reported as slip.
 */
export class OpenLoop implements ConnectionEvents {
  readonly recorder = new Recorder();
  private readonly connections: Connection[] = [];
  private readonly free: Connection[] = [];
  private readonly queue = new NumberQueue();
  private readonly schedule: Schedule;
  private readonly spec: PhaseSpec;
  private t0 = 0;
  private measureStart = 0;
  private measureEnd = 0;
  private timeoutUs: number;
  private nextTimeoutCheck = 0;
  private scheduling = false;
  private inFlight = 0;
  private stopped = false;
  private readyWaiter: (() => void) | undefined;
  private connectFailed: ((message: string) => void) | undefined;
  private readyCount = 0;
  private finish: (() => void) | undefined;

  constructor(spec: PhaseSpec, worker: number, target: Target, userAgent: string) {
    this.spec = spec;
    this.timeoutUs = spec.timeoutMs * 1000;
    const share = shareOf(spec.connections, spec.workers, worker);
    const rate = (spec.rate ?? 0) / spec.workers;
    this.schedule =
      spec.arrival === 'poisson' ? poissonSchedule(rate, spec.seed + worker) : uniformSchedule(rate, worker, spec.workers);
    const request = requestBytes(target, userAgent);
    for (let i = 0; i < share; i++) this.connections.push(new Connection(target, request, this));
  }

  /** Opens every connection; resolves when all are up, rejects with the first error if one cannot connect. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.readyWaiter = resolve;
      this.connectFailed = (message) => reject(new Error(message));
      for (const connection of this.connections) connection.open();
    });
  }

  run(t0Us: number): Promise<void> {
    this.t0 = t0Us;
    this.measureStart = t0Us + this.spec.warmupMs * 1000;
    this.measureEnd = this.measureStart + this.spec.durationMs * 1000;
    this.scheduling = true;
    return new Promise((resolve) => {
      this.finish = resolve;
      this.tick();
    });
  }

  stop(): void {
    this.stopped = true;
    this.scheduling = false;
    this.done();
  }

  onReady(connection: Connection): void {
    if (this.readyWaiter) {
      this.readyCount++;
      this.free.push(connection);
      if (this.readyCount === this.connections.length) {
        const resolve = this.readyWaiter;
        this.readyWaiter = undefined;
        this.connectFailed = undefined;
        resolve();
      }
      return;
    }
    this.release(connection);
  }

  onResponse(connection: Connection, status: number, bytes: number): void {
    const now = nowUs();
    this.inFlight--;
    if (connection.measured) {
      this.recorder.response(status, bytes, now - connection.intendedUs, now - connection.sentUs);
    }
    if (connection.ready) this.release(connection);
    this.maybeDone();
  }

  onFailure(connection: Connection, message: string, hadRequest: boolean): void {
    if (this.connectFailed) {
      this.connectFailed(`cannot connect to the target: ${message}`);
      this.connectFailed = undefined;
      this.readyWaiter = undefined;
      return;
    }
    const index = this.free.indexOf(connection);
    if (index >= 0) this.free.splice(index, 1);
    if (hadRequest) {
      this.inFlight--;
      if (connection.measured) this.recorder.error(connection.lastFailure ?? 'other');
      this.maybeDone();
    }
  }

  close(): void {
    for (const connection of this.connections) connection.close();
  }

  private release(connection: Connection): void {
    const intended = this.queue.shift();
    if (intended === undefined) {
      this.free.push(connection);
      return;
    }
    this.write(connection, intended, nowUs());
  }

  private write(connection: Connection, intended: number, now: number): void {
    const measured = intended >= this.measureStart && intended < this.measureEnd;
    if (measured && now < this.measureEnd) this.recorder.sent++;
    this.inFlight++;
    connection.send(intended, now, measured);
  }

  private dispatch(intended: number, now: number): void {
    const measured = intended >= this.measureStart && intended < this.measureEnd;
    if (measured) this.recorder.slipped(now - intended);
    const connection = this.free.pop();
    if (connection) {
      this.write(connection, intended, now);
      return;
    }
    if (measured) this.recorder.queued++;
    this.queue.push(intended);
  }

  private readonly tick = (): void => {
    if (!this.scheduling) return;
    const now = nowUs();
    let next = this.t0 + this.schedule.peek();
    while (next <= now && next < this.measureEnd) {
      this.dispatch(this.t0 + this.schedule.next(), now);
      next = this.t0 + this.schedule.peek();
    }
    if (now >= this.nextTimeoutCheck) {
      this.expire(now);
      this.nextTimeoutCheck = now + TIMEOUT_CHECK_US;
    }
    if (next >= this.measureEnd) {
      // Nothing more to send: drain what is queued or in flight, still enforcing the timeout.
      this.scheduling = false;
      this.drain();
      return;
    }
    const wait = next - nowUs();
    if (wait > POLL_WINDOW_US) setTimeout(this.tick, (wait - WAKE_EARLY_US) / 1000);
    else setImmediate(this.tick);
  };

  private drain(): void {
    if (this.stopped) return;
    this.expire(nowUs());
    if (this.maybeDone()) return;
    setTimeout(() => this.drain(), 5);
  }

  /** Requests older than the timeout (from their intended time) are counted as timeouts and given up. */
  private expire(now: number): void {
    const limit = now - this.timeoutUs;
    // A request that waited out its timeout because every connection was refused or reset was never sent: the
    // target is gone, and that is an error of that kind, not a slow response.
    const down = this.connections.some((c) => c.ready) ? undefined : this.connections.find((c) => c.lastFailure)?.lastFailure;
    for (let head = this.queue.peek(); head !== undefined && head < limit; head = this.queue.peek()) {
      this.queue.shift();
      if (head >= this.measureStart && head < this.measureEnd) {
        if (down) this.recorder.error(down);
        else this.recorder.counts.timeouts++;
      }
    }
    for (const connection of this.connections) {
      if (connection.busy && connection.intendedUs < limit) {
        if (connection.measured) this.recorder.counts.timeouts++;
        this.inFlight--;
        connection.abandon();
      }
    }
  }

  private maybeDone(): boolean {
    if (this.scheduling || this.inFlight > 0 || this.queue.length > 0) return false;
    this.done();
    return true;
  }

  private done(): void {
    const finish = this.finish;
    this.finish = undefined;
    finish?.();
  }
}

/** Connections (or any whole quantity) split over workers as evenly as possible. */
export function shareOf(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}
