import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { nowUs } from './clock.ts';
import { Connection, type ConnectionEvents } from './connection.ts';
import { NumberQueue } from './fifo.ts';
import { LeadEstimator, PACER_LEAD_US, PACER_STOP, PACER_WAKE, PACER_WORDS, takeDue } from './pacer.ts';
import type { PacerInput, PacerStart } from './pacer-thread.ts';
import { Recorder } from './recorder.ts';
import { workerSchedule, type Schedule } from './schedule.ts';
import { requestBytes, type Target } from './target.ts';
import type { PhaseSpec } from './types.ts';

/** How often requests are checked against the timeout, milliseconds. */
const TIMEOUT_CHECK_MS = 10;

/** The pacer thread's file beside this one: .ts when running from source, .js from dist (and the pod bundle). */
const pacerUrl = new URL(`./pacer-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * The open loop: requests are sent at their intended times whatever the server does. Latency runs from the
 * intended time, so a request that waits for a free connection (a stalled server) counts its wait; service time
 * runs from the actual write. This thread sleeps in its event loop between sends; a pacer thread (pacer.ts) wakes
 * it shortly before each send is due and it spins only the microseconds left. Its remaining lateness is measured
 * and reported as slip.
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
  private timeoutTimer: NodeJS.Timeout | undefined;
  private scheduling = false;
  private readonly pacer: Worker;
  private readonly pacerPort: MessagePort;
  private readonly pacerWords = new Int32Array(new SharedArrayBuffer(PACER_WORDS * Int32Array.BYTES_PER_ELEMENT));
  private readonly lead = new LeadEstimator();
  private inFlight = 0;
  private stopped = false;
  private readyWaiter: (() => void) | undefined;
  private connectFailed: ((message: string) => void) | undefined;
  private readyCount = 0;
  private finish: (() => void) | undefined;
  private failPacer: ((error: Error) => void) | undefined;
  private pacerError: Error | undefined;

  constructor(spec: PhaseSpec, worker: number, target: Target, userAgent: string) {
    this.spec = spec;
    this.timeoutUs = spec.timeoutMs * 1000;
    const share = shareOf(spec.connections, spec.workers, worker);
    this.schedule = workerSchedule(spec, worker);
    const request = requestBytes(target, userAgent);
    for (let i = 0; i < share; i++) this.connections.push(new Connection(target, request, this));
    // The pacer starts now, so its thread is up long before the first send.
    const { port1, port2 } = new MessageChannel();
    this.pacerPort = port1;
    Atomics.store(this.pacerWords, PACER_LEAD_US, this.lead.leadUs);
    const input: PacerInput = { spec, worker, words: this.pacerWords.buffer as SharedArrayBuffer, port: port2 };
    this.pacer = new Worker(pacerUrl, { workerData: input, transferList: [port2] });
    this.pacer.on('error', (error) => this.pacerFailed(error));
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
    return new Promise((resolve, reject) => {
      if (this.pacerError) return reject(this.pacerError);
      this.finish = resolve;
      this.failPacer = reject;
      this.pacerPort.on('message', this.onHandOff);
      const start: PacerStart = { t0Us, endUs: this.measureEnd };
      this.pacerPort.postMessage(start);
      this.timeoutTimer = setInterval(() => this.expire(nowUs()), TIMEOUT_CHECK_MS);
    });
  }

  stop(): void {
    this.stopped = true;
    this.scheduling = false;
    this.stopPacer();
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
      if (connection.measured) this.recorder.counts.errors++;
      this.maybeDone();
    }
  }

  close(): void {
    this.stopPacer();
    void this.pacer.terminate();
    for (const connection of this.connections) connection.close();
  }

  private stopPacer(): void {
    Atomics.store(this.pacerWords, PACER_STOP, 1);
    Atomics.notify(this.pacerWords, PACER_WAKE);
    this.pacerPort.close();
    clearInterval(this.timeoutTimer);
  }

  /** A pacer that failed before the run starts fails the run at its start; during the run, at once. */
  private pacerFailed(error: Error): void {
    this.pacerError = new Error(`the open loop's pacer thread failed: ${error.message}`);
    const fail = this.failPacer;
    this.failPacer = undefined;
    this.finish = undefined;
    fail?.(this.pacerError);
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

  private readonly dispatch = (intended: number, now: number): void => {
    const measured = intended >= this.measureStart && intended < this.measureEnd;
    if (measured) this.recorder.slipped(now - intended);
    const connection = this.free.pop();
    if (connection) {
      this.write(connection, intended, now);
      return;
    }
    if (measured) this.recorder.queued++;
    this.queue.push(intended);
  };

  /** A hand-off from the pacer: spin the microseconds to the next send if woken early, then send all that are due. */
  private readonly onHandOff = (plannedUs: number): void => {
    if (!this.scheduling) return;
    this.lead.observe(nowUs() - plannedUs);
    Atomics.store(this.pacerWords, PACER_LEAD_US, this.lead.leadUs);
    if (takeDue(this.schedule, this.t0, this.measureEnd, nowUs, this.dispatch).finished) {
      // Nothing more to send: drain what is queued or in flight, still enforcing the timeout.
      this.scheduling = false;
      this.stopPacer();
      this.drain();
    }
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
    for (let head = this.queue.peek(); head !== undefined && head < limit; head = this.queue.peek()) {
      this.queue.shift();
      if (head >= this.measureStart && head < this.measureEnd) this.recorder.counts.timeouts++;
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
    this.failPacer = undefined;
    finish?.();
  }
}

/** Connections (or any whole quantity) split over workers as evenly as possible. */
export function shareOf(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}
