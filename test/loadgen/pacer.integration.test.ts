import net, { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  INITIAL_LEAD_US,
  LEAD_QUANTILE,
  LeadEstimator,
  MAX_LEAD_US,
  MAX_SLEEP_US,
  pacerStep,
  runPacer,
  spinUntil,
  takeDue,
  type PacerIo,
} from '../../src/loadgen/pacer.ts';
import { mulberry32 } from '../../src/core/random.ts';
import { poissonSchedule, uniformSchedule, type Schedule } from '../../src/loadgen/schedule.ts';
import { BUSY, CLAIMED, CLOSED, FREE, SharedSlots, type PacerCounter } from '../../src/loadgen/slots.ts';
import {
  MAX_SLEEP_US as MAX_WRITER_SLEEP_US,
  expireWaiting,
  measured,
  runWritingPacer,
  writeRequest,
  type WaitingQueue,
  type WriterIo,
  type WriterWindow,
} from '../../src/loadgen/writing-pacer.ts';

/** A pacer thread on a fake clock: each sleep overshoots by `overshoot(us)` (the kernel's timer slack). */
function fakePacer(options: { leadUs: number; overshoot?: (us: number) => number; stopAfterFires?: number }) {
  let clock = 0;
  const fires: { planned: number; at: number }[] = [];
  const sleeps: number[] = [];
  const io: PacerIo = {
    now: () => clock,
    sleep: (us) => {
      sleeps.push(us);
      clock += us + (options.overshoot?.(us) ?? 0);
    },
    fire: (planned) => fires.push({ planned, at: clock }),
    stopped: () => options.stopAfterFires !== undefined && fires.length >= options.stopAfterFires,
    leadUs: () => options.leadUs,
  };
  return { io, fires, sleeps, setClock: (us: number) => (clock = us), now: () => clock };
}

describe('the pacer thread', () => {
  it('sleeps until the planned fire time, in sleeps no longer than the cap, and fires at it', () => {
    expect(pacerStep(1000, 1500, MAX_SLEEP_US)).toEqual({ kind: 'sleep', us: 500 });
    expect(pacerStep(0, 10 * MAX_SLEEP_US, MAX_SLEEP_US)).toEqual({ kind: 'sleep', us: MAX_SLEEP_US });
    expect(pacerStep(1500, 1500, MAX_SLEEP_US)).toEqual({ kind: 'fire' });
    expect(pacerStep(1600, 1500, MAX_SLEEP_US)).toEqual({ kind: 'fire' });
  });

  it('fires once per send, `lead` µs before it, on a clock whose sleeps are exact', () => {
    const pacer = fakePacer({ leadUs: 70 });
    // 1000 rps from t0 = 10 000 µs, schedule ending at 15 000: sends at 10 000 … 14 000.
    const fired = runPacer(uniformSchedule(1000, 0, 1), 10_000, 15_000, pacer.io);
    expect(fired).toBe(5);
    expect(pacer.fires).toEqual([9930, 10_930, 11_930, 12_930, 13_930].map((t) => ({ planned: t, at: t })));
  });

  it('fires late by the sleep overshoot and reports the planned time, so the I/O thread can measure the chain', () => {
    const pacer = fakePacer({ leadUs: 70, overshoot: () => 55 });
    runPacer(uniformSchedule(1000, 0, 1), 0, 3000, pacer.io);
    // The first send is due at t0 itself: its planned time has passed, so it fires at once.
    expect(pacer.fires).toEqual([
      { planned: -70, at: 0 },
      { planned: 930, at: 985 },
      { planned: 1930, at: 1985 },
    ]);
  });

  it('covers every send already due with one hand-off when it ran late, and none twice', () => {
    const pacer = fakePacer({ leadUs: 0 });
    // Sends every 100 µs; the pacer is stuck for 450 µs in its first sleep (the machine took its core).
    let first = true;
    pacer.io.sleep = (us) => {
      pacer.setClock(pacer.now() + us + (first ? 450 : 0));
      first = false;
    };
    runPacer(uniformSchedule(10_000, 0, 1), 100, 1000, pacer.io);
    // Due at 100 … 900. It sleeps towards the first and wakes at 550: sends due at 100 … 500 share that hand-off.
    expect(pacer.fires.map((f) => f.at)).toEqual([550, 600, 700, 800, 900]);
    expect(pacer.fires[0]!.planned).toBe(100);
  });

  it('stops when told, between sleeps', () => {
    const pacer = fakePacer({ leadUs: 50, stopAfterFires: 3 });
    expect(runPacer(uniformSchedule(1000, 0, 1), 0, 1e9, pacer.io)).toBe(3);
    // A far-off send is slept towards in capped sleeps, each a chance to see the stop request.
    const far = fakePacer({ leadUs: 0 });
    runPacer(uniformSchedule(1, 0, 1), 200_000, 200_001, far.io);
    expect(far.sleeps).toEqual([MAX_SLEEP_US, MAX_SLEEP_US, MAX_SLEEP_US, MAX_SLEEP_US]);
  });
});

