/**
 * Memory shared by an open loop's I/O thread and its pacer thread. A few control words (stop, the wake-up counter,
 * the TLS hand-off lead, counters the pacer keeps) and, per connection, a state word, the socket's fd, a generation
 * (bumped on every reconnect) and three times: when the request was intended, when the pacer handled it, when it
 * was written. And the queue of requests that found every connection busy: the pacer appends, and whichever thread
 * frees a connection first takes the oldest (the I/O thread, when a response completes, writes it at once).
 *
 * States: CLOSED (connecting or reconnecting: not usable), FREE, CLAIMED (the pacer took it and is stamping the
 * request's times), BUSY (a request is in flight). The pacer moves FREE → CLAIMED → BUSY, publishing the stamps with
 * BUSY before it writes, so the I/O thread can take a response that arrives while the pacer is still in write(2).
 * The I/O thread moves BUSY → FREE when the response is complete, CLOSED → FREE when a socket connects, and
 * anything → CLOSED before it closes a socket. A per-connection WRITER word is 1 while the pacer is in write(2): a
 * socket's fd is closed only after the state left CLAIMED and WRITER is 0, so the pacer never writes on a closed
 * fd (nor on a reused one).
 */
export const CLOSED = 0;
export const FREE = 1;
export const CLAIMED = 2;
export const BUSY = 3;

const STOP = 0;
/**
 * Bumped and notified when a connection becomes FREE while requests wait for one (or a connection opens), and when the
 * pacer is stopped: the pacer sleeps on it.
 */
const WAKE = 1;
/** The TLS hand-off's lead in whole microseconds (see pacer.ts). */
const LEAD_US = 2;
/** Requests written while the measured window was open (the pacer counts them: achievedRps). */
const SENT = 3;
/** Measured requests that found every connection busy and waited in the pacer's queue. */
const QUEUED = 4;
/** Measured requests that waited in the pacer's queue longer than the timeout. */
const QUEUE_TIMEOUTS = 5;
/** The queue's ring: entries are taken at HEAD (by either thread, compare-exchange) and added at TAIL (pacer only). */
const HEAD = 6;
const TAIL = 7;
/** Non-zero while no connection is up after a failure (1 + the failure kind's index): the target is gone. */
const DOWN = 8;
/** Measured requests given up in the queue while the target was down: errors of that kind, not slow responses. */
const QUEUE_DOWN = 9;
const CONTROL_WORDS = 10;

const STATE = 0;
const FD = 1;
const GENERATION = 2;
const WRITER = 3;
/** HTTP/2: the connection's next stream identifier (1, 3, 5, …), taken by whichever thread writes a request. */
const STREAM = 4;
const WORDS_PER_CONNECTION = 5;
const INTENDED = 0;
const HANDLED = 1;
const WRITTEN = 2;
const TIMES_PER_CONNECTION = 3;

export type PacerCounter = 'sent' | 'queued' | 'queueTimeouts' | 'queueDown';
const COUNTER_WORD: Record<PacerCounter, number> = { sent: SENT, queued: QUEUED, queueTimeouts: QUEUE_TIMEOUTS, queueDown: QUEUE_DOWN };

/** Longest the I/O thread waits for the pacer to finish a claim or a write before it looks again (microseconds' work). */
const WAIT_SLICE_MS = 1;
/** Longer than a claim or a write can take, even on a machine so busy the pacer waits this long for a CPU. */
const WAIT_LIMIT_MS = 1000;

export class SharedSlots {
  readonly buffer: SharedArrayBuffer;
  readonly count: number;
  readonly queueCapacity: number;
  private readonly words: Int32Array;
  private readonly times: Float64Array;
  /** Queue entries: intended time, then the time the pacer first handled the request. */
  private readonly ring: Float64Array;
  /** Where the pacer's next search for a free connection starts (see claim). */
  private nextClaim = 0;

  /**
   * New shared memory for `count` connections and a queue of `queueCapacity` requests, or (with `buffer`) a view of
   * the memory another thread made with the same sizes.
   */
  constructor(count: number, queueCapacity: number, buffer?: SharedArrayBuffer) {
    const { wordsBytes, timesBytes } = sizes(count);
    this.count = count;
    this.queueCapacity = queueCapacity;
    this.buffer = buffer ?? new SharedArrayBuffer(wordsBytes + timesBytes + queueCapacity * 2 * Float64Array.BYTES_PER_ELEMENT);
    this.words = new Int32Array(this.buffer, 0, wordsBytes / Int32Array.BYTES_PER_ELEMENT);
    this.times = new Float64Array(this.buffer, wordsBytes, count * TIMES_PER_CONNECTION);
    this.ring = new Float64Array(this.buffer, wordsBytes + timesBytes, queueCapacity * 2);
  }

  // --- the queue ---

