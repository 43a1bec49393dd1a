import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { nowUs } from './clock.ts';
import { FAILURE_KINDS, type ConnectionEvents } from './connection.ts';
import { defaultEndpoint, EndpointPicker, http1Request, statusCheck } from './endpoints.ts';
import type { Lane } from './lane.ts';
import { h2cTemplates } from './h2/h2c-lane.ts';
import { createLanes, type H2cPlan } from './lanes.ts';
import { NumberQueue } from './fifo.ts';
import { LeadEstimator, takeDue } from './pacer.ts';
import type { FromPacer, PacerInput, PacerStart } from './pacer-thread.ts';
import { Recorder } from './recorder.ts';
import { workerSchedule, type Schedule } from './schedule.ts';
import { BUSY, SharedSlots } from './slots.ts';
import type { Target } from './target.ts';
import type { PhaseSpec } from './types.ts';
import { expireWaiting, type WriterWindow } from './writing-pacer.ts';

/** How often requests are checked against the timeout, milliseconds. */
const TIMEOUT_CHECK_MS = 10;
/** Most requests the shared queue holds (16 bytes each); a request that finds it full is given up as a timeout. */
const MAX_QUEUE = 1 << 20;

/** The pacer thread's file beside this one: .ts when running from source, .js from dist (and the pod bundle). */
const pacerUrl = new URL(`./pacer-thread${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * The open loop: requests are sent at their intended times whatever the server does. Latency runs from the
 * intended time, so a request that waits for a free connection (a stalled server) counts its wait; service time
 * runs from the actual write. A pacer thread keeps the time, asleep on a futex between sends, so this thread only
 * reads and parses responses in its event loop.
 *
 * Plaintext targets ('write' mode, writing-pacer.ts): the pacer writes each request on the socket's fd itself;
 * this thread learns of a request from its response (or its failure or timeout), then writes the oldest request
 * waiting in the shared queue on that connection, or frees it for the pacer. That holds for HTTP/1.1 and for h2c with
 * one stream per connection, whose prebuilt frames the pacer stamps with each request's stream identifier. TLS
 * targets, and Windows ('hand-off' mode, pacer.ts): the pacer wakes this thread shortly before each send, and this
 * thread writes (encryption lives with the socket). A mix of endpoints, and HTTP/2 on node:http2 (TLS, several
 * streams, requests over one frame), use the hand-off too: their requests are chosen and framed on this thread
 * (lanes.ts).
 */
export class OpenLoop implements ConnectionEvents {
  readonly recorder: Recorder;
  private readonly connections: Lane[];
  private readonly picker: EndpointPicker;
  private readonly spec: PhaseSpec;
  private readonly writes: boolean;
  private readonly slots: SharedSlots;
  private t0 = 0;
  private measureStart = 0;
  private measureEnd = 0;
  private window: WriterWindow = { t0Us: 0, measureStartUs: 0, endUs: 0, timeoutUs: 0 };
  private timeoutUs: number;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private scheduling = false;
  private readonly pacer: Worker;
  private readonly pacerPort: MessagePort;
  private inFlight = 0;
  private stopped = false;
  private readyWaiter: (() => void) | undefined;
  private connectFailed: ((message: string) => void) | undefined;
  private readyCount = 0;
  private finish: (() => void) | undefined;
  private failPacer: ((error: Error) => void) | undefined;
  private pacerError: Error | undefined;
  // Hand-off mode only: this thread's schedule, free connections, queue and the pacer's lead.
  private readonly schedule: Schedule;
  private readonly free: Lane[] = [];
  private readonly queue = new NumberQueue();
  private readonly lead = new LeadEstimator();

  constructor(spec: PhaseSpec, worker: number, target: Target, userAgent: string) {
    this.spec = spec;
    this.timeoutUs = spec.timeoutMs * 1000;
    const protocol = spec.protocol ?? 'http1';
    const endpoints = spec.requests ?? [defaultEndpoint(target)];
    this.recorder = new Recorder(
      endpoints.map((endpoint) => statusCheck(endpoint, protocol)),
      spec.requests !== undefined,
    );
    this.picker = new EndpointPicker(endpoints, spec.seed);
    // HTTP/2 in the clear with one stream per connection runs on the generator's own framing (h2/h2c-lane.ts).
    const templates = protocol !== 'http1' && !target.tls && (spec.streams ?? 1) === 1 ? h2cTemplates(target, endpoints, protocol === 'grpc', userAgent) : undefined;
    // Windows sockets have no POSIX file descriptor to write on from another thread: there the hand-off serves.
    this.writes = (protocol === 'http1' || templates !== undefined) && endpoints.length === 1 && !target.tls && process.platform !== 'win32';
    const share = shareOf(spec.connections, spec.workers, worker);
    this.schedule = workerSchedule(spec, worker);
    const request = templates ? templates[0]!.bytes : http1Request(target, endpoints[0]!, userAgent);
    this.slots = new SharedSlots(share, this.writes ? queueCapacity(spec) : 0);
    this.slots.leadUs = this.lead.leadUs;
    const slots = this.slots;
    const h2c: H2cPlan | undefined = templates && {
      templates,
      ids: { next: (lane) => slots.nextStream(lane), reset: (lane) => slots.resetStream(lane) },
      ...(this.writes ? { gate: { acquire: (lane: number) => slots.claimAt(lane), release: (lane: number) => slots.unclaim(lane) } } : {}),
    };
    this.connections = createLanes(spec, share, target, endpoints, this.picker, userAgent, this, h2c);
    // The pacer starts now, so its thread is up long before the first send.
    const { port1, port2 } = new MessageChannel();
    this.pacerPort = port1;
    const input: PacerInput = {
      spec,
      worker,
      slots: this.slots.buffer,
      connections: share,
      queueCapacity: this.slots.queueCapacity,
      mode: this.writes ? 'write' : 'hand-off',
      request,
      streamOffsets: templates ? templates[0]!.streamOffsets : [],
      port: port2,
    };
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
    this.picker.originUs = t0Us;
    this.measureStart = t0Us + this.spec.warmupMs * 1000;
    this.measureEnd = this.measureStart + this.spec.durationMs * 1000;
    this.window = { t0Us, measureStartUs: this.measureStart, endUs: this.measureEnd, timeoutUs: this.timeoutUs };
    if (this.spec.perSecond) this.recorder.recordSeconds(this.measureStart, this.spec.durationMs);
    this.scheduling = true;
    return new Promise((resolve, reject) => {
      if (this.pacerError) return reject(this.pacerError);
      this.finish = resolve;
      this.failPacer = reject;
      this.pacerPort.on('message', this.onPacer);
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

  onReady(connection: Lane): void {
    if (this.writes) {
      const fd = connection.fd;
      if (fd === undefined) {
        this.connectFailed?.('cannot write requests from the pacer thread: the socket has no file descriptor on this platform');
        return;
      }
      this.slots.open(connection.index, fd);
      this.slots.down = 0;
    }
    if (this.readyWaiter) {
      this.readyCount++;
      if (!this.writes) this.free.push(connection);
      if (this.readyCount === this.connections.length) {
        const resolve = this.readyWaiter;
        this.readyWaiter = undefined;
        this.connectFailed = undefined;
        resolve();
      }
      return;
    }
    if (!this.writes) this.release(connection);
  }

  onResponse(connection: Lane, status: number, bytes: number): void {
    const now = nowUs();
    this.inFlight--;
    if (connection.measured) {
      this.recorder.response(status, bytes, now - connection.intendedUs, now - connection.sentUs, connection.endpoint, connection.intendedUs);
    }
    if (connection.ready) {
      if (this.writes) this.writeWaiting(connection, now);
      else this.release(connection);
    }
    this.maybeDone();
  }

  /**
   * Write mode: a connection is free. The oldest request waiting for one goes out on it now, from this thread (no
   * wake-up of the pacer on the way); with none waiting, the connection is freed (SharedSlots.release wakes the pacer
   * only if a request was queued meanwhile).
   */
  private writeWaiting(connection: Lane, now: number): void {
    expireWaiting(this.slots, now, this.window, (counter) => this.slots.add(counter));
    const next = this.slots.shift();
    if (!next) {
      this.slots.release(connection.index);
      return;
    }
    const measured = next.intendedUs >= this.measureStart && next.intendedUs < this.measureEnd;
    if (measured) this.recorder.slipped(next.handledUs - next.intendedUs);
    const sent = nowUs();
    if (measured && sent < this.measureEnd) this.recorder.sent++;
    this.inFlight++;
    connection.send(next.intendedUs, sent, measured);
  }

  onFailure(connection: Lane, message: string, hadRequest: boolean): void {
    if (this.connectFailed) {
      this.connectFailed(`cannot connect to the target: ${message}`);
      this.connectFailed = undefined;
      this.readyWaiter = undefined;
      return;
    }
    const index = this.free.indexOf(connection);
    if (index >= 0) this.free.splice(index, 1);
    if (this.writes && !this.connections.some((c) => c.ready)) this.slots.down = 1 + FAILURE_KINDS.indexOf(connection.lastFailure ?? 'other');
    if (hadRequest) {
      this.inFlight--;
      if (connection.measured) this.recorder.error(connection.lastFailure ?? 'other', connection.endpoint, connection.intendedUs);
      this.maybeDone();
    }
  }

  /** Before a socket closes: the pacer stops using it, and a request it wrote there is adopted (to fail or expire). */
  onDetach(connection: Lane): void {
    if (this.writes && this.slots.close(connection.index) === BUSY && !connection.busy) this.adopt(connection);
  }

  /** A response began on a connection the pacer wrote to. */
  onUnknownData(connection: Lane): void {
    if (this.writes && this.slots.settled(connection.index) === BUSY) this.adopt(connection);
  }

  close(): void {
    this.stopPacer();
    // Sockets first: a pacer terminated in the middle of a write would leave its claim held.
    for (const connection of this.connections) connection.close();
    void this.pacer.terminate();
  }

  /** Takes over a request the pacer wrote on `connection`: its times, its slip, and that it is in flight. */
  private adopt(connection: Lane): void {
    const { intendedUs, handledUs, writtenUs } = this.slots.stamps(connection.index);
    const measured = intendedUs >= this.measureStart && intendedUs < this.measureEnd;
    if (measured) this.recorder.slipped(handledUs - intendedUs);
    this.inFlight++;
    connection.adopt(intendedUs, writtenUs, measured);
  }

  private stopPacer(): void {
    this.slots.stop();
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

  private readonly onPacer = (message: FromPacer): void => {
    if (message.type === 'hand-off') this.onHandOff(message.plannedUs);
    else if (message.type === 'rest') {
      const connection = this.connections[message.connection]!;
      if (connection.generation === message.generation) connection.writeRest(message.offset, message.stream);
    } else this.scheduled();
  };

  /** Nothing more to send: drain what is queued or in flight, still enforcing the timeout. */
  private scheduled(): void {
    this.scheduling = false;
    this.stopPacer();
    this.drain();
  }

  private release(connection: Lane): void {
    const intended = this.queue.shift();
    if (intended === undefined) {
      this.free.push(connection);
      return;
    }
    this.write(connection, intended, nowUs());
  }

  private write(connection: Lane, intended: number, now: number): void {
    const measured = intended >= this.measureStart && intended < this.measureEnd;
    if (measured && now < this.measureEnd) this.recorder.sent++;
    this.inFlight++;
    connection.send(intended, now, measured);
  }

  private readonly dispatch = (intended: number, now: number): void => {
    const measured = intended >= this.measureStart && intended < this.measureEnd;
    if (measured) this.recorder.slipped(now - intended);
    // The connection free the longest: requests go round the connections, as a user who asked for N connections
    // expects (and as a proxy with one worker per connection needs to be measured); the most recently freed would
    // put nearly all of them on one connection whenever the server is fast.
    const connection = this.free.shift();
    if (connection) {
      this.write(connection, intended, now);
      return;
    }
    if (measured) this.recorder.queued++;
    this.queue.push(intended);
  };

  /** A hand-off from the pacer: spin the microseconds to the next send if woken early, then send all that are due. */
  private onHandOff(plannedUs: number): void {
    if (!this.scheduling) return;
    this.lead.observe(nowUs() - plannedUs);
    this.slots.leadUs = this.lead.leadUs;
    if (takeDue(this.schedule, this.t0, this.measureEnd, nowUs, this.dispatch).finished) this.scheduled();
  }

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
        if (down) this.recorder.error(down, this.picker.pick(head), head);
        else this.recorder.timeout(this.picker.pick(head), head);
      }
    }
    for (const connection of this.connections) {
      // A request the pacer wrote that has had no response yet.
      if (this.writes && !connection.busy && this.slots.state(connection.index) === BUSY) this.adopt(connection);
      if (connection.busy && connection.intendedUs < limit) {
        if (connection.measured) this.recorder.timeout(connection.endpoint, connection.intendedUs);
        this.inFlight--;
        connection.abandon();
      }
    }
  }

  private maybeDone(): boolean {
    if (this.scheduling || this.inFlight > 0 || this.queue.length > 0) return false;
    if (this.writes && (this.slots.anyInFlight() || this.slots.waiting() > 0)) return false;
    this.done();
    return true;
  }

  private done(): void {
    const finish = this.finish;
    this.finish = undefined;
    this.failPacer = undefined;
    if (finish && this.writes) {
      // The pacer counted what it sent, queued and gave up in its queue.
      this.recorder.sent += this.slots.counter('sent');
      this.recorder.queued += this.slots.counter('queued');
      for (let i = this.slots.counter('queueTimeouts'); i > 0; i--) this.recorder.timeout();
      const kind = FAILURE_KINDS[this.slots.down - 1] ?? this.connections.find((c) => c.lastFailure)?.lastFailure ?? 'other';
      for (let i = this.slots.counter('queueDown'); i > 0; i--) this.recorder.error(kind);
    }
    finish?.();
  }
}

/** Room for every request intended within one timeout at twice the worker's rate (Poisson bursts), bounded. */
function queueCapacity(spec: PhaseSpec): number {
  const perWorker = (spec.rate ?? 0) / spec.workers;
  return Math.min(MAX_QUEUE, Math.ceil(perWorker * (spec.timeoutMs / 1000) * 2) + 1024);
}

/** Connections (or any whole quantity) split over workers as evenly as possible. */
export function shareOf(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}
