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
import { mulberry32, poissonSchedule, uniformSchedule } from '../../src/loadgen/schedule.ts';

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
