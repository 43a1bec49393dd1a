import { describe, expect, it } from 'vitest';
import { OutageStep, type StepClock } from '../../src/faults/outage-step.ts';
import type { ControlPlaneFault, OutageComponent, ProbePod } from '../../src/runtimes/types.ts';
import type { ControlPlaneOutagePlan } from '../../src/scenario/faults-schema.ts';

/** Time that moves only when the test says: timers run in order as advance() passes them. */
class FakeClock implements StepClock {
  time = 0;
  private timers: { at: number; run: () => void; id: number }[] = [];
  private next = 0;
  now(): number {
    return this.time;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.push({ at: this.time + ms, run, id });
    return id;
  }
  clearTimeout(timer: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== timer);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        this.clearTimeout(timer);
        resolve();
      });
    });
  }
  /** Moves time forward by `ms`, running each timer due on the way and letting the promises it starts settle. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.run();
    }
    this.time = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

const ISTIOD: OutageComponent = { kind: 'Deployment', namespace: 'istio-system', name: 'istiod', replicas: 2 };

/** A control plane that logs what was done to it at which time; `ready`: ms after the restore it is Ready again. */
class FakeFault implements ControlPlaneFault {
  readonly mesh = 'istio';
  readonly log: string[] = [];
  restoreFailures = 0;
  stopFails = false;
  /** stop() waits for the pods to go until its signal aborts (pods stuck terminating). */
  stopHangs = false;
  probe: { admitted: boolean; readyAt?: number; injected?: boolean } = { admitted: true, readyAt: 6000, injected: true };
  private restoredAt: number | undefined;
  private readonly clock: FakeClock;
  private readonly readyAfterMs: number;
  constructor(clock: FakeClock, readyAfterMs = 1500) {
    this.clock = clock;
    this.readyAfterMs = readyAfterMs;
  }
  stop(_timeoutMs: number, signal?: AbortSignal): Promise<OutageComponent[]> {
    this.log.push(`stop@${this.clock.time}`);
    if (this.stopHangs) return new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('interrupted while waiting for the pods to go'))));
    return this.stopFails ? Promise.reject(new Error('forbidden')) : Promise.resolve([ISTIOD]);
  }
  restore(): Promise<void> {
    this.log.push(`restore@${this.clock.time}`);
    if (this.restoreFailures > 0) {
      this.restoreFailures--;
      return Promise.reject(new Error('HTTP 503'));
    }
    this.restoredAt = this.clock.time;
    return Promise.resolve();
  }
  async waitReady(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    const from = this.clock.time;
    while (this.clock.time - (this.restoredAt ?? 0) < this.readyAfterMs) {
      if (signal?.aborted || this.clock.time - from >= timeoutMs) return false;
      await this.clock.sleep(100, signal);
    }
    return true;
  }
  probePod(): Promise<ProbePod> {
    this.log.push(`probe@${this.clock.time}`);
    const { admitted, readyAt, injected } = this.probe;
    const clock = this.clock;
    const log = this.log;
    return Promise.resolve({
      name: 'outage-probe-abc123',
      admitted,
      ...(admitted ? {} : { error: 'HTTP 500: failed calling webhook "namespace.sidecar-injector.istio.io"' }),
      state: () => Promise.resolve({ ready: readyAt !== undefined && clock.time >= readyAt, injected: injected ?? null }),
      remove: () => {
        log.push(`remove@${clock.time}`);
        return Promise.resolve();
      },
    });
  }
}

/** finish(false) with the clock moving (the recovery is awaited in fake time). */
async function finishing(clock: FakeClock, step: OutageStep): Promise<void> {
  let done = false;
  const finished = step.finish(false).then(() => (done = true));
  for (let i = 0; i < 200 && !done; i++) await clock.advance(100);
  await finished;
}

const PLAN: ControlPlaneOutagePlan = { at: 2000, duration: 3000, probePod: true, recoveryTimeout: 10_000 };
const NO_SECONDS = { seconds: [], unplaced: 0 };