describe('the hand-off to the I/O thread', () => {
  it('spins only when the next send is at most the largest lead away', () => {
    expect(spinUntil(1000, 1040)).toBe(1040);
    expect(spinUntil(1000, 1000 + MAX_LEAD_US)).toBe(1000 + MAX_LEAD_US);
    expect(spinUntil(1000, 1001 + MAX_LEAD_US)).toBe(1000);
    expect(spinUntil(1000, 900)).toBe(1000);
  });

  it('takes every send that is due, after spinning to the first one, stamped with the time it went out', () => {
    const schedule = uniformSchedule(10_000, 0, 1); // every 100 µs
    let clock = 1000 - 30; // woken 30 µs before the first send (t0 = 1000)
    const reads: number[] = [];
    const sent: [number, number][] = [];
    const result = takeDue(schedule, 1000, 2000, () => {
      reads.push(clock);
      return clock++; // each clock read takes 1 µs
    }, (intended, now) => sent.push([intended, now]));
    expect(sent).toEqual([[1000, 1000]]);
    expect(reads).toHaveLength(31);
    expect(result.finished).toBe(false);
    // Woken 250 µs late: the three sends due by then go out together; nothing left: finished.
    clock = 1350;
    const late: [number, number][] = [];
    expect(takeDue(schedule, 1000, 1400, () => clock, (i, n) => late.push([i, n])).finished).toBe(true);
    expect(late).toEqual([[1100, 1350], [1200, 1350], [1300, 1350]]);
  });

  it('sends every scheduled request exactly once whatever the hand-off delays (pacer and I/O thread simulated)', () => {
    // Poisson arrivals at 5000 rps; each hand-off reaches the I/O thread 0–300 µs after it was posted, in order.
    const random = mulberry32(7);
    const t0 = 1000;
    const end = t0 + 200_000;
    const pacer = fakePacer({ leadUs: 70, overshoot: () => Math.floor(random() * 80) });
    runPacer(poissonSchedule(5000, 3), t0, end, pacer.io);
    const expected: number[] = [];
    const reference = poissonSchedule(5000, 3);
    for (let t = t0 + reference.next(); t < end; t = t0 + reference.next()) expected.push(t);

    const io = poissonSchedule(5000, 3);
    const sent: number[] = [];
    let ioClock = 0;
    let finished = false;
    for (const fire of pacer.fires) {
      ioClock = Math.max(ioClock, fire.at + Math.floor(random() * 300));
      finished = takeDue(io, t0, end, () => ioClock++, (intended, now) => {
        expect(now).toBeGreaterThanOrEqual(intended);
        sent.push(intended);
      }).finished;
    }
    expect(finished).toBe(true);
    expect(sent).toEqual(expected);
    // Fewer hand-offs than sends only where the pacer ran late and let one cover several.
    expect(pacer.fires.length).toBeLessThanOrEqual(expected.length);
  });
});

describe('the lead', () => {
  it('starts at the initial value and becomes the chosen quantile of the last window of delays, bounded', () => {
    const lead = new LeadEstimator();
    expect(lead.leadUs).toBe(INITIAL_LEAD_US);
    // Delays 1 … 31 µs: not yet a stride, still the initial lead.
    for (let d = 1; d < LeadEstimator.STRIDE; d++) lead.observe(d);
    expect(lead.leadUs).toBe(INITIAL_LEAD_US);
    lead.observe(32);
    // Delays 1 … 32: the 75th percentile (index floor(0.75 × 32) = 24 of the sorted values) is 25.
    expect(LEAD_QUANTILE).toBe(0.75);
    expect(lead.leadUs).toBe(25);
    // A window full of long delays: bounded by the largest lead.
    for (let i = 0; i < LeadEstimator.WINDOW; i++) lead.observe(10_000);
    expect(lead.leadUs).toBe(MAX_LEAD_US);
    // Delays can be negative (the pacer's clock read before it posted): bounded below by 0.
    for (let i = 0; i < LeadEstimator.WINDOW; i++) lead.observe(-5);
    expect(lead.leadUs).toBe(0);
  });

  it('forgets delays older than its window', () => {
    const lead = new LeadEstimator();
    for (let i = 0; i < LeadEstimator.WINDOW; i++) lead.observe(100);
    expect(lead.leadUs).toBe(100);
    for (let i = 0; i < LeadEstimator.WINDOW; i++) lead.observe(40);
    expect(lead.leadUs).toBe(40);
  });
});