  /** Appends a request that found every connection busy (pacer only); false when the queue is full. */
  push(intendedUs: number, handledUs: number): boolean {
    const tail = Atomics.load(this.words, TAIL);
    if (tail - Atomics.load(this.words, HEAD) >= this.queueCapacity) return false;
    const at = (tail % this.queueCapacity) * 2;
    this.ring[at] = intendedUs;
    this.ring[at + 1] = handledUs;
    Atomics.store(this.words, TAIL, tail + 1);
    return true;
  }

  /**
   * Takes the oldest waiting request (either thread), if it was intended before `beforeUs`; undefined when none
   * waits (or the oldest is not that old).
   */
  shift(beforeUs = Infinity): { intendedUs: number; handledUs: number } | undefined {
    for (;;) {
      const head = Atomics.load(this.words, HEAD);
      if (head === Atomics.load(this.words, TAIL)) return undefined;
      const at = (head % this.queueCapacity) * 2;
      const entry = { intendedUs: this.ring[at]!, handledUs: this.ring[at + 1]! };
      if (entry.intendedUs >= beforeUs) return undefined;
      // The entry is ours if no other thread took it meanwhile (the pacer overwrites it only after HEAD moved on).
      if (Atomics.compareExchange(this.words, HEAD, head, head + 1) === head) return entry;
    }
  }

  /** The intended time of the oldest waiting request (it may be taken by the other thread at any moment). */
  oldest(): number | undefined {
    const head = Atomics.load(this.words, HEAD);
    return head === Atomics.load(this.words, TAIL) ? undefined : this.ring[(head % this.queueCapacity) * 2];
  }

  waiting(): number {
    return Atomics.load(this.words, TAIL) - Atomics.load(this.words, HEAD);
  }

  // --- control words ---

  stop(): void {
    Atomics.store(this.words, STOP, 1);
    this.wake();
  }

  stopped(): boolean {
    return Atomics.load(this.words, STOP) !== 0;
  }

  /** The wake-up counter; pass it to `sleep` so a wake-up between reading it and sleeping is not lost. */
  wakes(): number {
    return Atomics.load(this.words, WAKE);
  }

  /** Sleeps (a futex wait: no CPU) up to `us` µs, or until a wake-up after `seen`. */
  sleep(us: number, seen: number): void {
    Atomics.wait(this.words, WAKE, seen, us / 1000);
  }

  get leadUs(): number {
    return Atomics.load(this.words, LEAD_US);
  }

  set leadUs(us: number) {
    Atomics.store(this.words, LEAD_US, us);
  }

  add(counter: PacerCounter): void {
    Atomics.add(this.words, COUNTER_WORD[counter], 1);
  }

  counter(counter: PacerCounter): number {
    return Atomics.load(this.words, COUNTER_WORD[counter]);
  }

  /** The I/O thread says whether the target is down (every connection failed; 1 + a failure kind's index) or up (0). */
  set down(code: number) {
    Atomics.store(this.words, DOWN, code);
  }

  get down(): number {
    return Atomics.load(this.words, DOWN);
  }

  // --- the pacer's side ---

  /**
   * Claims a FREE connection for writing (FREE → CLAIMED); -1 when none is free. The search starts after the last
   * connection claimed, so requests go round the connections as a user who asked for N expects (and as a proxy with
   * one worker per connection needs to be measured); from connection 0 every time, nearly all of them would go on
   * connection 0 whenever the server is fast. Only the pacer claims, so the cursor is its own.
   */
  claim(): number {
    for (let j = 0; j < this.count; j++) {
      const i = (this.nextClaim + j) % this.count;
      const word = this.word(i, STATE);
      if (Atomics.load(this.words, word) === FREE && Atomics.compareExchange(this.words, word, FREE, CLAIMED) === FREE) {
        this.nextClaim = (i + 1) % this.count;
        return i;
      }
    }
    return -1;
  }

  /**
   * Takes FREE connection `i` for a write of the I/O thread's own (FREE → CLAIMED), so the pacer does not write on it
   * meanwhile; give it back with `unclaim`. False when it is not FREE.
   */
  claimAt(i: number): boolean {
    return Atomics.compareExchange(this.words, this.word(i, STATE), FREE, CLAIMED) === FREE;
  }

  /** Gives back a claim that found nothing to write (CLAIMED → FREE). */
  unclaim(i: number): void {
    this.free(i);
  }

  fd(i: number): number {
    return Atomics.load(this.words, this.word(i, FD));
  }

  generation(i: number): number {
    return Atomics.load(this.words, this.word(i, GENERATION));
  }

  /**
   * About to write on claimed connection `i`: stamps the request's times and publishes them (CLAIMED → BUSY), with
   * WRITER set until `end`.
   */
  begin(i: number, intendedUs: number, handledUs: number, writtenUs: number): void {
    const base = i * TIMES_PER_CONNECTION;
    this.times[base + INTENDED] = intendedUs;
    this.times[base + HANDLED] = handledUs;
    this.times[base + WRITTEN] = writtenUs;
    Atomics.store(this.words, this.word(i, WRITER), 1);
    const state = this.word(i, STATE);
    Atomics.store(this.words, state, BUSY);
    Atomics.notify(this.words, state);
  }