describe('the fault step of a phase', () => {
  it('stops the control plane at `at` into the window, restores it `duration` later, and times the recovery and the probe pod', async () => {
    const clock = new FakeClock();
    const fault = new FakeFault(clock);
    const step = new OutageStep(fault, PLAN, clock);
    await clock.advance(500); // warmup: nothing armed yet
    step.arm(); // the measured window starts at t = 500 ms
    await clock.advance(1999);
    expect(fault.log).toEqual([]);
    await clock.advance(1);
    expect(fault.log).toEqual(['stop@2500', 'probe@2500']);
    await clock.advance(3000);
    expect(fault.log).toEqual(['stop@2500', 'probe@2500', 'restore@5500']);
    await clock.advance(1000); // the window ends at 6.5 s; the recovery is not over
    const finished = step.finish(false);
    await clock.advance(2000);
    await finished;
    expect(fault.log).toEqual(['stop@2500', 'probe@2500', 'restore@5500', 'remove@7000']);
    expect(step.record(NO_SECONDS)).toEqual({
      mesh: 'istio',
      components: [ISTIOD],
      plannedAtS: 2,
      plannedDurationS: 3,
      startS: 2,
      restoreS: 5,
      restored: true,
      // Ready 1.5 s after the restore, seen on the first poll after (every 100 ms).
      recovery: { controlPlaneReadyS: 1.5, firstOkSecond: null, trafficRecoveredSecond: null },
      // Ready at 6 s of the clock, 3.5 s after it was created, after the restore (5.5 s).
      probePod: { name: 'outage-probe-abc123', admitted: true, injected: true, readyDuringOutage: false, readyAfterS: 3.5 },
      traffic: {
        before: { seconds: 0, requests: 0, failed: 0, errorRate: null, p50Us: null, p99Us: null },
        during: { seconds: 0, requests: 0, failed: 0, errorRate: null, p50Us: null, p99Us: null },
        after: { seconds: 0, requests: 0, failed: 0, errorRate: null, p50Us: null, p99Us: null },
      },
      seconds: [],
      unplacedFailures: 0,
    });
  });

  it('records a probe pod the API server refused, and one Ready during the outage', async () => {
    const clock = new FakeClock();
    const refused = new FakeFault(clock);
    refused.probe = { admitted: false };
    const step = new OutageStep(refused, PLAN, clock);
    step.arm();
    await clock.advance(8000);
    await finishing(clock, step);
    expect(step.record(NO_SECONDS).probePod).toEqual({
      name: 'outage-probe-abc123',
      admitted: false,
      error: 'HTTP 500: failed calling webhook "namespace.sidecar-injector.istio.io"',
      injected: null,
      readyDuringOutage: false,
      readyAfterS: null,
    });

    const quick = new FakeFault(clock);
    quick.probe = { admitted: true, readyAt: clock.time + 2000 + 700, injected: false };
    const second = new OutageStep(quick, PLAN, clock);
    second.arm();
    await clock.advance(8000);
    await finishing(clock, second);
    // Ready 0.7 s after creation, seen on the poll at 0.75 s (every 250 ms).
    expect(second.record(NO_SECONDS).probePod).toMatchObject({ admitted: true, injected: false, readyDuringOutage: true, readyAfterS: 0.75 });
  });

  it('never touches the control plane when the phase ends before `at`', async () => {
    const clock = new FakeClock();
    const fault = new FakeFault(clock);
    const step = new OutageStep(fault, PLAN, clock);
    step.arm();
    await clock.advance(1000);
    await step.finish(true);
    await clock.advance(10_000);
    expect(fault.log).toEqual([]);
    expect(step.record(NO_SECONDS)).toMatchObject({ components: [], startS: null, restoreS: null, restored: true, probePod: null });
    expect(step.began).toBe(false);
  });

  it('restores at once when the phase is interrupted mid-outage, without waiting for the recovery', async () => {
    const clock = new FakeClock();
    const fault = new FakeFault(clock);
    const step = new OutageStep(fault, PLAN, clock);
    step.arm();
    await clock.advance(3000);
    const abort = new AbortController();
    abort.abort();
    await step.finish(true, abort.signal); // resolves with no time passing
    expect(fault.log).toEqual(['stop@2000', 'probe@2000', 'restore@3000', 'remove@3000']);
    expect(step.isRestored).toBe(true);
    // The restore timer planned for 5 s was cancelled.
    await clock.advance(5000);
    expect(fault.log.filter((entry) => entry.startsWith('restore'))).toEqual(['restore@3000']);
    expect(step.record(NO_SECONDS)).toMatchObject({ startS: 2, restoreS: 3, restored: true, recovery: { controlPlaneReadyS: null } });
  });

  it('stops waiting for the pods to go on Ctrl-C, and restores', async () => {
    const clock = new FakeClock();
    const fault = new FakeFault(clock);
    fault.stopHangs = true;
    const step = new OutageStep(fault, PLAN, clock);
    step.arm();
    await clock.advance(2500);
    await step.finish(true); // resolves with no time passing
    expect(fault.log).toEqual(['stop@2000', 'restore@2500']);
    expect(step.record(NO_SECONDS)).toMatchObject({ startS: null, restored: true, error: 'stopping the control plane: interrupted while waiting for the pods to go' });
  });

  it('tries the restore once more when it failed, and says so when that fails too', async () => {
    const clock = new FakeClock();
    const once = new FakeFault(clock);
    once.restoreFailures = 1;
    const step = new OutageStep(once, PLAN, clock);
    step.arm();
    await clock.advance(5000);
    await step.finish(true);
    expect(once.log.filter((entry) => entry.startsWith('restore'))).toEqual(['restore@5000', 'restore@5000']);
    expect(step.isRestored).toBe(true);
    expect(step.record(NO_SECONDS).error).toBe('restoring the control plane: HTTP 503');

    const never = new FakeFault(clock);
    never.restoreFailures = 2;
    const failed = new OutageStep(never, PLAN, clock);
    failed.arm();
    await clock.advance(5000);
    await failed.finish(true);
    expect(failed.isRestored).toBe(false);
    expect(failed.record(NO_SECONDS)).toMatchObject({ restored: false, restoreS: null, error: 'restoring the control plane: HTTP 503; restoring the control plane: HTTP 503' });
  });

  it('restores whatever a failed stop got to', async () => {
    const clock = new FakeClock();
    const fault = new FakeFault(clock);
    fault.stopFails = true;
    const step = new OutageStep(fault, PLAN, clock);
    step.arm();
    await clock.advance(2000);
    await finishing(clock, step);
    expect(fault.log).toEqual(['stop@2000', 'restore@2000']);
    expect(step.record(NO_SECONDS)).toMatchObject({ startS: null, restored: true, error: 'stopping the control plane: forbidden', probePod: null });
  });
});