/**
 * The writing pacer (plaintext targets) on a fake clock, against real shared slots and a simulated I/O thread: each
 * request written is answered `serviceUs(k)` later, when the simulated I/O thread frees its connection in the slots
 * (which wakes the pacer only when a request waits for a connection, as the real one does). The clock moves 1 µs
 * per read, so the pacer's spin ends.
 */
function writingPacer(options: {
  connections: number;
  serviceUs: (k: number) => number;
  overshoot?: () => number;
  stopAfterWrites?: number;
  queueCapacity?: number;
  /** The simulated I/O thread gives up connection 0's request and reconnects it at this time (a timeout). */
  reconnectAt?: number;
}) {
  const slots = new SharedSlots(options.connections, options.queueCapacity ?? 1024);
  for (let i = 0; i < options.connections; i++) slots.open(i, 100 + i);
  let window: WriterWindow | undefined;
  let clock = 0;
  const responses: { at: number; connection: number }[] = [];
  const inFlight = new Set<number>();
  const writes: { connection: number; intended: number; handled: number; at: number; by: 'pacer' | 'io' }[] = [];
  const freedAt: number[] = [];
  const counts: Record<PacerCounter, number> = { sent: 0, queued: 0, queueTimeouts: 0, queueDown: 0 };
  const respondLater = (connection: number): void => {
    responses.push({ at: clock + options.serviceUs(writes.length), connection });
  };
  /**
   * The simulated I/O thread: completes the responses due by `until`, in time order; like the real one (OpenLoop),
   * it writes the oldest waiting request on the connection at once, or frees it and wakes the pacer.
   */
  let reconnectAt = options.reconnectAt ?? Infinity;
  const deliver = (until: number): void => {
    if (reconnectAt <= until) {
      clock = Math.max(clock, reconnectAt);
      reconnectAt = Infinity;
      expect(slots.close(0)).toBe(BUSY);
      responses.splice(0, responses.length, ...responses.filter((r) => r.connection !== 0));
      inFlight.delete(0);
      slots.open(0, 200);
      freedAt.push(clock);
    }
    responses.sort((a, b) => a.at - b.at);
    while (responses.length > 0 && responses[0]!.at <= until) {
      const { connection } = responses.shift()!;
      expect(slots.settled(connection)).toBe(BUSY);
      freedAt.push(clock);
      expireWaiting(slots, clock, window!, (counter) => counts[counter]++);
      const next = slots.shift();
      if (next) {
        if (measured(window!, next.intendedUs) && clock < window!.endUs) counts.sent++;
        writes.push({ connection, intended: next.intendedUs, handled: next.handledUs, at: clock, by: 'io' });
        respondLater(connection);
      } else {
        inFlight.delete(connection);
        slots.release(connection);
      }
    }
  };
  const io: WriterIo = {
    now: () => {
      clock += 1;
      deliver(clock);
      return clock;
    },
    wakes: () => slots.wakes(),
    sleep: (us, seen) => {
      const until = clock + us + (options.overshoot?.() ?? 0);
      // Like a futex wait: the sleep ends at its timeout, or at the first response (or reconnect) that wakes the
      // pacer, which the slots do only when a request is waiting for the connection it frees.
      while (slots.wakes() === seen) {
        const first = responses.reduce((min, r) => Math.min(min, r.at), reconnectAt);
        if (first > until) {
          clock = Math.max(clock, until);
          return;
        }
        clock = Math.max(clock, first);
        deliver(clock);
      }
    },
    claim: () => slots.claim(),
    unclaim: (connection) => slots.unclaim(connection),
    queue: slots,
    write: (connection, intended, handled) => {
      // Never double-booked: the pacer holds the claim, and the connection has no request in flight.
      expect(slots.state(connection)).toBe(CLAIMED);
      expect(inFlight.has(connection)).toBe(false);
      inFlight.add(connection);
      slots.begin(connection, intended, handled, clock);
      slots.end(connection);
      respondLater(connection);
      writes.push({ connection, intended, handled, at: clock, by: 'pacer' });
    },
    count: (counter) => counts[counter]++,
    stopped: () => options.stopAfterWrites !== undefined && writes.length >= options.stopAfterWrites,
  };
  const run = (schedule: Schedule, w: WriterWindow): void => {
    window = w;
    runWritingPacer(schedule, w, io);
  };
  return { io, run, writes, counts, freedAt, slots };
}