  /** The write on `i` returned: its fd may be closed now. */
  end(i: number): void {
    const writer = this.word(i, WRITER);
    Atomics.store(this.words, writer, 0);
    Atomics.notify(this.words, writer);
  }

  /**
   * The next stream identifier of HTTP/2 connection `i`. Only the thread that holds the connection (the pacer's claim,
   * or the I/O thread writing a request while it is BUSY) takes one, so no two requests get the same. A connection
   * would run out after 2^30 requests; the server then refuses the stream and the connection is opened anew.
   */
  nextStream(i: number): number {
    return Atomics.add(this.words, this.word(i, STREAM), 2);
  }

  // --- the I/O thread's side ---

  /** HTTP/2 connection `i` opened anew: its streams start at 1 (before the connection is FREE). */
  resetStream(i: number): void {
    Atomics.store(this.words, this.word(i, STREAM), 1);
  }

  /** Connection `i` connected on `fd`: FREE, with a new generation. */
  open(i: number, fd: number): void {
    Atomics.store(this.words, this.word(i, FD), fd);
    Atomics.add(this.words, this.word(i, GENERATION), 1);
    this.free(i);
  }

  /**
   * The response on `i` is complete (BUSY → FREE). The pacer is woken only when requests are waiting for a
   * connection: otherwise it has nothing to do before its next send, and a wake-up per response would double its
   * wake-ups (each one a context switch, on a machine whose cores the system under test needs). No wake-up is lost:
   * the pacer, after queueing a request, claims once more before it sleeps; with sequentially consistent atomics
   * either that claim sees this FREE, or the `waiting` read here sees the queued request.
   */
  release(i: number): void {
    if (Atomics.compareExchange(this.words, this.word(i, STATE), BUSY, FREE) === BUSY && this.waiting() > 0) this.wake();
  }

  /** Marks `i` CLOSED before its socket closes, once the pacer is done with it; returns the state it had. */
  close(i: number): number {
    const word = this.word(i, STATE);
    for (;;) {
      const state = this.settled(i);
      if (Atomics.compareExchange(this.words, word, state, CLOSED) === state) {
        this.waitWhile(this.word(i, WRITER), 1);
        return state;
      }
    }
  }

  /**
   * The state of `i` once a claim in progress on it has been stamped (never CLAIMED). A claim held for WAIT_LIMIT_MS
   * means the pacer thread was terminated mid-claim, and it is then taken as BUSY.
   */
  settled(i: number): number {
    const word = this.word(i, STATE);
    if (this.waitWhile(word, CLAIMED)) Atomics.compareExchange(this.words, word, CLAIMED, BUSY);
    return Atomics.load(this.words, word);
  }

  /** Waits (bounded) while `word` holds `value`; true if it still does after WAIT_LIMIT_MS. */
  private waitWhile(word: number, value: number): boolean {
    for (let waited = 0; Atomics.load(this.words, word) === value; waited += WAIT_SLICE_MS) {
      if (waited >= WAIT_LIMIT_MS) return true;
      Atomics.wait(this.words, word, value, WAIT_SLICE_MS);
    }
    return false;
  }

  /** The stamps of the request on `i`; read them after `settled` (or `state`) returned BUSY. */
  stamps(i: number): { intendedUs: number; handledUs: number; writtenUs: number } {
    const base = i * TIMES_PER_CONNECTION;
    return { intendedUs: this.times[base + INTENDED]!, handledUs: this.times[base + HANDLED]!, writtenUs: this.times[base + WRITTEN]! };
  }

  /** Whether the pacer has written a request on some connection that is not yet answered. */
  anyInFlight(): boolean {
    for (let i = 0; i < this.count; i++) {
      const state = Atomics.load(this.words, this.word(i, STATE));
      if (state === CLAIMED || state === BUSY) return true;
    }
    return false;
  }

  state(i: number): number {
    return Atomics.load(this.words, this.word(i, STATE));
  }

  private free(i: number): void {
    Atomics.store(this.words, this.word(i, STATE), FREE);
    this.wake();
  }

  private wake(): void {
    Atomics.add(this.words, WAKE, 1);
    Atomics.notify(this.words, WAKE);
  }

  private word(i: number, field: number): number {
    return CONTROL_WORDS + i * WORDS_PER_CONNECTION + field;
  }
}

/** Byte layout: the Int32 words, padded to 8 bytes, then the Float64 times, then the queue's ring. */
function sizes(count: number): { wordsBytes: number; timesBytes: number } {
  const wordsBytes = Math.ceil(((CONTROL_WORDS + count * WORDS_PER_CONNECTION) * Int32Array.BYTES_PER_ELEMENT) / 8) * 8;
  return { wordsBytes, timesBytes: count * TIMES_PER_CONNECTION * Float64Array.BYTES_PER_ELEMENT };
}