function scheduled(schedule: () => Schedule, t0: number, end: number): number[] {
  const times: number[] = [];
  const s = schedule();
  for (let t = t0 + s.next(); t < end; t = t0 + s.next()) times.push(t);
  return times;
}

describe('the writing pacer (plaintext targets)', () => {
  it('writes every scheduled request exactly once, in order, never early, on a connection with none in flight', () => {
    const random = mulberry32(11);
    const pacer = writingPacer({ connections: 8, serviceUs: () => 50 + Math.floor(random() * 400), overshoot: () => Math.floor(random() * 80) });
    const window = { t0Us: 1000, measureStartUs: 1000, endUs: 301_000, timeoutUs: 1e6 };
    pacer.run(poissonSchedule(5000, 3), window);
    expect(pacer.writes.map((w) => w.intended)).toEqual(scheduled(() => poissonSchedule(5000, 3), 1000, 301_000));
    for (const write of pacer.writes) {
      expect(write.at).toBeGreaterThanOrEqual(write.intended);
      expect(write.handled).toBeGreaterThanOrEqual(write.intended);
    }
    expect(pacer.counts.sent).toBe(pacer.writes.length);
  });

  it('sleeps until the lead before each send and spins only the rest', () => {
    const pacer = writingPacer({ connections: 2, serviceUs: () => 100 });
    const sleeps: number[] = [];
    const sleep = pacer.io.sleep;
    pacer.io.sleep = (us, seen) => {
      sleeps.push(us);
      sleep(us, seen);
    };
    pacer.run(uniformSchedule(1000, 0, 1), { t0Us: 10_000, measureStartUs: 10_000, endUs: 13_000, timeoutUs: 1e6 });
    // Sends at 10 000, 11 000, 12 000, each written within a clock tick or two of its time.
    expect(pacer.writes.map((w) => w.intended)).toEqual([10_000, 11_000, 12_000]);
    for (const write of pacer.writes) expect(write.at - write.intended).toBeLessThanOrEqual(2);
    // Sleeps are capped; the first ends the initial lead before the first send.
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(MAX_WRITER_SLEEP_US);
    expect(sleeps[0]).toBe(10_000 - INITIAL_LEAD_US - 1);
  });

  it('learns how far its sleeps overshoot and wakes that much earlier, so sends go out on time', () => {
    // Every sleep overshoots by 90 µs: with the initial lead (70 µs) the first sends are 20 µs late.
    const pacer = writingPacer({ connections: 4, serviceUs: () => 100, overshoot: () => 90 });
    pacer.run(uniformSchedule(1000, 0, 1), { t0Us: 10_000, measureStartUs: 10_000, endUs: 210_000, timeoutUs: 1e6 });
    const lateness = pacer.writes.map((w) => w.at - w.intended);
    expect(lateness[1]).toBeGreaterThanOrEqual(20);
    // Once a stride of overshoots was measured, the lead is 90 µs and the pacer spins the last few µs.
    for (const late of lateness.slice(LeadEstimator.STRIDE + 2)) expect(late).toBeLessThanOrEqual(2);
  });

  it('queues requests that find every connection busy and writes the oldest the moment a connection is freed', () => {
    // One connection; the first three responses take 2.5 ms, later ones 100 µs; a send every 1 ms.
    const pacer = writingPacer({ connections: 1, serviceUs: (k) => (k < 3 ? 2500 : 100) });
    pacer.run(uniformSchedule(1000, 0, 1), { t0Us: 0, measureStartUs: 0, endUs: 10_000, timeoutUs: 1e6 });
    expect(pacer.writes.map((w) => w.intended)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    const queued = pacer.writes.filter((w) => w.at - w.intended > 2);
    expect(queued.length).toBeGreaterThan(0);
    expect(pacer.counts.queued).toBe(queued.length);
    for (const write of queued) {
      // Written by the I/O thread the moment the connection was freed, keeping its intended time for latency.
      expect(write.by).toBe('io');
      expect(pacer.freedAt).toContain(write.at);
      expect(write.handled - write.intended).toBeLessThanOrEqual(2);
    }
  });

  it('writes the oldest waiting request itself when a connection comes back (a reconnect frees it and wakes the pacer)', () => {
    // The server never answers; at 3500 µs the I/O thread gives up and reconnects: requests 1000 … 3000 wait.
    const pacer = writingPacer({ connections: 1, serviceUs: () => Infinity, reconnectAt: 3500 });
    pacer.run(uniformSchedule(1000, 0, 1), { t0Us: 0, measureStartUs: 0, endUs: 5000, timeoutUs: 1e6 });
    expect(pacer.writes.map((w) => [w.intended, w.by])).toEqual([[0, 'pacer'], [1000, 'pacer']]);
    // Woken by the reconnect, not by its next deadline.
    expect(pacer.writes[1]!.at - 3500).toBeLessThanOrEqual(2);
    // The rest wait for the one connection, which never answers, until they time out: given up and counted.
    expect(pacer.counts.queued).toBe(4);
    expect(pacer.counts.queueTimeouts).toBe(3);
    expect(pacer.slots.waiting()).toBe(0);
  });

  it('writes a request it just queued on a connection freed while it queued it, without sleeping first', () => {
    // The one connection's response completes just after the pacer's claim for the request due at 1000 failed and
    // before it queued that request: the I/O thread found nothing waiting, so it freed the connection and woke no
    // one. The pacer must find the connection before it sleeps, not at its next deadline.
    const slots = new SharedSlots(1, 16);
    slots.open(0, 100);
    let clock = 0;
    let freed = false;
    const writes: { intended: number; at: number }[] = [];
    const io: WriterIo = {
      now: () => ++clock,
      wakes: () => slots.wakes(),
      sleep: (us, seen) => {
        if (slots.wakes() === seen) clock += us;
      },
      claim: () => {
        const claimed = slots.claim();
        if (claimed < 0 && !freed) {
          freed = true;
          // The I/O thread, between this failed claim and the queueing: nothing waits, so it frees the connection.
          expect(slots.shift()).toBeUndefined();
          slots.release(0);
        }
        return claimed;
      },
      unclaim: (connection) => slots.unclaim(connection),
      queue: slots,
      write: (connection, intended) => {
        slots.begin(connection, intended, clock, clock);
        slots.end(connection);
        writes.push({ intended, at: clock });
      },
      count: () => {},
      stopped: () => false,
    };
    runWritingPacer(uniformSchedule(1000, 0, 1), { t0Us: 0, measureStartUs: 0, endUs: 2000, timeoutUs: 1e6 }, io);
    expect(writes.map((w) => w.intended)).toEqual([0, 1000]);
    expect(writes[1]!.at - 1000).toBeLessThanOrEqual(2);
  });

  it('gives up queued requests older than the timeout, counting only measured ones, and then returns', () => {
    // The server never answers: the one connection stays busy.
    const pacer = writingPacer({ connections: 1, serviceUs: () => Infinity });
    pacer.run(uniformSchedule(1000, 0, 1), { t0Us: 0, measureStartUs: 3000, endUs: 10_000, timeoutUs: 2000 });
    expect(pacer.writes.map((w) => w.intended)).toEqual([0]);
    // 1000 … 9000 waited; 3000 … 9000 were measured.
    expect(pacer.counts.queued).toBe(7);
    expect(pacer.counts.queueTimeouts).toBe(7);
    expect(pacer.counts.sent).toBe(0);
  });

  it('counts as sent only measured requests written before the window ends', () => {
    const pacer = writingPacer({ connections: 4, serviceUs: () => 100 });
    pacer.run(uniformSchedule(1000, 0, 1), { t0Us: 0, measureStartUs: 5000, endUs: 10_000, timeoutUs: 1e6 });
    expect(pacer.writes).toHaveLength(10);
    expect(pacer.counts.sent).toBe(5);
  });

  it('stops when told', () => {
    const pacer = writingPacer({ connections: 2, serviceUs: () => 100, stopAfterWrites: 3 });
    pacer.run(uniformSchedule(1000, 0, 1), { t0Us: 0, measureStartUs: 0, endUs: 1e9, timeoutUs: 1e6 });
    expect(pacer.writes).toHaveLength(3);
  });
});

describe('the shared connection slots', () => {
  it('hands a free connection to one claim only, until it is released', () => {
    const slots = new SharedSlots(2, 0);
    expect(slots.claim()).toBe(-1); // not connected yet
    slots.open(0, 7);
    slots.open(1, 8);
    expect(slots.generation(0)).toBe(1);
    expect([slots.claim(), slots.claim(), slots.claim()]).toEqual([0, 1, -1]);
    slots.begin(0, 10, 11, 12);
    slots.end(0);
    slots.begin(1, 20, 21, 22);
    slots.end(1);
    expect(slots.anyInFlight()).toBe(true);
    const wakes = slots.wakes();
    slots.release(0);
    expect(slots.wakes()).toBe(wakes); // nothing waits for it: the pacer sleeps on
    expect(slots.claim()).toBe(0);
    expect(slots.fd(0)).toBe(7);
  });

  it('wakes the pacer when a connection is freed while a request waits for one', () => {
    const slots = new SharedSlots(1, 4);
    slots.open(0, 7);
    expect(slots.claim()).toBe(0);
    slots.begin(0, 10, 11, 12);
    slots.end(0);
    expect(slots.push(20, 21)).toBe(true);
    const wakes = slots.wakes();
    slots.release(0);
    expect(slots.wakes()).toBe(wakes + 1);
    expect(slots.state(0)).toBe(FREE);
  });

  it('closes a connection so the pacer cannot claim it, returning the state it had; a reconnect is a new generation', () => {
    const slots = new SharedSlots(1, 0);
    slots.open(0, 7);
    expect(slots.claim()).toBe(0);
    slots.begin(0, 10, 11, 12);
    // Published before the write returns: a response that comes first finds the request.
    expect(slots.settled(0)).toBe(BUSY);
    slots.end(0);
    expect(slots.close(0)).toBe(BUSY);
    expect(slots.stamps(0)).toEqual({ intendedUs: 10, handledUs: 11, writtenUs: 12 });
    slots.release(0); // a late release of a closed connection does not free it
    expect(slots.state(0)).toBe(CLOSED);
    expect(slots.claim()).toBe(-1);
    expect(slots.close(0)).toBe(CLOSED);
    slots.open(0, 9);
    expect(slots.state(0)).toBe(FREE);
    expect(slots.generation(0)).toBe(2);
    expect(slots.fd(0)).toBe(9);
  });

  it('is one memory for both threads: a second view sees the first one’s writes', () => {
    const slots = new SharedSlots(3, 4);
    const other = new SharedSlots(3, 4, slots.buffer);
    slots.open(2, 5);
    slots.add('queued');
    slots.leadUs = 42;
    expect(other.claim()).toBe(2);
    expect(slots.state(2)).toBe(CLAIMED);
    expect(other.counter('queued')).toBe(1);
    expect(other.leadUs).toBe(42);
    other.stop();
    expect(slots.stopped()).toBe(true);
  });
});

describe('a write on a socket fd from the pacer', () => {
  it('reports a short write or none (EAGAIN) when the socket cannot take the request, instead of blocking or losing bytes', async () => {
    // A real loopback socket whose peer never reads: its send buffer fills.
    const accepted: net.Socket[] = [];
    const server = net.createServer((peer) => accepted.push(peer));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
    try {
      expect(typeof fd).toBe('number');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let written = chunk.length;
      for (let i = 0; i < 10_000 && written === chunk.length; i++) written = writeRequest(fd, chunk);
      expect(written).toBeLessThan(chunk.length);
      expect(writeRequest(fd, chunk)).toBe(0);
    } finally {
      socket.destroy();
      for (const peer of accepted) peer.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('requests given up in the queue', () => {
  const window: WriterWindow = { t0Us: 0, measureStartUs: 0, endUs: 10_000_000, timeoutUs: 1000 };
  const queueOf = (down: number): WaitingQueue => {
    const entries = [{ intendedUs: 10, handledUs: 10 }, { intendedUs: 20, handledUs: 20 }, { intendedUs: 5000, handledUs: 5000 }];
    return {
      down,
      push: () => true,
      shift: (beforeUs?: number) => (entries[0] && (beforeUs === undefined || entries[0].intendedUs < beforeUs) ? entries.shift() : undefined),
      oldest: () => entries[0]?.intendedUs,
      waiting: () => entries.length,
    };
  };

  it('are timeouts while the target is up, errors of the failure while it is down (never sent at all)', () => {
    const counted = (down: number): PacerCounter[] => {
      const seen: PacerCounter[] = [];
      expireWaiting(queueOf(down), 2000, window, (counter) => seen.push(counter));
      return seen;
    };
    expect(counted(0)).toEqual(['queueTimeouts', 'queueTimeouts']);
    expect(counted(1)).toEqual(['queueDown', 'queueDown']);
  });
});
